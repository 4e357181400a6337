//go:build e2e

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// jitAccount is the account the first external sign-in created: its
// upstream e-mail and its subject at the relying party.
type jitAccount struct{ email, sub string }

// testJIT: a verified upstream e-mail no account has creates the
// account, linked, and the relying party gets tokens for it.
func (f *extFixture) testJIT(t *testing.T, jit *jitAccount) {
	email := "jit-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, email, true)
	w, p, r := f.externalSignIn(t, email)
	sub, got := f.expectSignedIn(t, f.completeRegistration(t, w, p), r)
	if got != email {
		t.Errorf("the new account's e-mail = %q, want the upstream's %q", got, email)
	}
	*jit = jitAccount{email: email, sub: sub}
}

// completeRegistration takes the registration page a first external
// sign-in shows when the application has something to ask (its terms),
// checking every box; any other page is returned as it is.
func (f *extFixture) completeRegistration(t *testing.T, w *webClient, p *webPage) *webPage {
	t.Helper()
	if !strings.HasPrefix(p.url.String(), f.mainIssuer+"/register") {
		return p
	}
	form := p.formWithButton("Create account")
	if form == nil {
		t.Fatalf("a registration page without a Create account button: %s", p.describe())
	}
	if form.values.Has("password") {
		t.Errorf("the registration page of an external sign-in asks for a password: %s", p.describe())
	}
	return w.submit(p, form, form.boxes)
}

// testReturning: the same upstream account again is the same subject.
func (f *extFixture) testReturning(t *testing.T, jit jitAccount) {
	if jit.sub == "" {
		t.Fatal("the JIT case failed, so there is no account to return to")
	}
	_, p, r := f.externalSignIn(t, jit.email)
	if sub, _ := f.expectSignedIn(t, p, r); sub != jit.sub {
		t.Errorf("returning sign-in: sub = %q, want the first sign-in's %q", sub, jit.sub)
	}
}

// testTakeover: an upstream account with the verified e-mail of an
// existing main account signs nobody in until that account's password
// is given; a wrong one is refused, the right one links.
func (f *extFixture) testTakeover(t *testing.T) {
	email := "victim-" + randomString(4) + "@example.com"
	const password = "victim-harbor-lamp-73"
	victim := f.mainAccount(t, email, password)
	f.upstreamAccount(t, email, true)

	w, p, r := f.externalSignIn(t, email)
	f.expectNotSignedIn(t, p, "a verified upstream e-mail of an existing account")
	form := p.formWithInput("password")
	if form == nil {
		t.Fatalf("contract (extsignin 6a): want the existing account's password asked for; %s", p.describe())
	}
	p = w.submit(p, form, map[string]string{"password": "not-" + password})
	f.expectNotSignedIn(t, p, "a wrong password")
	if form = p.formWithInput("password"); form == nil {
		t.Fatalf("after a wrong password, want the password asked for again; %s", p.describe())
	}
	// Not linked yet: the upstream account alone still signs nobody in.
	_, other, _ := f.externalSignIn(t, email)
	f.expectNotSignedIn(t, other, "the upstream account before the proof")

	p = w.submit(p, form, map[string]string{"password": password})
	if sub, _ := f.expectSignedIn(t, p, r); sub != victim {
		t.Fatalf("after the proof: sub = %q, want the existing account %q", sub, victim)
	}
	// Linked: the upstream account alone signs in to the same account.
	_, p, r = f.externalSignIn(t, email)
	if sub, _ := f.expectSignedIn(t, p, r); sub != victim {
		t.Errorf("the linked identity signs in as %q, want %q", sub, victim)
	}
}

// testUnverified: an upstream account whose e-mail is not confirmed,
// with the address of an existing account, is never matched to it: no
// sign-in, no proof asked for that account, and the account keeps its
// password.
func (f *extFixture) testUnverified(t *testing.T) {
	email := "unverified-" + randomString(4) + "@example.com"
	const password = "unverified-garden-gate-58"
	victim := f.mainAccount(t, email, password)
	f.upstreamAccount(t, email, false)

	w, p, _ := f.externalSignIn(t, email)
	f.expectNotSignedIn(t, p, "an unverified upstream e-mail of an existing account")
	if p.formWithInput("password") != nil && strings.Contains(visibleText(p.body), "already have an account") {
		t.Errorf("an unverified e-mail was matched to the existing account: %s", p.describe())
	}
	// Whatever the page offers (registration in external mode), taking
	// it signs nobody in.
	if form := p.formWithInput("email"); form != nil {
		p = w.submit(p, form, form.boxes)
		f.expectNotSignedIn(t, p, "the external registration with a taken address")
	}
	_, p, _ = f.externalSignIn(t, email)
	f.expectNotSignedIn(t, p, "the unverified upstream account a second time")

	// The account is untouched: its password still signs it in.
	w = f.newClient(t)
	r := f.rpRequest()
	p = f.passwordSignIn(t, w, f.openSignIn(t, w, r), email, password)
	if sub, _ := f.expectSignedIn(t, p, r); sub != victim {
		t.Errorf("the account's own sign-in: sub = %q, want %q", sub, victim)
	}
}

// passwordSignIn signs in on the main Foyer's sign-in page p.
func (f *extFixture) passwordSignIn(t *testing.T, w *webClient, p *webPage, email, password string) *webPage {
	t.Helper()
	form := p.formWithInput("identifier")
	if form == nil {
		t.Fatalf("no identifier form: %s", p.describe())
	}
	p = w.submit(p, form, map[string]string{"identifier": email})
	if form = p.formWithInput("password"); form == nil {
		t.Fatalf("no password form: %s", p.describe())
	}
	return w.submit(p, form, map[string]string{"password": password})
}

// portalForm finds the first form whose button starts with prefix on the
// account portal's pages that may list sign-in methods and linked
// accounts.
func (f *extFixture) portalForm(t *testing.T, w *webClient, prefix string) (*webPage, *webForm) {
	t.Helper()
	var seen []string
	for _, path := range []string{"/account/settings", "/account/security", "/account"} {
		p := w.get(f.mainIssuer + path)
		if form := p.formWithButton(prefix); form != nil {
			return p, form
		}
		seen = append(seen, p.describe())
	}
	t.Fatalf("contract (extportal): no %q button on the portal's pages:\n%s", prefix, strings.Join(seen, "\n"))
	return nil, nil
}

// testPortalLink: a customer signed in to the portal connects the
// upstream Foyer; the upstream account then signs in to that account.
func (f *extFixture) testPortalLink(t *testing.T) {
	email := "linker-" + randomString(4) + "@example.com"
	const password = "linker-orchard-bell-64"
	account := f.mainAccount(t, email, password)
	upEmail := "elsewhere-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, upEmail, true)

	w := f.newClient(t)
	p := w.get(f.mainIssuer + "/account")
	p = f.passwordSignIn(t, w, p, email, password)
	if p.status != http.StatusOK || !strings.HasPrefix(p.url.String(), f.mainIssuer+"/account") {
		t.Fatalf("portal sign-in: %s", p.describe())
	}
	p, form := f.portalForm(t, w, "Connect "+upstreamName)
	p = f.upstreamSignIn(t, w, w.submit(p, form, nil), upEmail)
	if p.status != http.StatusOK || p.url.Query().Get("external") != "linked" {
		t.Fatalf("contract (extportal finishLink): want the portal page with external=linked; %s", p.describe())
	}
	_, p, r := f.externalSignIn(t, upEmail)
	if sub, _ := f.expectSignedIn(t, p, r); sub != account {
		t.Errorf("the identity linked in the portal signs in as %q, want %q", sub, account)
	}
}

// testUnlinkLast: the JIT account has no password; unlinking its only
// identity is refused, and the identity still signs it in.
func (f *extFixture) testUnlinkLast(t *testing.T, jit jitAccount) {
	if jit.sub == "" {
		t.Fatal("the JIT case failed, so there is no account without a password")
	}
	w := f.newClient(t)
	p := f.clickProvider(t, w, w.get(f.mainIssuer+"/account"), upstreamName)
	p = f.upstreamSignIn(t, w, p, jit.email)
	if p.status != http.StatusOK || !strings.HasPrefix(p.url.String(), f.mainIssuer+"/account") {
		t.Fatalf("portal sign-in through the upstream: %s", p.describe())
	}
	p, form := f.portalForm(t, w, "Unlink")
	p = w.submit(p, form, nil)
	if p.status >= 500 || p.url.Query().Get("external") != "" || strings.Contains(p.body, "The linked account is removed.") {
		t.Errorf("unlinking the only way in: %s", p.describe())
	} else if !strings.Contains(visibleText(p.body), "only way to sign in") {
		t.Errorf("want the refusal said in words (it is the only way to sign in); %s", p.describe())
	}
	_, p, r := f.externalSignIn(t, jit.email)
	if sub, _ := f.expectSignedIn(t, p, r); sub != jit.sub {
		t.Errorf("after the refused unlink the identity signs in as %q, want %q", sub, jit.sub)
	}
}

// stoppedAtCallback signs in at the upstream as email and returns the
// URL of the main Foyer's callback, not yet followed.
func (f *extFixture) stoppedAtCallback(t *testing.T, email string) (*webClient, *url.URL, rpRequest) {
	t.Helper()
	w := f.newClient(t)
	r := f.rpRequest()
	p := f.clickProvider(t, w, f.openSignIn(t, w, r), upstreamName)
	w.stop = f.isCallback
	p = f.upstreamSignIn(t, w, p, email)
	w.stop = nil
	cb := p.redirect()
	if cb == nil || !f.isCallback(cb) {
		t.Fatalf("want the upstream to send the browser to the main Foyer's callback; %s", p.describe())
	}
	return w, cb, r
}

// testWrongIss: a callback whose RFC 9207 iss is not the upstream's is
// refused, and the relying party hears access_denied.
func (f *extFixture) testWrongIss(t *testing.T) {
	email := "iss-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, email, true)
	w, cb, _ := f.stoppedAtCallback(t, email)
	q := cb.Query()
	if q.Get("iss") != f.upIssuer {
		t.Errorf("the upstream Foyer's callback iss = %q, want %q (RFC 9207)", q.Get("iss"), f.upIssuer)
	}
	q.Set("iss", "http://127.0.0.1:1/elsewhere")
	cb.RawQuery = q.Encode()
	p := w.get(cb.String())
	f.expectNotSignedIn(t, p, "a callback with another issuer")
	f.expectRPError(t, f.refusal(t, w, p), "access_denied")
}

// testReplay: the callback URL works once (whatever follows: a sign-in
// or the page a first sign-in shows); its replay is a 400.
func (f *extFixture) testReplay(t *testing.T) {
	email := "replay-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, email, true)
	w, cb, _ := f.stoppedAtCallback(t, email)
	if p := w.get(cb.String()); p.status >= 400 {
		t.Fatalf("the callback's first use: %s", p.describe())
	}
	p := w.get(cb.String())
	if p.status != http.StatusBadRequest {
		t.Errorf("the replayed callback: want 400; %s", p.describe())
	}
	f.expectNotSignedIn(t, p, "the replayed callback")
}

// testNonce: an authorization request whose nonce was rewritten on its
// way upstream comes back with an ID token the main Foyer refuses.
func (f *extFixture) testNonce(t *testing.T) {
	email := "nonce-" + randomString(4) + "@example.com"
	f.upstreamAccount(t, email, true)
	w := f.newClient(t)
	r := f.rpRequest()
	w.stop = func(u *url.URL) bool { return strings.HasPrefix(u.String(), f.upIssuer+"/oauth2/auth?") }
	p := f.clickProvider(t, w, f.openSignIn(t, w, r), upstreamName)
	w.stop = nil
	auth := p.redirect()
	if auth == nil || auth.Query().Get("nonce") == "" {
		t.Fatalf("contract (extsignin start): want a redirect to the upstream's authorization endpoint with a nonce; %s", p.describe())
	}
	q := auth.Query()
	q.Set("nonce", randomString(16))
	auth.RawQuery = q.Encode()
	p = f.upstreamSignIn(t, w, w.get(auth.String()), email)
	f.expectNotSignedIn(t, p, "an ID token with another nonce")
	f.expectRPError(t, f.refusal(t, w, p), "access_denied")
}

// testDown: a provider nobody answers for: the page says it cannot be
// reached, and the relying party hears temporarily_unavailable.
func (f *extFixture) testDown(t *testing.T) {
	w := f.newClient(t)
	r := f.rpRequest()
	p := f.clickProvider(t, w, f.openSignIn(t, w, r), downName)
	f.expectNotSignedIn(t, p, "an unreachable provider")
	if !strings.Contains(visibleText(p.body), downName+" cannot be reached") {
		t.Errorf(`want the page to say %q; %s`, downName+" cannot be reached", p.describe())
	}
	f.expectRPError(t, f.refusal(t, w, p), "temporarily_unavailable")
}
