package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// appMFAShow prints an application's MFA policy.
func appMFAShow(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	return showApplication(ctx, cfg, "app mfa show", args, stdout, stderr, printMFAPolicy)
}

// showApplication is the skeleton of the "show" commands of an
// application's policies: --application and --json, then print.
func showApplication(ctx context.Context, cfg Config, name string, args []string, stdout, stderr io.Writer,
	print func(io.Writer, *storage.Application, bool) error) error {
	fs := newFlags(name, stderr)
	appID := fs.String("application", defaultApplicationID, "application id")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		app, _, err := loadPolicyTarget(ctx, s, *appID)
		if err != nil {
			return err
		}
		return print(stdout, app, *asJSON)
	})
}

// appMFASet changes the named parts of an application's MFA policy.
func appMFASet(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app mfa set", stderr)
	appID := fs.String("application", defaultApplicationID, "application id")
	asJSON := fs.Bool("json", false, "print the resulting policy as JSON")
	mode := fs.String("mode", "", "off, optional (offer enrollment) or required (enroll at the next sign-in)")
	methods := fs.String("methods", "", "comma-separated allowed methods: "+strings.Join(storage.AllMFAMethods, ","))
	passwordless := fs.String("passwordless", "", "on or off: the first factor is a passkey, a code or a magic link")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *mode == "" && *methods == "" && *passwordless == "" {
		fmt.Fprintln(stderr, `foyer app mfa set: nothing to set (see "foyer app mfa set -h")`)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		app, _, err := loadPolicyTarget(ctx, s, *appID)
		if err != nil {
			return err
		}
		p := app.MFA.WithDefaults()
		if *mode != "" {
			p.Mode = *mode
		}
		if *methods != "" {
			p.Methods = nil
			for _, m := range strings.Split(*methods, ",") {
				if m = strings.TrimSpace(m); m != "" {
					p.Methods = append(p.Methods, m)
				}
			}
		}
		switch *passwordless {
		case "":
		case "on", "off":
			p.Passwordless = *passwordless == "on"
		default:
			fmt.Fprintf(stderr, "foyer app mfa set: --passwordless wants on or off, not %q\n", *passwordless)
			return errUsage
		}
		if err := setOwnPolicy(ctx, s, stderr, "app mfa set", app.ID, storage.Policy{Kind: storage.PolicyMFA, MFA: p}); err != nil {
			return err
		}
		app.MFA = p
		return printMFAPolicy(stdout, app, *asJSON)
	})
}

func printMFAPolicy(w io.Writer, app *storage.Application, asJSON bool) error {
	p := app.MFA.WithDefaults()
	if asJSON {
		return json.NewEncoder(w).Encode(p)
	}
	pl := "off"
	if p.Passwordless {
		pl = "on"
	}
	_, err := fmt.Fprintf(w, "application:   %s\nmode:          %s\nmethods:       %s\npasswordless:  %s\n",
		app.ID, p.Mode, strings.Join(p.Methods, ", "), pl)
	return err
}
