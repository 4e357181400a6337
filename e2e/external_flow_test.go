//go:build e2e

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// rpRequest is one authorization request of the relying party: what its
// callback checks.
type rpRequest struct {
	url, state, nonce, verifier string
}

func (f *extFixture) rpRequest() rpRequest {
	r := rpRequest{state: randomString(16), nonce: randomString(16), verifier: oauth2.GenerateVerifier()}
	r.url = f.rp.oauth.AuthCodeURL(r.state, oauth2.S256ChallengeOption(r.verifier), oidc.Nonce(r.nonce))
	return r
}

func (f *extFixture) newClient(t *testing.T) *webClient {
	t.Helper()
	u, err := url.Parse(f.rp.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return newWebClient(t, u.Host)
}

// rpAnswer is what the relying party's redirect URI received: the
// authorization response's parameters; nil when p is no redirect there.
func (f *extFixture) rpAnswer(p *webPage) url.Values {
	loc := p.redirect()
	if loc == nil || !strings.HasPrefix(loc.String(), f.rp.srv.URL+"/callback") {
		return nil
	}
	return loc.Query()
}

// expectSignedIn checks that p sends the browser back to the relying
// party with a code for r, redeems it and returns the ID token's subject
// and UserInfo's e-mail.
func (f *extFixture) expectSignedIn(t *testing.T, p *webPage, r rpRequest) (sub, email string) {
	t.Helper()
	q := f.rpAnswer(p)
	switch {
	case q == nil:
		t.Fatalf("not signed in at the relying party: %s", p.describe())
	case q.Get("error") != "":
		t.Fatalf("the relying party received error %q: %s", q.Get("error"), q.Get("error_description"))
	case q.Get("state") != r.state:
		t.Fatalf("the relying party received state %q, want %q", q.Get("state"), r.state)
	}
	tok, err := f.rp.oauth.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(r.verifier))
	if err != nil {
		t.Fatalf("code exchange at the main Foyer: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := f.rp.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idt.Nonce != r.nonce {
		t.Fatalf("ID token nonce %q, want %q", idt.Nonce, r.nonce)
	}
	info, err := f.rp.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	return idt.Subject, info.Email
}

// expectRPError checks that p sends the browser to the relying party
// with the OAuth error code.
func (f *extFixture) expectRPError(t *testing.T, p *webPage, code string) {
	t.Helper()
	q := f.rpAnswer(p)
	if q == nil || q.Get("error") != code {
		t.Fatalf("want the relying party to receive error %q; %s", code, p.describe())
	}
}

// expectNotSignedIn checks that p is a page of the main Foyer, not a way
// back to the relying party.
func (f *extFixture) expectNotSignedIn(t *testing.T, p *webPage, what string) {
	t.Helper()
	if q := f.rpAnswer(p); q != nil {
		t.Fatalf("%s: the relying party received %v; want the customer kept at the main Foyer", what, q)
	}
	if !strings.HasPrefix(p.url.String(), f.mainIssuer) {
		t.Fatalf("%s: the browser is at %s; want a page of the main Foyer", what, p.describe())
	}
}

// openSignIn follows r to the main Foyer's sign-in page.
func (f *extFixture) openSignIn(t *testing.T, w *webClient, r rpRequest) *webPage {
	t.Helper()
	p := w.get(r.url)
	if p.status != http.StatusOK || !strings.HasPrefix(p.url.String(), f.mainIssuer+"/login") {
		t.Fatalf("want the main Foyer's sign-in page; %s", p.describe())
	}
	return p
}

// clickProvider submits the "Continue with {name}" button of the page.
func (f *extFixture) clickProvider(t *testing.T, w *webClient, p *webPage, name string) *webPage {
	t.Helper()
	form := p.formWithButton("Continue with " + name)
	if form == nil {
		t.Fatalf("contract (extsignin buttons): no %q button on %s", "Continue with "+name, p.describe())
	}
	if form.button.ariaLabel != "" && form.button.ariaLabel != form.button.text {
		t.Errorf("the button's aria-label %q differs from its words %q", form.button.ariaLabel, form.button.text)
	}
	return w.submit(p, form, nil)
}

// upstreamSignIn signs in on the upstream Foyer's pages, p its identifier
// page, and returns what follows the password (the way back to the main
// Foyer's callback, followed unless the client stops it).
func (f *extFixture) upstreamSignIn(t *testing.T, w *webClient, p *webPage, email string) *webPage {
	t.Helper()
	if !strings.HasPrefix(p.url.String(), f.upIssuer+"/login") {
		t.Fatalf("contract (extsignin start → upstream): want the upstream Foyer's sign-in page; %s", p.describe())
	}
	form := p.formWithInput("identifier")
	if form == nil {
		t.Fatalf("no identifier form at the upstream: %s", p.describe())
	}
	p = w.submit(p, form, map[string]string{"identifier": email})
	if form = p.formWithInput("password"); form == nil {
		t.Fatalf("no password form at the upstream: %s", p.describe())
	}
	return w.submit(p, form, map[string]string{"password": upstreamPassword})
}

// externalSignIn is a sign-in at the relying party through the upstream
// Foyer as email, in a fresh browser; it returns the last answer.
func (f *extFixture) externalSignIn(t *testing.T, email string) (*webClient, *webPage, rpRequest) {
	t.Helper()
	w := f.newClient(t)
	r := f.rpRequest()
	p := f.clickProvider(t, w, f.openSignIn(t, w, r), upstreamName)
	return w, f.upstreamSignIn(t, w, p, email), r
}

// refusal follows the refusal page's "Return to …" action, which answers
// the relying party.
func (f *extFixture) refusal(t *testing.T, w *webClient, p *webPage) *webPage {
	t.Helper()
	if href := p.linkWithText("Return to"); href != "" {
		return w.get(href)
	}
	if form := p.formWithButton("Return to"); form != nil {
		return w.submit(p, form, nil)
	}
	t.Fatalf(`contract (extsignin errors): no "Return to …" action on %s`, p.describe())
	return nil
}

// isCallback reports whether u is the main Foyer's upstream callback.
func (f *extFixture) isCallback(u *url.URL) bool {
	return strings.HasPrefix(u.String(), f.mainIssuer+"/login/external/") && strings.HasSuffix(u.Path, "/callback")
}
