package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestExtSignInJustInTimeAndReturning: the sign-in page shows the
// upstream's button; a first sign-in with a verified address creates the
// account (address confirmed, identity linked, amr "ext") and the next
// one finds it by (provider, subject) alone.
func TestExtSignInJustInTimeAndReturning(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		fx := newExtFixture(t, newStore(t), newStore(t), nil)
		carol := fx.upAccount(t, "carol@example.com", true)

		f := fx.start(t, fx.browser(t), "state-jit")
		if !strings.Contains(f.page.body, "Continue with "+upstreamName) ||
			!strings.Contains(f.page.body, `aria-label="Continue with `+upstreamName+`"`) {
			t.Fatalf("no provider button on the sign-in page:\n%s", f.page.body)
		}
		p := f.upstreamSignIn(t, fx.provider.ID, "carol@example.com")
		// The application's documents are to accept: the page asks for
		// them, the address read-only, no password.
		if !strings.Contains(p.body, `value="carol@example.com" required readonly`) || strings.Contains(p.body, `name="password"`) {
			t.Fatalf("expected the external registration page:\n%s", p.body)
		}
		f.page = f.b.submit(p, map[string]string{"accept_terms": "on"})
		sub, acr, amr := fx.idClaims(t, f)
		acct, err := fx.down.store.GetAccount(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if acct.Email != "carol@example.com" || !acct.EmailConfirmed || acct.EmailUnproven || acct.Status != storage.AccountEnabled {
			t.Fatalf("just-in-time account: %+v", acct)
		}
		// The session's "ext" is no RFC 8176 value: the token has no amr.
		if fx.linked(t, carol) != acct.ID || acr != "1" || len(amr) != 0 {
			t.Fatalf("linked to %q, acr %q amr %v", fx.linked(t, carol), acr, amr)
		}
		if ev := fx.events(t, acct.ID); !strings.Contains(ev, `external.registered{"provider":"`+fx.provider.ID+`","provider_name":"`+upstreamName+`"`) {
			t.Fatalf("events:\n%s", ev)
		}

		// Returning, in a new browser (signed in anew at the upstream too).
		again := fx.start(t, fx.browser(t), "state-again")
		again.upstreamSignIn(t, fx.provider.ID, "carol@example.com")
		if sub2, _, _ := fx.idClaims(t, again); sub2 != acct.ID {
			t.Fatalf("returning sign-in: account %s, want %s", sub2, acct.ID)
		}
		x, err := fx.down.store.GetExternalIdentity(ctx, fx.provider.ID, carol.ID)
		if err != nil || x.LastUsedAt == nil || !slices.Contains(x.AMR, "pwd") {
			t.Fatalf("identity after a returning sign-in: %+v, %v", x, err)
		}

		// The link, not the address, names the account: dave's upstream
		// identity linked to frank signs in frank.
		dave := fx.upAccount(t, "dave@example.com", true)
		frank := fx.down.account(t, "frank@example.com", alicePass)
		if err := fx.down.store.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: frank.ID,
			Provider: fx.provider.ID, Subject: dave.ID}); err != nil {
			t.Fatal(err)
		}
		fx.down.account(t, "dave@example.com", alicePass) // an account with dave's address
		byLink := fx.start(t, fx.browser(t), "state-link")
		byLink.upstreamSignIn(t, fx.provider.ID, "dave@example.com")
		if got, _, _ := fx.idClaims(t, byLink); got != frank.ID {
			t.Fatalf("signed in %s, want frank %s", got, frank.ID)
		}

		// A disabled account gets the password step's answer.
		if err := fx.down.store.SetAccountStatus(ctx, frank.ID, storage.AccountDisabled); err != nil {
			t.Fatal(err)
		}
		off := fx.start(t, fx.browser(t), "state-disabled")
		if p := off.upstreamSignIn(t, fx.provider.ID, "dave@example.com"); p.status != http.StatusForbidden ||
			!strings.Contains(p.body, "This account is disabled.") {
			t.Fatalf("disabled account: %d\n%s", p.status, p.body)
		}
	})
}

// TestExtSignInTakeoverNeedsProof: an upstream account with the address
// of an existing account links only after that account's password, and
// its owner is told; an unverified address is matched to no one.
func TestExtSignInTakeoverNeedsProof(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newExtFixture(t, sqltest.SQLite(t), sqltest.SQLite(t), nil)
	victim := fx.down.account(t, "victim@example.com", "victims own password")
	upVictim := fx.upAccount(t, "victim@example.com", true)

	f := fx.start(t, fx.browser(t), "state-takeover")
	p := f.upstreamSignIn(t, fx.provider.ID, "victim@example.com")
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="password"`) ||
		!strings.Contains(p.body, "You already have an account with victim@example.com") {
		t.Fatalf("expected the password page of the existing account, got %d:\n%s", p.status, p.body)
	}
	p = f.b.submit(p, map[string]string{"password": alicePass}) // not the victim's
	if p.status != http.StatusBadRequest || fx.linked(t, upVictim) != "" {
		t.Fatalf("wrong password: %d, linked to %q\n%s", p.status, fx.linked(t, upVictim), p.body)
	}
	f.page = f.b.submit(p, map[string]string{"password": "victims own password"})
	if sub, _, amr := fx.idClaims(t, f); sub != victim.ID || !slices.Equal(amr, []string{"pwd"}) {
		t.Fatalf("signed in %s with %v, want the victim's account with the password", sub, amr)
	}
	if fx.linked(t, upVictim) != victim.ID {
		t.Fatal("not linked after the owner's sign-in")
	}
	if m := fx.mail.Next(t, "victim@example.com"); !strings.Contains(m.Text, "was connected to your account") {
		t.Fatalf("notice: %q\n%s", m.Subject, m.Text)
	}
	if ev := fx.events(t, victim.ID); !strings.Contains(ev, "external.linked") {
		t.Fatalf("events:\n%s", ev)
	}

	// Unverified, where the application activates accounts: no account
	// is made nor matched (its activation link would hand it to the
	// identity's holder), nothing linked, the owner untouched.
	bob := fx.down.account(t, "bob@example.com", "bobs own password")
	upBob := fx.upAccount(t, "bob@example.com", false)
	u := fx.start(t, fx.browser(t), "state-unverified")
	p = u.upstreamSignIn(t, fx.provider.ID, "bob@example.com")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "has not confirmed your email address") ||
		strings.Contains(p.body, `name="password"`) {
		t.Fatalf("expected the unverified-address page, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	if fx.linked(t, upBob) != "" {
		t.Fatal("an unverified address was linked")
	}
	if got, err := fx.down.store.GetAccount(ctx, bob.ID); err != nil || got.Status != storage.AccountEnabled || got.Email != "bob@example.com" {
		t.Fatalf("bob's account: %+v, %v", got, err)
	}
}
