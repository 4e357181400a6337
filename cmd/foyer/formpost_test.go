package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestFormPostResponseMode: with response_mode=form_post the code (and
// errors) reach the client as a page whose form the browser posts to the
// redirect URI, allowed by the page's CSP and submitted by a static script.
func TestFormPostResponseMode(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	host := srv.Listener.Addr().String()
	formPost := oauth2.SetAuthURLParam("response_mode", "form_post")

	// an error (prompt=none without a session) comes back by form_post too
	p := newBrowser(t, host).get(rp.oauth.AuthCodeURL("state-0001", formPost,
		oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "none")))
	action, values := parseForm(t, p.body)
	if p.status != http.StatusOK || action != rpCallback || values.Get("error") != "login_required" || values.Get("state") != "state-0001" {
		t.Fatalf("form_post error: %d action=%q values=%v", p.status, action, values)
	}

	b := newBrowser(t, host)
	v := oauth2.GenerateVerifier()
	b.signIn(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	p = b.get(rp.oauth.AuthCodeURL("state-0003", formPost, oauth2.S256ChallengeOption(v)))
	action, values = parseForm(t, p.body)
	if p.status != http.StatusOK || action != rpCallback || values.Get("code") == "" || values.Get("state") != "state-0003" {
		t.Fatalf("form_post: %d action=%q values=%v", p.status, action, values)
	}
	csp := p.resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("form_post CSP: %q", csp)
	}
	if !strings.Contains(p.body, `<script src="/static/form_post.js`) || strings.Contains(p.body, "onload") {
		t.Fatalf("form_post page must submit with the static script:\n%s", p.body)
	}
	if _, err := rp.oauth.Exchange(context.Background(), values.Get("code"), oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("exchanging the form_post code: %v", err)
	}

	// fragment is not offered for the code flow
	p = newBrowser(t, host).get(rp.oauth.AuthCodeURL("state-0004", oauth2.SetAuthURLParam("response_mode", "fragment"),
		oauth2.S256ChallengeOption(v)))
	loc := p.location(t)
	if frag, _ := url.ParseQuery(loc.Fragment); frag.Get("error") != "unsupported_response_mode" || !strings.HasPrefix(loc.String(), rpCallback) {
		t.Fatalf("response_mode=fragment: %s", loc)
	}
}
