package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// appConsentShow prints an application's consent policy.
func appConsentShow(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	return showApplication(ctx, cfg, "app consent show", args, stdout, stderr, func(w io.Writer, app *storage.Application, asJSON bool) error {
		return printConsents(w, storage.ConsentPolicyOf(app), asJSON)
	})
}

// appConsentSet replaces an application's consent policy with the
// documents named, or restores the default.
func appConsentSet(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app consent set", stderr)
	appID := fs.String("application", defaultApplicationID, "application id")
	asJSON := fs.Bool("json", false, "print the resulting policy as JSON")
	reset := fs.Bool("default", false, "restore the default policy (terms and privacy policy required, marketing opt-in, all version 1)")
	var docs []storage.ConsentDocument
	fs.Func("document", "NAME@VERSION, repeated: the policy's documents in order", func(v string) error {
		name, version, ok := strings.Cut(v, "@")
		if !ok {
			return fmt.Errorf("want NAME@VERSION, not %q", v)
		}
		docs = append(docs, storage.ConsentDocument{Name: name, Version: version})
		return nil
	})
	required := map[string]bool{}
	fs.Func("required", "NAME, repeated: documents accepted at registration", func(v string) error { required[v] = true; return nil })
	titles, urls := keyValues(fs, "title", "NAME=TITLE, repeated: what customers see (default: the theme's text)"),
		keyValues(fs, "url", "NAME=URL, repeated: where the document can be read")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *reset == (len(docs) > 0) {
		fmt.Fprintln(stderr, "foyer app consent set: give --document NAME@VERSION (repeated) or --default")
		return errUsage
	}
	for i := range docs {
		d := &docs[i]
		d.Required, d.Title, d.URL = required[d.Name], titles[d.Name], urls[d.Name]
		delete(required, d.Name)
		delete(titles, d.Name)
		delete(urls, d.Name)
	}
	for _, rest := range []map[string]string{titles, urls} {
		for name := range rest {
			fmt.Fprintf(stderr, "foyer app consent set: %q is not among the --document names\n", name)
			return errUsage
		}
	}
	for name := range required {
		fmt.Fprintf(stderr, "foyer app consent set: %q is not among the --document names\n", name)
		return errUsage
	}
	if err := storage.ValidateConsentPolicy(docs); err != nil {
		fmt.Fprintf(stderr, "foyer app consent set: %v\n", err)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		app, _, err := loadPolicyTarget(ctx, s, *appID)
		if err != nil {
			return err
		}
		if err := publishConsentPolicy(ctx, s, app, docs, time.Now().UTC()); err != nil {
			return serviceError(stderr, "app consent set", err)
		}
		app.Consents = docs
		return printConsents(stdout, storage.ConsentPolicyOf(app), *asJSON)
	})
}

// publishConsentPolicy replaces the application's consent policy at now
// through the service (copy on write, see setOwnPolicy), which in the same
// transaction ends the acceptances of every document version the policy
// replaced that no application of the store still uses: the consent log
// keeps "the time of opt-out for outdated consent versions" (seed 002).
// One statement per republished document, whatever the number of accounts.
func publishConsentPolicy(ctx context.Context, s storage.Store, app *storage.Application, docs []storage.ConsentDocument, now time.Time) error {
	core := manage.NewCore(s, func() time.Time { return now })
	_, err := manage.NewApplications(core, s).SetOwnPolicy(ctx, manage.System(), app.ID,
		storage.Policy{Kind: storage.PolicyConsent, Consents: docs})
	return err
}

// keyValues defines a repeated NAME=VALUE flag.
func keyValues(fs *flag.FlagSet, name, usage string) map[string]string {
	m := map[string]string{}
	fs.Func(name, usage, func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fmt.Errorf("want NAME=VALUE, not %q", v)
		}
		m[k] = val
		return nil
	})
	return m
}

func printConsents(w io.Writer, docs []storage.ConsentDocument, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(docs)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tREQUIRED\tTITLE\tURL")
	for _, d := range docs {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", d.Name, d.Version, d.Required, d.Title, d.URL)
	}
	return tw.Flush()
}
