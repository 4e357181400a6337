package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

const idpUsage = `usage: foyer idp create [--store S] [--name N] [--preset google|entra|apple|github] [--kind oidc|oauth2] [--issuer URL]
         [--client-id C] [--client-secret-file F | --client-secret-env VAR] [--scope S]... [--claim TARGET=CLAIM]...
         [--apple-team-id T --apple-key-id K --apple-private-key-file F] [--auth-url U --token-url U --userinfo-url U]
         [--disabled] [--json]
       foyer idp list [--store S] [--json]
       foyer idp show ID [--json]
       foyer idp update ID [the flags of create; only those given change; --enabled | --disabled] [--json]
       foyer idp delete ID`

// idpFlags are the flags of "idp create" and "idp update".
type idpFlags struct {
	fs                                  *flag.FlagSet
	storeID, name, preset, kind, issuer *string
	authURL, tokenURL, userInfoURL      *string
	clientID, secretFile, secretEnv     *string
	teamID, keyID, keyFile              *string
	scopes, claims                      listFlag
	disabled, enabled, asJSON           *bool
}

func newIdpFlags(verb string, stderr io.Writer) *idpFlags {
	fs := newFlags("idp "+verb, stderr)
	f := &idpFlags{fs: fs}
	f.storeID = fs.String("store", defaultStoreID, "identity store (create, list)")
	f.name = fs.String("name", "", "the name on the sign-in button (default: the preset's)")
	f.preset = fs.String("preset", "", "google, entra, apple or github")
	f.kind = fs.String("kind", "", "oidc or oauth2 (default: the preset's, else oidc)")
	f.issuer = fs.String("issuer", "", "OpenID Connect issuer URL (default: the preset's)")
	f.authURL = fs.String("auth-url", "", "OAuth 2.0 authorization endpoint (oauth2)")
	f.tokenURL = fs.String("token-url", "", "OAuth 2.0 token endpoint (oauth2)")
	f.userInfoURL = fs.String("userinfo-url", "", "user-info endpoint (oauth2)")
	f.clientID = fs.String("client-id", "", "the client ID the upstream gave")
	f.secretFile = fs.String("client-secret-file", "", "file holding the client secret")
	f.secretEnv = fs.String("client-secret-env", "", "environment variable holding the client secret")
	f.teamID = fs.String("apple-team-id", "", "Apple team ID")
	f.keyID = fs.String("apple-key-id", "", "Apple key ID")
	f.keyFile = fs.String("apple-private-key-file", "", "Apple's .p8 private key file")
	fs.Var(&f.scopes, "scope", "scope to ask for (repeatable; replaces the list)")
	fs.Var(&f.claims, "claim", "claim mapping TARGET=CLAIM (repeatable; TARGET= removes one)")
	f.disabled = fs.Bool("disabled", false, "no sign-in button, callbacks refused")
	f.enabled = fs.Bool("enabled", false, "enable it again (update)")
	f.asJSON = fs.Bool("json", false, "print JSON")
	return f
}

// idpCommand runs "idp create|list|show|update|delete" through
// manage.Upstreams as the system: the console's and the API's checks and
// audit entries. Secrets come from a file or an environment variable,
// never from the command line, and are never printed.
func idpCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	want := map[string]int{"create": 0, "list": 0, "show": 1, "update": 1, "delete": 1}
	n, ok := want[verb]
	pos, rest := splitPositional(args, n)
	f := newIdpFlags(verb, stderr)
	if !ok {
		fmt.Fprintln(stderr, idpUsage)
		return errUsage
	}
	if err := parse(f.fs, rest); err != nil {
		return err
	}
	if len(pos) != n || (*f.enabled && *f.disabled) || (*f.secretFile != "" && *f.secretEnv != "") {
		fmt.Fprintln(stderr, idpUsage)
		return errUsage
	}
	if verb == "create" && *f.storeID == storage.AdministratorsStoreID {
		// A provider there would let an upstream account into the console,
		// a way in the administrators service neither grants nor audits.
		fmt.Fprintln(stderr, "foyer idp create: --store must be a customer identity store, not administrators")
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, secret []byte) error {
		ups, err := newUpstreams(manage.NewCore(s, nil), s, secret, cfg.Issuer)
		if err != nil {
			return err
		}
		sys := manage.System()
		switch verb {
		case "list":
			list, err := ups.List(ctx, sys, *f.storeID)
			if errors.Is(err, manage.ErrNotFound) {
				return fmt.Errorf("no identity store %q", *f.storeID)
			}
			if err != nil {
				return err
			}
			return printIdps(stdout, list, *f.asJSON)
		case "show":
			v, err := ups.Get(ctx, sys, "", pos[0])
			if err != nil {
				return idpError(stderr, verb, pos[0], err)
			}
			return printIdp(stdout, v, *f.asJSON)
		case "delete":
			if err := ups.Delete(ctx, sys, "", pos[0], 0); err != nil {
				return idpError(stderr, verb, pos[0], err)
			}
			fmt.Fprintf(stdout, "deleted identity provider %s\n", pos[0])
			return nil
		}
		return idpWrite(ctx, cfg, ups, f, verb, pos, stdout, stderr)
	})
}

// idpWrite runs create and update: update starts from the stored
// provider and changes only what a flag gives.
func idpWrite(ctx context.Context, cfg Config, ups *manage.Upstreams, f *idpFlags, verb string, pos []string, stdout, stderr io.Writer) error {
	var in manage.UpstreamInput
	var cur *manage.Upstream
	if verb == "update" {
		var err error
		if cur, err = ups.Get(ctx, manage.System(), "", pos[0]); err != nil {
			return idpError(stderr, verb, pos[0], err)
		}
		in = manage.UpstreamInput{Name: cur.Name, Preset: cur.Preset, Kind: cur.Kind, Issuer: cur.Issuer, AuthURL: cur.AuthURL,
			TokenURL: cur.TokenURL, UserInfoURL: cur.UserInfoURL, ClientID: cur.ClientID, TeamID: cur.TeamID, KeyID: cur.KeyID,
			Scopes: cur.Scopes, ClaimMapping: cur.ClaimMapping}
	}
	if err := f.apply(&in, cfg.getenv, verb == "create"); err != nil {
		fmt.Fprintf(stderr, "foyer idp %s: %v\n", verb, err)
		return errUsage
	}
	var v *manage.Upstream
	var err error
	if cur == nil {
		v, err = ups.Create(ctx, manage.System(), *f.storeID, in)
	} else {
		v, err = ups.Update(ctx, manage.System(), "", cur.ID, cur.Version, in)
	}
	if err != nil {
		return idpError(stderr, verb, strings.Join(pos, ""), err)
	}
	return printIdp(stdout, v, *f.asJSON)
}

// apply sets what the flags given say on in; the secrets are read from
// their file or variable.
func (f *idpFlags) apply(in *manage.UpstreamInput, getenv func(string) string, create bool) error {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, fl := range []struct {
		name     string
		from, to *string
	}{{"name", f.name, &in.Name}, {"preset", f.preset, &in.Preset}, {"kind", f.kind, &in.Kind}, {"issuer", f.issuer, &in.Issuer},
		{"auth-url", f.authURL, &in.AuthURL}, {"token-url", f.tokenURL, &in.TokenURL}, {"userinfo-url", f.userInfoURL, &in.UserInfoURL},
		{"client-id", f.clientID, &in.ClientID}, {"apple-team-id", f.teamID, &in.TeamID}, {"apple-key-id", f.keyID, &in.KeyID}} {
		if set[fl.name] {
			*fl.to = *fl.from
		}
	}
	if len(f.scopes) > 0 {
		in.Scopes = slices.Clone(f.scopes)
	}
	if err := f.applyClaims(in); err != nil {
		return err
	}
	switch {
	case *f.disabled:
		off := false
		in.Enabled = &off
	case *f.enabled || create:
		on := true
		in.Enabled = &on
	}
	var err error
	if in.ClientSecret, err = readSecret(*f.secretFile, *f.secretEnv, getenv); err != nil {
		return err
	}
	if *f.keyFile != "" {
		if in.PrivateKey, err = readSecret(*f.keyFile, "", getenv); err != nil {
			return err
		}
	}
	return nil
}

func (f *idpFlags) applyClaims(in *manage.UpstreamInput) error {
	if len(f.claims) == 0 {
		return nil
	}
	mapping := map[string]string{}
	for k, v := range in.ClaimMapping {
		mapping[k] = v
	}
	for _, c := range f.claims {
		target, claim, ok := strings.Cut(c, "=")
		if !ok || strings.TrimSpace(target) == "" {
			return fmt.Errorf("--claim %q: want TARGET=CLAIM", c)
		}
		if claim == "" {
			delete(mapping, target)
			continue
		}
		mapping[target] = claim
	}
	in.ClaimMapping = mapping
	return nil
}

// readSecret reads a secret from a file (its trailing newline dropped) or
// a named environment variable; neither given is "" (keep or none).
func readSecret(file, env string, getenv func(string) string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the file
		if err != nil {
			return "", fmt.Errorf("read the secret: %w", err)
		}
		if s := strings.TrimRight(string(b), "\r\n"); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("%s is empty", file)
	case env != "":
		if getenv == nil || getenv(env) == "" {
			return "", fmt.Errorf("the environment variable %s is not set", env)
		}
		return getenv(env), nil
	}
	return "", nil
}

func idpError(stderr io.Writer, verb, id string, err error) error {
	if errors.Is(err, manage.ErrNotFound) {
		if verb == "create" {
			return errors.New("no such identity store")
		}
		return fmt.Errorf("no identity provider %q", id)
	}
	if ce, ok := errors.AsType[*manage.ConflictError](err); ok {
		return errors.New(ce.Detail)
	}
	return cliInputError(stderr, "idp "+verb, err)
}

func printIdps(stdout io.Writer, list []manage.Upstream, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPRESET\tKIND\tENABLED\tLINKED")
	for _, v := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%d\n", v.ID, v.Name, orDash(v.Preset), v.Kind, v.Enabled, v.Identities)
	}
	return tw.Flush()
}

func printIdp(stdout io.Writer, v *manage.Upstream, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(v)
	}
	setOrNot := map[bool]string{true: "set (stored encrypted)", false: "not set"}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{{"id", v.ID}, {"store", v.StoreID}, {"name", v.Name}, {"preset", orDash(v.Preset)},
		{"kind", v.Kind}, {"issuer", orDash(v.Issuer)}, {"auth url", orDash(v.AuthURL)}, {"token url", orDash(v.TokenURL)},
		{"userinfo url", orDash(v.UserInfoURL)}, {"client id", v.ClientID}, {"client secret", setOrNot[v.ClientSecretSet]},
		{"apple team id", orDash(v.TeamID)}, {"apple key id", orDash(v.KeyID)}, {"apple private key", setOrNot[v.PrivateKeySet]},
		{"scopes", orDash(strings.Join(v.Scopes, " "))}, {"claim mapping", orDash(claimList(v.ClaimMapping))},
		{"enabled", fmt.Sprint(v.Enabled)}, {"linked accounts", fmt.Sprint(v.Identities)}, {"redirect uri", v.RedirectURI}} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

func claimList(m map[string]string) string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
