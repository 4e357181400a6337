package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/authz"
	"foyer/authz/keys"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses flags; flag errors are usage errors (exit 2).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "foyer %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

// withStore readies the database for a CLI command, quietly.
func withStore(ctx context.Context, cfg Config, stderr io.Writer, fn func(*sqlstore.Store, []byte) error) error {
	store, secret, err := openReady(ctx, cfg, stderr, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	return fn(store, secret)
}

func migrate(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	store, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	applied, err := store.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	}
	fmt.Fprintf(stdout, "applied migrations %v\n", applied)
	return nil
}

func clientCreate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("client create", stderr)
	var spec authz.ClientSpec
	var redirects, postLogout listFlag
	fs.StringVar(&spec.Name, "name", "", "display name (required)")
	fs.Var(&redirects, "redirect-uri", "redirect URI (repeatable)")
	fs.Var(&postLogout, "post-logout-redirect-uri", "post-logout redirect URI (repeatable)")
	fs.StringVar(&spec.InitiateLoginURI, "initiate-login-uri", "", "the client's brand portal login URI")
	fs.StringVar(&spec.BackchannelLogoutURI, "backchannel-logout-uri", "", "where logout tokens are POSTed when a session ends")
	fs.BoolVar(&spec.BackchannelLogoutSessionRequired, "backchannel-logout-session-required", false,
		"the client requires sid in logout tokens (always sent)")
	grants := fs.String("grant", "authorization_code,refresh_token", "grant types, comma-separated")
	scope := fs.String("scope", strings.Join(authz.DefaultScopes, " "), "allowed scopes, space-separated")
	fs.BoolVar(&spec.Public, "public", false, "public client (no secret; PKCE required)")
	fs.BoolVar(&spec.FirstParty, "first-party", false, "first-party client (no consent screen)")
	fs.BoolVar(&spec.ResourceServer, "resource-server", false, "may introspect tokens issued to other clients of its identity store")
	fs.StringVar(&spec.ApplicationID, "application", defaultApplicationID, "application id")
	finish := clientMetadataFlags(fs, &spec)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := finish(); err != nil {
		fmt.Fprintf(stderr, "foyer client create: %v\n", err)
		return errUsage
	}
	spec.RedirectURIs, spec.PostLogoutRedirectURIs = redirects, postLogout
	spec.GrantTypes = splitList(*grants, ",")
	spec.Scopes = splitList(*scope, " ")
	// Bad input is a usage error, reported before the database is opened.
	if _, _, err := authz.NewClient(spec); err != nil {
		fmt.Fprintf(stderr, "foyer client create: %v\n", err)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		// The same service as the admin API's create, as the system.
		in := clientInputOf(spec)
		in.Base = spec
		client, err := cliClients(s).Create(ctx, manage.System(), in)
		if err != nil {
			return cliServiceError(err)
		}
		secret := client.ClientSecret
		if *asJSON {
			out := map[string]string{"client_id": client.ClientID}
			if secret != "" {
				out["client_secret"] = secret
			}
			return json.NewEncoder(stdout).Encode(out)
		}
		fmt.Fprintf(stdout, "client_id:     %s\n", client.ClientID)
		if secret != "" {
			fmt.Fprintf(stdout, "client_secret: %s\n(the secret is shown once; only its digest is stored)\n", secret)
		}
		return nil
	})
}

func clientList(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("client list", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		clients, err := allClients(ctx, cliClients(s))
		if err != nil {
			return err
		}
		if *asJSON {
			type row struct {
				ClientID     string   `json:"client_id"`
				Name         string   `json:"name"`
				Public       bool     `json:"public"`
				FirstParty   bool     `json:"first_party"`
				Resource     bool     `json:"resource_server"`
				GrantTypes   []string `json:"grant_types"`
				RedirectURIs []string `json:"redirect_uris"`
			}
			rows := []row{}
			for _, c := range clients {
				rows = append(rows, row{c.ClientID, c.ClientName, c.Public, c.FirstParty, c.ResourceServer, c.GrantTypes, c.RedirectURIs})
			}
			return json.NewEncoder(stdout).Encode(rows)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CLIENT ID\tNAME\tTYPE\tGRANTS\tREDIRECT URIS")
		for _, c := range clients {
			kind := "confidential"
			if c.Public {
				kind = "public"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ClientID, c.ClientName, kind, strings.Join(c.GrantTypes, ","), strings.Join(c.RedirectURIs, " "))
		}
		return tw.Flush()
	})
}

func clientDelete(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: foyer client delete CLIENT_ID")
		return errUsage
	}
	id := args[0]
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		err := cliClients(s).Delete(ctx, manage.System(), id, 0)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no client with id %q", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted client %s\n", id)
		return nil
	})
}

func accountCreate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("account create", stderr)
	var spec accountSpec
	fs.StringVar(&spec.Email, "email", "", "e-mail address (required)")
	fs.StringVar(&spec.Password, "password", "", "password (required)")
	fs.StringVar(&spec.Username, "username", "", "username (optional)")
	fs.BoolVar(&spec.Verified, "verified", false, "mark the e-mail address as confirmed")
	fs.StringVar(&spec.StoreID, "store", defaultStoreID, "identity store id")
	if err := parse(fs, args); err != nil {
		return err
	}
	var problems []string
	// The rules of the registration page and the portal, so the CLI makes
	// no account they would refuse to save.
	if !storage.ValidEmail(spec.Email) {
		problems = append(problems, fmt.Sprintf("--email must be an e-mail address like name@example.com, at most %d characters", storage.MaxEmailLength))
	}
	if spec.Username != "" && !storage.ValidUsername(spec.Username) {
		problems = append(problems, fmt.Sprintf(`--username must be at most %d characters, without spaces, "@" or "+"`, storage.MaxUsernameLength))
	}
	if len(spec.Password) < minPasswordLength {
		problems = append(problems, fmt.Sprintf("--password must be at least %d characters", minPasswordLength))
	}
	if storage.IsAccountIDForm(spec.Username) {
		problems = append(problems, "--username must not look like an account id (32 hex digits)")
	}
	if spec.StoreID == storage.AdministratorsStoreID {
		// Administrators are made through the administrators service,
		// with a role and an audit entry: "foyer admin create".
		problems = append(problems, `--store must be a customer identity store; administrators are made with "foyer admin create"`)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "foyer account create: %s\n", strings.Join(problems, "; "))
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		if _, err := s.GetIdentityStore(ctx, spec.StoreID); errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("identity store %q does not exist", spec.StoreID)
		}
		// The account and its audit entry (never the password or the
		// identifiers themselves, only whether each is set) commit together.
		var a *storage.Account
		err := newAdminCore(s, nil).Apply(ctx, manage.System(), manage.WriteAccounts, spec.StoreID, func(ctx context.Context) (manage.Change, error) {
			var err error
			if a, err = createAccount(ctx, s, spec); err != nil {
				return manage.Change{}, err
			}
			return manage.Change{Action: "account.created", TargetType: "account", TargetID: a.ID, StoreID: a.StoreID,
				After: map[string]any{"id": a.ID, "store": a.StoreID, "email": a.Email != "", "username": a.Username != "",
					"phone": a.Phone != "", "verified": a.EmailConfirmed}}, nil
		})
		if errors.Is(err, storage.ErrConflict) {
			return fmt.Errorf("an account with this e-mail or username already exists in store %q", spec.StoreID)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created account %s (%s)\n", a.ID, a.Email)
		return nil
	})
}

func keysRotate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlags("keys rotate", stderr), args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, secret []byte) error {
		m := keys.NewManager(s, secret)
		if err := m.EnsureKeys(ctx); err != nil {
			return err
		}
		// The rotation and its audit entry (the new keys' ids and
		// algorithms, never key material) commit together.
		var created []storage.SigningKey
		err := newAdminCore(s, nil).Apply(ctx, manage.System(), manage.WriteConfig, "", func(ctx context.Context) (manage.Change, error) {
			var err error
			if created, err = m.Rotate(ctx); err != nil {
				return manage.Change{}, err
			}
			// "kid", not "key...": the audit log redacts fields named like a key.
			added := make([]map[string]string, 0, len(created))
			for _, k := range created {
				added = append(added, map[string]string{"kid": k.ID, "algorithm": k.Algorithm})
			}
			return manage.Change{Action: "keys.rotated", TargetType: "keys", After: map[string]any{"active": added}}, nil
		})
		if err != nil {
			return err
		}
		for _, k := range created {
			fmt.Fprintf(stdout, "new active %s key %s\n", k.Algorithm, k.ID)
		}
		fmt.Fprintln(stdout, "The new keys are published in JWKS now and start signing within 30 seconds;")
		fmt.Fprintln(stdout, "the previous keys stay published for 24 hours.")
		return nil
	})
}

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
