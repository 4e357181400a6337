package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"foyer/admin/manage"
	"foyer/selfservice/portal"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// slugPattern keeps friendly URLs short and easy to read out on the phone.
var slugPattern = storage.SlugPattern

// splitPositional takes the leading positional arguments (the Go flag
// package stops at the first one), so "set APP --flag" and "set --flag APP"
// both work.
func splitPositional(args []string, n int) (pos, rest []string) {
	for len(args) > 0 && len(pos) < n && !strings.HasPrefix(args[0], "-") {
		pos, args = append(pos, args[0]), args[1:]
	}
	return pos, args
}

// appPortalShow prints how an application appears in the account portal.
func appPortalShow(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("app portal show", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: foyer app portal show APP [--json]")
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		p, err := loadPortalSettings(ctx, s, pos[0])
		if err != nil {
			return err
		}
		return printPortalSettings(stdout, p, *asJSON)
	})
}

// appPortalSet changes the named parts: launcher tile, friendly-URL slug,
// group restriction.
func appPortalSet(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("app portal set", stderr)
	launcher := fs.String("launcher", "", "true or false: show the application as a tile in \"Your applications\"")
	slug := fs.String("slug", "", "friendly URL /a/SLUG (lower-case letters, digits, '-'); \"none\" removes it")
	groups := fs.String("groups", "", "comma-separated groups whose members may see the application; \"none\" lifts the restriction")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, rest); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if len(pos) != 1 || !(set["launcher"] || set["slug"] || set["groups"]) {
		fmt.Fprintln(stderr, "usage: foyer app portal set APP [--launcher=true|false] [--slug SLUG] [--groups g1,g2] [--json]")
		return errUsage
	}
	// Bad values are told before anything is opened, and exit 2 like the
	// other set commands.
	if err := applyPortalFlags(&storage.PortalSettings{}, set, *launcher, *slug, *groups); err != nil {
		fmt.Fprintf(stderr, "foyer app portal set: %v\n", err)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		p, err := loadPortalSettings(ctx, s, pos[0])
		if err != nil {
			return err
		}
		if err := applyPortalFlags(p, set, *launcher, *slug, *groups); err != nil {
			return err
		}
		if set["groups"] {
			if err := portalGroupsExist(ctx, s, p); err != nil {
				return err
			}
		}
		if err := storePortalSettings(ctx, newServices(s), p, set); err != nil {
			return err
		}
		return printPortalSettings(stdout, p, *asJSON)
	})
}

func applyPortalFlags(p *storage.PortalSettings, set map[string]bool, launcher, slug, groups string) error {
	if set["launcher"] {
		on, err := strconv.ParseBool(launcher)
		if err != nil {
			return fmt.Errorf("--launcher must be true or false, not %q", launcher)
		}
		p.LauncherEnabled = on
	}
	if set["slug"] {
		slug = strings.ToLower(strings.TrimSpace(slug))
		if slug == "none" {
			slug = ""
		} else if !slugPattern.MatchString(slug) {
			return fmt.Errorf("--slug %q: use 1 to 40 lower-case letters, digits and inner '-'", slug)
		}
		p.Slug = slug
	}
	if set["groups"] {
		p.Groups = nil
		if strings.TrimSpace(groups) != "none" {
			p.Groups = splitList(groups, ",")
			// An empty list (an unset shell variable) must not lift the
			// restriction: that takes "none".
			if len(p.Groups) == 0 {
				return errors.New(`--groups needs group names, or "none" to lift the restriction`)
			}
		}
	}
	return nil
}

// storePortalSettings writes what the flags changed through the service:
// the slug is the application's own, launcher and groups go to its portal
// policy copy on write (see setOwnPolicy). Refusals exit 1, as they did
// before the service: a group the application's store lacks (a typo
// would hide the tile from everybody), a slug another application holds.
func storePortalSettings(ctx context.Context, svc services, p *storage.PortalSettings, set map[string]bool) error {
	if set["slug"] {
		err := svc.apps.SetSlug(ctx, manage.System(), p.ApplicationID, p.Slug)
		if errors.Is(err, manage.ErrConflict) {
			return fmt.Errorf("the slug %q is taken by another application", p.Slug)
		} else if err != nil {
			return err
		}
	}
	if !set["launcher"] && !set["groups"] {
		return nil
	}
	_, err := svc.apps.SetOwnPolicy(ctx, manage.System(), p.ApplicationID, storage.Policy{Kind: storage.PolicyPortal,
		Portal: storage.PortalPolicy{LauncherEnabled: p.LauncherEnabled, Groups: p.Groups}})
	var ve *manage.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("%s (foyer group create NAME --store STORE)", ve.Fields[string(storage.PolicyPortal)])
	}
	return err
}

// portalGroupsExist refuses a group the application's store lacks before
// anything is written: the slug is stored apart from the portal policy,
// and a refused group must not leave it changed.
func portalGroupsExist(ctx context.Context, s *sqlstore.Store, p *storage.PortalSettings) error {
	if len(p.Groups) == 0 {
		return nil
	}
	app, err := s.GetApplication(ctx, p.ApplicationID)
	if err != nil {
		return err
	}
	for _, g := range p.Groups {
		if _, err := s.GetGroupByName(ctx, app.StoreID, g); errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no group %q in identity store %q (foyer group create NAME --store STORE)", g, app.StoreID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

func loadPortalSettings(ctx context.Context, s *sqlstore.Store, appID string) (*storage.PortalSettings, error) {
	if _, err := s.GetApplication(ctx, appID); errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("no application with id %q", appID)
	} else if err != nil {
		return nil, err
	}
	p, err := s.GetPortalSettings(ctx, appID)
	if errors.Is(err, storage.ErrNotFound) {
		return &storage.PortalSettings{ApplicationID: appID}, nil
	}
	return p, err
}

func printPortalSettings(w io.Writer, p *storage.PortalSettings, asJSON bool) error {
	groups := p.Groups
	if groups == nil {
		groups = []string{}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"application": p.ApplicationID, "launcher": p.LauncherEnabled,
			"slug": p.Slug, "groups": groups})
	}
	url := "none"
	if p.Slug != "" {
		url = portal.SlugPrefix + p.Slug
	}
	restriction := "everyone"
	if len(groups) > 0 {
		restriction = strings.Join(groups, ", ")
	}
	_, err := fmt.Fprintf(w, "application:  %s\nlauncher:     %v\nfriendly URL: %s\ngroups:       %s\n",
		p.ApplicationID, p.LauncherEnabled, url, restriction)
	return err
}

// findAccount looks an account up by id, e-mail or username. Whatever has
// the form of an id is only ever an id: an account whose username reads
// like another account's id (allowed before such usernames were refused)
// must not capture a command meant for that other account.
func findAccount(ctx context.Context, s *sqlstore.Store, storeID, who string) (*storage.Account, error) {
	if storage.IsAccountIDForm(who) {
		a, err := s.GetAccount(ctx, strings.ToLower(who))
		if errors.Is(err, storage.ErrNotFound) || (err == nil && a.StoreID != storeID) {
			return nil, fmt.Errorf("no account with id %q in store %q", who, storeID)
		}
		return a, err
	}
	for _, kind := range []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername} {
		a, err := s.FindAccountByIdentifier(ctx, storeID, kind, who)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no account %q in store %q", who, storeID)
}

// accountLink links an external identity (a provider and its subject) to
// an account: for migrating accounts that signed in with another provider.
// Customers see and unlink it on the portal's account settings page.
func accountLink(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	pos, rest := splitPositional(args, 1)
	fs := newFlags("account link", stderr)
	storeID := fs.String("store", defaultStoreID, "identity store")
	provider := fs.String("provider", "", "the provider's name, e.g. google (required)")
	subject := fs.String("subject", "", "the account's id at the provider (required)")
	email := fs.String("email", "", "the address the provider gave (informational)")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if len(pos) != 1 || *provider == "" || *subject == "" || len(*provider) > 64 || len(*subject) > 255 {
		fmt.Fprintln(stderr, "usage: foyer account link ACCOUNT --provider P --subject S [--email E] [--store ID]")
		return errUsage
	}
	if *storeID == storage.AdministratorsStoreID {
		// An upstream identity would be a way into the console that the
		// administrators service neither grants nor audits.
		fmt.Fprintln(stderr, "foyer account link: --store must be a customer identity store, not administrators")
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		acct, err := findAccount(ctx, s, *storeID, pos[0])
		if err != nil {
			return err
		}
		// The link and its audit entry commit together.
		err = newAdminCore(s, nil).Apply(ctx, manage.System(), manage.WriteAccounts, acct.StoreID, func(ctx context.Context) (manage.Change, error) {
			if err := s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: *provider, Subject: *subject, Email: *email}); err != nil {
				return manage.Change{}, err
			}
			return manage.Change{Action: "account.identity_linked", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
				After: map[string]any{"provider": *provider, "subject": *subject}}, nil
		})
		if errors.Is(err, storage.ErrConflict) {
			return fmt.Errorf("%s %q is linked already", *provider, *subject)
		}
		if err == nil {
			fmt.Fprintf(stdout, "linked %s %s to %s\n", *provider, *subject, pos[0])
		}
		return err
	})
}
