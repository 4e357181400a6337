package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// appPolicyShow prints an application's self-service policy (the stored
// one, defaults filled in).
func appPolicyShow(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app policy show", stderr)
	appID := fs.String("application", defaultApplicationID, "application id")
	asJSON := fs.Bool("json", false, "print JSON (lifetimes in seconds)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		app, store, err := loadPolicyTarget(ctx, s, *appID)
		if err != nil {
			return err
		}
		return printPolicy(stdout, app, store, *asJSON)
	})
}

// appPolicySet changes the named parts of an application's self-service
// policy and leaves the rest as it was.
func appPolicySet(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("app policy set", stderr)
	appID := fs.String("application", defaultApplicationID, "application id")
	asJSON := fs.Bool("json", false, "print the resulting policy as JSON")
	edits := policyFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(*edits) == 0 {
		fmt.Fprintln(stderr, `foyer app policy set: nothing to set (see "foyer app policy set -h")`)
		return errUsage
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		app, store, err := loadPolicyTarget(ctx, s, *appID)
		if err != nil {
			return err
		}
		p := app.SelfService.WithDefaults()
		for _, edit := range *edits {
			edit(&p)
		}
		// The service checks it against the application's own identity
		// store, so that activation cannot be switched on where it cannot
		// work.
		err = setOwnPolicy(ctx, s, stderr, "app policy set", app.ID, storage.Policy{Kind: storage.PolicySelfService, SelfService: p})
		if err != nil {
			return err
		}
		app.SelfService = p
		return printPolicy(stdout, app, store, *asJSON)
	})
}

// loadPolicyTarget reads the application and its identity store (nil when
// the store is gone: the policy is then shown without store checks).
func loadPolicyTarget(ctx context.Context, s *sqlstore.Store, appID string) (*storage.Application, *storage.IdentityStore, error) {
	app, err := s.GetApplication(ctx, appID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, fmt.Errorf("no application with id %q", appID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read application %q: %w", appID, err)
	}
	store, err := s.GetIdentityStore(ctx, app.StoreID)
	if errors.Is(err, storage.ErrNotFound) {
		return app, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read identity store %q: %w", app.StoreID, err)
	}
	return app, store, nil
}

type policyEdit func(*storage.SelfServicePolicy)

// policyFlags defines set's flags; each one given adds an edit, so flags
// left out leave their part of the stored policy alone. Malformed values
// fail flag parsing (exit 2).
func policyFlags(fs *flag.FlagSet) *[]policyEdit {
	var edits []policyEdit
	onOff := func(name, usage string, field func(*storage.SelfServicePolicy) *bool) {
		fs.Func(name, usage+": on or off", func(v string) error {
			var on bool
			switch v {
			case "on":
				on = true
			case "off":
			default:
				return fmt.Errorf("want on or off, not %q", v)
			}
			edits = append(edits, func(p *storage.SelfServicePolicy) { *field(p) = on })
			return nil
		})
	}
	duration := func(name, usage string, field func(*storage.SelfServicePolicy) *time.Duration) {
		fs.Func(name, usage+" (a duration such as 90s, 15m or 24h)", func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("want a duration such as 15m, not %q", v)
			}
			edits = append(edits, func(p *storage.SelfServicePolicy) { *field(p) = d })
			return nil
		})
	}
	number := func(name, usage string, field func(*storage.SelfServicePolicy) *int) {
		fs.Func(name, usage, func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("want a whole number, not %q", v)
			}
			edits = append(edits, func(p *storage.SelfServicePolicy) { *field(p) = n })
			return nil
		})
	}
	type P = storage.SelfServicePolicy
	onOff("registration", "self-service registration", func(p *P) *bool { return &p.RegistrationEnabled })
	onOff("activation", "activation of self-registered accounts by e-mail link", func(p *P) *bool { return &p.ActivationEnabled })
	onOff("reset-email", "password reset by e-mail link", func(p *P) *bool { return &p.RecoveryMethods.ResetByEmailLink })
	onOff("reset-phone", "password reset by phone code", func(p *P) *bool { return &p.RecoveryMethods.ResetByPhoneCode })
	onOff("username-reminder", "username reminder", func(p *P) *bool { return &p.RecoveryMethods.UsernameReminder })
	onOff("allow-unconfirmed-contacts", "recovery messages to non-confirmed contacts", func(p *P) *bool { return &p.AllowUnconfirmedContacts })
	onOff("reject-common-passwords", "refuse the most common passwords", func(p *P) *bool { return &p.PasswordPolicy.RejectCommonPasswords })
	duration("reset-link-lifetime", "lifetime of password-reset links", func(p *P) *time.Duration { return &p.ResetLinkLifetime })
	duration("activation-link-lifetime", "lifetime of activation links", func(p *P) *time.Duration { return &p.ActivationLinkLifetime })
	duration("code-lifetime", "lifetime of one-time codes", func(p *P) *time.Duration { return &p.OneTimeCodeLifetime })
	duration("re-request-interval", "least time between two links or codes per account and channel", func(p *P) *time.Duration { return &p.ReRequestInterval })
	number("password-min", "minimum password length", func(p *P) *int { return &p.PasswordPolicy.MinLength })
	number("password-max", "maximum password length in bytes", func(p *P) *int { return &p.PasswordPolicy.MaxLength })
	onboardingFlags(fs, &edits, onOff, duration)
	externalFlags(fs, &edits, onOff)
	return &edits
}

func printPolicy(w io.Writer, app *storage.Application, store *storage.IdentityStore, asJSON bool) error {
	p := app.SelfService.WithDefaults()
	if asJSON {
		return json.NewEncoder(w).Encode(p)
	}
	word := func(on bool) string {
		if on {
			return "on"
		}
		return "off"
	}
	activation := word(p.ActivationEnabled)
	if p.ActivationEnabled && !p.Effective(store).ActivationEnabled {
		activation += " (not offered: the identity store has no email identifier)"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	rows := [][2]string{
		{"application", app.ID},
		{"registration", word(p.RegistrationEnabled)},
		{"activation", activation},
		{"reset by e-mail link", word(p.RecoveryMethods.ResetByEmailLink)},
		{"reset by phone code", word(p.RecoveryMethods.ResetByPhoneCode)},
		{"username reminder", word(p.RecoveryMethods.UsernameReminder)},
		{"reset link lifetime", p.ResetLinkLifetime.String()},
		{"activation link lifetime", p.ActivationLinkLifetime.String()},
		{"one-time code lifetime", p.OneTimeCodeLifetime.String()},
		{"re-request interval", p.ReRequestInterval.String()},
		{"unconfirmed contacts", word(p.AllowUnconfirmedContacts)},
		{"password length", fmt.Sprintf("%d to %d", p.PasswordPolicy.MinLength, p.PasswordPolicy.MaxLength)},
		{"reject common passwords", word(p.PasswordPolicy.RejectCommonPasswords)},
		{"customer registration", withRole(word(p.Onboarding.CustomerRegistration), p.Onboarding.NewOrganizationRoleID)},
		{"partner registration", withRole(word(p.Onboarding.PartnerRegistration), p.Onboarding.PartnerRoleID)},
		{"invitation lifetime", p.Onboarding.InvitationLifetime.String()},
		{"invitee may change e-mail", word(p.Onboarding.InviteeMayChangeEmail)},
	}
	for _, row := range append(rows, externalRows(p.External, word)...) {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}
