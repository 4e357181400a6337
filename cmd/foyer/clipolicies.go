package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// policyCommand runs "policy list|show|create|set|assign|default|delete".
func policyCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	cmds := map[string]func(context.Context, services, []string, io.Writer, io.Writer) error{
		"list": policyList, "show": policyShow, "create": policyCreate, "set": policySet,
		"assign": policyAssign, "default": policyDefault, "delete": policyDelete,
	}
	fn, ok := cmds[verb]
	if !ok {
		return usageError(stderr, fmt.Sprintf("unknown command \"policy %s\"", verb))
	}
	// Usage mistakes are told before the database is opened.
	if err := fn(ctx, services{}, args, stdout, stderr); !errors.Is(err, errDryRun) {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		return fn(ctx, newServices(s), args, stdout, stderr)
	})
}

// errDryRun is what a policy command answers when its arguments are fine
// but it was given no services yet (the first, parsing pass).
var errDryRun = errors.New("dry run")

func policyList(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policy list", stderr)
	kind := fs.String("kind", "", "only this kind: self_service, mfa, consent or portal")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var k storage.PolicyKind
	if *kind != "" {
		var err error
		if k, err = parseKind(*kind); err != nil {
			fmt.Fprintf(stderr, "foyer policy list: --kind: %v\n", err)
			return errUsage
		}
	}
	if svc.policies == nil {
		return errDryRun
	}
	ps, err := svc.policies.List(ctx, manage.System(), k, "", 0)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(ps)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME\tDEFAULT\tAPPLICATIONS")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", p.ID, p.Kind, p.Name, p.IsDefault, strings.Join(p.Applications, ","))
	}
	return tw.Flush()
}

// onePolicy parses "policy VERB ID [flags]".
func onePolicy(verb string, args []string, stderr io.Writer, define func(*flag.FlagSet)) (string, error) {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("policy "+verb, stderr)
	if define != nil {
		define(fs)
	}
	if err := parse(fs, rest); err != nil {
		return "", err
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "usage: foyer policy %s POLICY_ID (see \"foyer policy %s -h\")\n", verb, verb)
		return "", errUsage
	}
	return pos[0], nil
}

func policyShow(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	id, err := onePolicy("show", args, stderr, nil)
	if err != nil || svc.policies == nil {
		return orDryRun(err)
	}
	p, err := svc.policies.Get(ctx, manage.System(), id)
	if err != nil {
		return serviceError(stderr, "policy show", err)
	}
	return printPolicyView(stdout, p)
}

func printPolicyView(w io.Writer, p manage.PolicyView) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// bodyFlags are --body JSON and --body-file FILE: the kind's settings as
// the admin API's field of that kind spells them.
func bodyFlags(fs *flag.FlagSet) (body, file *string) {
	return fs.String("body", "", "the settings as JSON (as the admin API's field of the policy's kind)"),
		fs.String("body-file", "", "read the settings' JSON from this file")
}

// readBody puts the JSON body into the input's field of its kind.
func readBody(in *manage.PolicyInput, body, file string) error {
	if body != "" && file != "" {
		return errors.New("give the settings with --body or --body-file, not both")
	}
	if file != "" {
		b, err := os.ReadFile(file) // #nosec G304 -- the operator names the file
		if err != nil {
			return err
		}
		body = string(b)
	}
	if body == "" {
		return nil
	}
	var target any
	switch in.Kind {
	case storage.PolicySelfService:
		in.SelfService = &storage.SelfServicePolicy{}
		target = in.SelfService
	case storage.PolicyMFA:
		in.MFA = &storage.MFAPolicy{}
		target = in.MFA
	case storage.PolicyConsent:
		in.Consent = &[]storage.ConsentDocument{}
		target = in.Consent
	case storage.PolicyPortal:
		in.Portal = &storage.PortalPolicy{}
		target = in.Portal
	}
	if err := json.Unmarshal([]byte(body), target); err != nil {
		return fmt.Errorf("the body is not a %s policy's JSON: %w", in.Kind, err)
	}
	return nil
}

func policyCreate(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policy create", stderr)
	kind := fs.String("kind", "", "self_service, mfa, consent or portal")
	name := fs.String("name", "", "a name unique among the kind's policies")
	body, file := bodyFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	k, err := parseKind(*kind)
	if err != nil {
		fmt.Fprintf(stderr, "foyer policy create: --kind: %v\n", err)
		return errUsage
	}
	in := manage.PolicyInput{Kind: k, Name: *name}
	if err := readBody(&in, *body, *file); err != nil {
		fmt.Fprintf(stderr, "foyer policy create: %v\n", err)
		return errUsage
	}
	if svc.policies == nil {
		return errDryRun
	}
	p, err := svc.policies.Create(ctx, manage.System(), in)
	if err != nil {
		return serviceError(stderr, "policy create", err)
	}
	return printPolicyView(stdout, p)
}

// policySet renames the policy and/or replaces its settings; every
// application using it follows at once.
func policySet(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	var name, body, file *string
	id, err := onePolicy("set", args, stderr, func(fs *flag.FlagSet) {
		name = fs.String("name", "", "new name")
		body, file = bodyFlags(fs)
	})
	if err != nil || svc.policies == nil {
		return orDryRun(err)
	}
	cur, err := svc.policies.Get(ctx, manage.System(), id)
	if err != nil {
		return serviceError(stderr, "policy set", err)
	}
	in := manage.PolicyInput{Kind: cur.Kind, Name: cur.Name}
	if *name != "" {
		in.Name = *name
	}
	if err := readBody(&in, *body, *file); err != nil {
		fmt.Fprintf(stderr, "foyer policy set: %v\n", err)
		return errUsage
	}
	p, err := svc.policies.Update(ctx, manage.System(), id, cur.Version, in)
	if err != nil {
		return serviceError(stderr, "policy set", err)
	}
	return printPolicyView(stdout, p)
}

func policyAssign(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	var appID *string
	id, err := onePolicy("assign", args, stderr, func(fs *flag.FlagSet) {
		appID = fs.String("application", defaultApplicationID, "application id")
	})
	if err != nil || svc.policies == nil {
		return orDryRun(err)
	}
	p, err := svc.policies.Get(ctx, manage.System(), id)
	if err != nil {
		return serviceError(stderr, "policy assign", err)
	}
	if _, err := svc.apps.AssignPolicy(ctx, manage.System(), *appID, p.Kind, p.ID); err != nil {
		return serviceError(stderr, "policy assign", err)
	}
	_, err = fmt.Fprintf(stdout, "application %s: %s policy %s (%s)\n", *appID, p.Kind, p.ID, p.Name)
	return err
}

func policyDefault(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	id, err := onePolicy("default", args, stderr, nil)
	if err != nil || svc.policies == nil {
		return orDryRun(err)
	}
	p, err := svc.policies.SetDefault(ctx, manage.System(), id)
	if err != nil {
		return serviceError(stderr, "policy default", err)
	}
	_, err = fmt.Fprintf(stdout, "%s policy %s (%s) is the Default for new applications\n", p.Kind, p.ID, p.Name)
	return err
}

func policyDelete(ctx context.Context, svc services, args []string, stdout, stderr io.Writer) error {
	id, err := onePolicy("delete", args, stderr, nil)
	if err != nil || svc.policies == nil {
		return orDryRun(err)
	}
	p, err := svc.policies.Get(ctx, manage.System(), id)
	if err != nil {
		return serviceError(stderr, "policy delete", err)
	}
	if err := svc.policies.Delete(ctx, manage.System(), id, p.Version); err != nil {
		return serviceError(stderr, "policy delete", err)
	}
	_, err = fmt.Fprintf(stdout, "deleted %s policy %s (%s)\n", p.Kind, p.ID, p.Name)
	return err
}

// orDryRun is err, or errDryRun when parsing went well.
func orDryRun(err error) error {
	if err != nil {
		return err
	}
	return errDryRun
}
