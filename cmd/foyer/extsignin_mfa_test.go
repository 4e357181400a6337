package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestExtSignInMFA: after an external first factor the application's MFA
// policy applies as after a password, unless the application trusts the
// provider's MFA and the upstream says it used it (the upstream Foyer's
// amr after its own MFA: pwd, otp, mfa).
func TestExtSignInMFA(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newExtFixture(t, sqltest.SQLite(t), sqltest.SQLite(t), nil)
	if err := fx.down.store.SetMFAPolicy(ctx, defaultApplicationID, storage.MFAPolicy{Mode: storage.MFARequired}); err != nil {
		t.Fatal(err)
	}
	fx.upAccount(t, "gina@example.com", true)

	f := fx.start(t, fx.browser(t), "state-mfa")
	p := f.upstreamSignIn(t, fx.provider.ID, "gina@example.com")
	p = f.b.submit(p, map[string]string{"accept_terms": "on"}) // the registration page's documents
	if !strings.Contains(p.body, `value="totp"`) || p.resp.Header.Get("Location") != "" {
		t.Fatalf("expected the enrollment the policy requires, got %d:\n%s", p.status, p.body)
	}

	// Trusted: the upstream asks for its own second factor, and its amr
	// says so; Foyer asks for none.
	app, err := fx.down.store.GetApplication(ctx, defaultApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	pol := app.SelfService
	pol.External.TrustMFA = []string{fx.provider.ID}
	if err := fx.down.store.SetSelfServicePolicy(ctx, defaultApplicationID, pol); err != nil {
		t.Fatal(err)
	}
	if err := fx.up.store.SetMFAPolicy(ctx, defaultApplicationID, storage.MFAPolicy{Mode: storage.MFARequired}); err != nil {
		t.Fatal(err)
	}
	trusted := fx.start(t, fx.browser(t), "state-trusted")
	p = trusted.upstreamSignIn(t, fx.provider.ID, "gina@example.com")
	s := &signIn{b: trusted.b.browser, page: p}
	enrollTOTP(t, s) // at the upstream
	trusted.page = s.page
	_, acr, amr := fx.idClaims(t, trusted)
	if acr != "2" || !slices.Equal(amr, []string{"mfa"}) {
		t.Fatalf("trusted upstream MFA: acr %q amr %v", acr, amr)
	}
}
