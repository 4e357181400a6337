package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestExtSignInFormPostCallback: an upstream's form_post (a cross-site
// POST) is not refused by the cross-origin check but redirected to the
// GET callback with the same parameters, which then does the work.
func TestExtSignInFormPostCallback(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	target := srv.issuer + "/login/external/some-provider/callback"
	form := url.Values{"state": {"s-123"}, "error": {"access_denied"}, "other": {"dropped"}}
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://upstream.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	b := newBrowser(t, "no-such-host") // stops at the first redirect
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	p := readPage(t, resp)
	loc := p.location(t)
	if p.status != http.StatusSeeOther || loc.Path != "/login/external/some-provider/callback" ||
		loc.Query().Get("state") != "s-123" || loc.Query().Get("error") != "access_denied" || loc.Query().Has("other") {
		t.Fatalf("form_post answered %d, Location %s", p.status, loc)
	}
	// Other cross-site posts on the self-service pages are still refused.
	req, _ = http.NewRequest(http.MethodPost, srv.issuer+"/login/external/some-provider", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err = b.Do(req); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, resp); p.status != http.StatusForbidden {
		t.Fatalf("cross-site post to the start: %d", p.status)
	}
	// The unknown state: the used-or-expired page.
	if p := newBrowser(t, srv.Listener.Addr().String()).get(loc.String()); p.status != http.StatusBadRequest ||
		!strings.Contains(p.body, "already been used or has expired") {
		t.Fatalf("unknown state: %d\n%s", p.status, p.body)
	}
}

// TestExtSignInWithoutRegistration: where the application offers no
// registration, an unknown identity creates nothing; with nothing to
// ask, a verified one is registered at once without a page.
func TestExtSignInWithoutRegistration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newExtFixture(t, sqltest.SQLite(t), sqltest.SQLite(t), func(p *storage.SelfServicePolicy) { p.RegistrationEnabled = false })
	fx.upAccount(t, "hana@example.com", true)
	f := fx.start(t, fx.browser(t), "state-noreg")
	if strings.Contains(f.page.body, "/register?") {
		t.Fatalf("registration link on the page:\n%s", f.page.body)
	}
	p := f.upstreamSignIn(t, fx.provider.ID, "hana@example.com")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "No account is linked to this "+upstreamName+" identity") {
		t.Fatalf("unknown identity without registration: %d\n%s", p.status, p.body)
	}
	if _, err := fx.down.store.FindAccountByIdentifier(ctx, defaultStoreID, storage.IdentifierEmail, "hana@example.com"); err == nil {
		t.Fatal("an account was created")
	}

	// Registration on, no documents to accept: created at once.
	pol := storage.DefaultSelfServicePolicy()
	pol.External.Providers = []string{fx.provider.ID}
	if err := fx.down.store.SetSelfServicePolicy(ctx, defaultApplicationID, pol); err != nil {
		t.Fatal(err)
	}
	if err := fx.down.store.SetConsentPolicy(ctx, defaultApplicationID, []storage.ConsentDocument{}); err != nil {
		t.Fatal(err)
	}
	again := fx.start(t, fx.browser(t), "state-direct")
	again.upstreamSignIn(t, fx.provider.ID, "hana@example.com")
	sub, _, amr := fx.idClaims(t, again)
	if acct, err := fx.down.store.GetAccount(ctx, sub); err != nil || acct.Email != "hana@example.com" || len(amr) != 0 {
		t.Fatalf("account %+v (%v), amr %v", acct, err, amr)
	}
}

// TestExtSignInProofByCode: the owner of the verified address may prove
// the account with a one-time code to its address instead of its
// password; an unverified identity with a free address makes no account
// where accounts are activated by e-mail.
func TestExtSignInProofByCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newExtFixture(t, sqltest.SQLite(t), sqltest.SQLite(t), nil)
	owner := fx.down.account(t, "owner@example.com", "owners own password")
	upOwner := fx.upAccount(t, "owner@example.com", true)
	f := fx.start(t, fx.browser(t), "state-code")
	p := f.upstreamSignIn(t, fx.provider.ID, "owner@example.com")
	p = f.b.submit(p, map[string]string{"use_code": "1"})
	if !strings.Contains(p.body, `name="code"`) {
		t.Fatalf("expected the code page, got %d:\n%s", p.status, p.body)
	}
	fx.down.drain(t)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(fx.mail.Next(t, "owner@example.com").Text)
	if code == "" {
		t.Fatal("no code in the message")
	}
	f.page = f.b.submit(p, map[string]string{"code": code})
	if sub, _, _ := fx.idClaims(t, f); sub != owner.ID || fx.linked(t, upOwner) != owner.ID {
		t.Fatalf("signed in %s, linked to %q; want the owner %s", sub, fx.linked(t, upOwner), owner.ID)
	}

	// An unverified identity with a free address makes no account where
	// the application activates accounts (pre-account takeover).
	ivy := fx.upAccount(t, "ivy@example.com", false)
	u := fx.start(t, fx.browser(t), "state-pending")
	p = u.upstreamSignIn(t, fx.provider.ID, "ivy@example.com")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "has not confirmed your email address") {
		t.Fatalf("unverified identity: %d\n%s", p.status, p.body)
	}
	if _, err := fx.down.store.FindAccountByIdentifier(ctx, defaultStoreID, storage.IdentifierEmail, "ivy@example.com"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("an account was made for the unverified address: %v", err)
	}
	if fx.linked(t, ivy) != "" {
		t.Fatal("the unverified identity was linked")
	}
}
