package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// services are the operator side's services over the CLI's store, acting
// as the system (whoever runs the CLI holds the database).
type services struct {
	apps     *manage.Applications
	policies *manage.Policies
}

func newServices(s *sqlstore.Store) services {
	core := manage.NewCore(s, nil)
	return services{apps: manage.NewApplications(core, s), policies: manage.NewPolicies(core, s)}
}

// serviceError turns what a service refused into the CLI's answer: bad
// input is told field by field and exits 2; a missing resource, a
// conflict or a stale version exit 1 with a sentence.
func serviceError(stderr io.Writer, command string, err error) error {
	var ve *manage.ValidationError
	switch {
	case errors.As(err, &ve):
		fmt.Fprintf(stderr, "foyer %s: %v\n", command, ve)
		return errUsage
	case errors.Is(err, manage.ErrNotFound):
		return errors.New("no such application or policy")
	case errors.Is(err, manage.ErrConflict):
		return fmt.Errorf("refused: %w", err)
	case errors.Is(err, manage.ErrStale):
		return errors.New("it changed meanwhile; run the command again")
	}
	return err
}

// appCommand runs "app create|list|delete".
func appCommand(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	switch verb {
	case "create":
		return appCreate(ctx, cfg, args, stdout, stderr)
	case "list":
		return appList(ctx, cfg, args, stdout, stderr)
	}
	return appDelete(ctx, cfg, args, stdout, stderr)
}

func appCreate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app create", stderr)
	var in manage.ApplicationInput
	fs.StringVar(&in.ID, "id", "", "application id (default: generated)")
	fs.StringVar(&in.Name, "name", "", "display name shown on pages")
	fs.StringVar(&in.StoreID, "store", defaultStoreID, "identity store its users live in")
	fs.StringVar(&in.LogoURL, "logo-url", "", "logo shown on its pages")
	fs.StringVar(&in.PrimaryColor, "color", "", "primary colour, #rrggbb")
	fs.BoolVar(&in.Organizational, "organizational", false, "its customers belong to organizations")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		v, err := newServices(s).apps.Create(ctx, manage.System(), in)
		if err != nil {
			return serviceError(stderr, "app create", err)
		}
		return printApplications(stdout, []manage.ApplicationView{v}, *asJSON)
	})
}

func appList(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app list", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		apps, err := newServices(s).apps.List(ctx, manage.System(), "", 0)
		if err != nil {
			return err
		}
		return printApplications(stdout, apps, *asJSON)
	})
}

func appDelete(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("app delete", stderr)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: foyer app delete APP")
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		svc := newServices(s)
		app, err := svc.apps.Get(ctx, manage.System(), pos[0])
		if err != nil {
			return serviceError(stderr, "app delete", err)
		}
		if err := svc.apps.Delete(ctx, manage.System(), app.ID, app.Version); err != nil {
			return serviceError(stderr, "app delete", err)
		}
		_, err = fmt.Fprintf(stdout, "deleted application %s\n", app.ID)
		return err
	})
}

func printApplications(w io.Writer, apps []manage.ApplicationView, asJSON bool) error {
	if asJSON {
		if len(apps) == 1 {
			return json.NewEncoder(w).Encode(apps[0])
		}
		return json.NewEncoder(w).Encode(apps)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTORE\tSELF-SERVICE\tMFA\tCONSENT\tPORTAL")
	for _, a := range apps {
		p := a.Policies
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.StoreID,
			p[string(storage.PolicySelfService)], p[string(storage.PolicyMFA)], p[string(storage.PolicyConsent)], p[string(storage.PolicyPortal)])
	}
	return tw.Flush()
}

// setOwnPolicy is what every "app ... set" command ends in: the policy of
// the application changes copy on write (manage.Applications.SetOwnPolicy:
// in place when only this application uses it and it is no Default, else
// the application gets a policy of its own named after it).
func setOwnPolicy(ctx context.Context, s *sqlstore.Store, stderr io.Writer, command, appID string, p storage.Policy) error {
	_, err := newServices(s).apps.SetOwnPolicy(ctx, manage.System(), appID, p)
	if err != nil {
		return serviceError(stderr, command, err)
	}
	return nil
}

// parseKind reads a policy kind (self-service or self_service).
func parseKind(v string) (storage.PolicyKind, error) {
	k := storage.PolicyKind(strings.ReplaceAll(strings.TrimSpace(v), "-", "_"))
	if !k.Valid() {
		return "", fmt.Errorf("want self_service, mfa, consent or portal, not %q", v)
	}
	return k, nil
}
