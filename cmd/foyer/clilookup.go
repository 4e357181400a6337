package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"foyer/admin/manage"
	"foyer/storage/sqlstore"
)

const lookupUsage = `usage: foyer app partner-lookup set APP --url URL [--timeout 5s] [--rotate-secret] [--json]
       foyer app partner-lookup show APP [--json]
       foyer app partner-lookup delete APP`

// appPartnerLookup runs "app partner-lookup set|show|delete APP" through
// manage.PartnerLookups, as the system: the same checks and audit entries
// as the console and the API; a secret made by set is printed once.
func appPartnerLookup(ctx context.Context, cfg Config, verb string, args []string, stdout, stderr io.Writer) error {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("app partner-lookup "+verb, stderr)
	url := fs.String("url", "", "the webhook's https URL (set)")
	timeout := fs.Duration("timeout", manage.DefaultPartnerLookupTimeout, "how long registration waits for it, 1s to 10s (set)")
	rotate := fs.Bool("rotate-secret", false, "make a new signing secret (set; a new webhook always gets one)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != 1 || (verb != "set" && verb != "show" && verb != "delete") {
		fmt.Fprintln(stderr, lookupUsage)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, secret []byte) error {
		lookups, err := newPartnerLookups(manage.NewCore(s, nil), s, secret)
		if err != nil {
			return err
		}
		appID := pos[0]
		switch verb {
		case "set":
			in := manage.PartnerLookupInput{URL: *url, TimeoutSeconds: int(*timeout / time.Second), RotateSecret: *rotate}
			set, err := lookups.Set(ctx, manage.System(), appID, in)
			if err != nil {
				return lookupError(stderr, verb, appID, err)
			}
			return printLookup(stdout, set, *asJSON)
		case "show":
			l, err := lookups.Get(ctx, manage.System(), appID)
			if err != nil {
				return lookupError(stderr, verb, appID, err)
			}
			return printLookup(stdout, &manage.PartnerLookupSet{PartnerLookup: *l}, *asJSON)
		default:
			if err := lookups.Delete(ctx, manage.System(), appID); err != nil {
				return lookupError(stderr, verb, appID, err)
			}
			fmt.Fprintf(stdout, "deleted the partner lookup webhook of %s\n", appID)
			return nil
		}
	})
}

func lookupError(stderr io.Writer, verb, appID string, err error) error {
	if errors.Is(err, manage.ErrNotFound) {
		return fmt.Errorf("no application %q, or it has no partner lookup webhook", appID)
	}
	return cliInputError(stderr, "app partner-lookup "+verb, err)
}

func printLookup(stdout io.Writer, l *manage.PartnerLookupSet, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(l) //nolint:gosec // G117: showing the new secret once is what set is for
	}
	fmt.Fprintf(stdout, "application: %s\nurl:         %s\ntimeout:     %ds\n", l.ApplicationID, l.URL, l.TimeoutSeconds)
	if l.Secret != "" {
		fmt.Fprintf(stdout, "secret:      %s\n(the secret is shown once; it is stored encrypted)\n", l.Secret)
	}
	return nil
}
