package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// selfRegister marks a client as dynamically registered (RFC 7591), the way
// the registration endpoint leaves it: with a registration token.
func (s *testServer) selfRegister(t *testing.T, clientID string) {
	t.Helper()
	ctx := context.Background()
	c, err := s.store.GetClient(ctx, clientID)
	if err != nil {
		t.Fatal(err)
	}
	c.RegistrationTokenHash = []byte("digest of a registration access token")
	if err := s.store.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// expectLeavePage checks that p names host and links to target instead of
// redirecting there.
func expectLeavePage(t *testing.T, what string, p *page, status int, host, linkPrefix string) {
	t.Helper()
	if p.status != status || p.resp.Header.Get("Location") != "" {
		t.Fatalf("%s: %d, Location %q; want %d and an interstitial", what, p.status, p.resp.Header.Get("Location"), status)
	}
	if !strings.Contains(p.body, "Continue to "+host) || !strings.Contains(p.body, "The next page is at "+host) {
		t.Fatalf("%s: the page does not name %s in words:\n%s", what, host, p.body)
	}
	if !strings.Contains(p.body, `href="`+linkPrefix) {
		t.Fatalf("%s: no link to %s:\n%s", what, linkPrefix, p.body)
	}
}

// TestLogoutSelfRegisteredClient: logging out towards a self-registered
// client's post_logout_redirect_uri shows an interstitial naming the
// destination unless a verified id_token_hint for the client comes along;
// a client registered by the operator is redirected to at once.
func TestLogoutSelfRegisteredClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	spec := authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		PostLogoutRedirectURIs: []string{rpLoggedOut}, GrantTypes: []string{"authorization_code"}, FirstParty: true}
	registered, _ := srv.client(t, spec)
	dynID, dynSecret := srv.client(t, spec)
	host := srv.Listener.Addr().String()
	logoutURL := func(q url.Values) string { return srv.issuer + authz.LogoutPath + "?" + q.Encode() }

	// An ID token issued to the client, before it counts as self-registered.
	rp := newRelyingParty(t, srv.issuer, dynID, dynSecret, "openid")
	b := newBrowser(t, host)
	verifier := oauth2.GenerateVerifier()
	cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	srv.selfRegister(t, dynID)

	bye := url.Values{"client_id": {dynID}, "post_logout_redirect_uri": {rpLoggedOut}, "state": {"bye"}}
	p := newBrowser(t, host).get(logoutURL(bye))
	expectLeavePage(t, "no session, no hint", p, http.StatusOK, "127.0.0.1:9", rpLoggedOut+"?state=bye")

	// A hint vouches only for the session it names: the registrant can
	// get one for an account of their own and put it in any link.
	hinted := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {rpLoggedOut}, "state": {"bye"}}
	p = newBrowser(t, host).get(logoutURL(hinted))
	expectLeavePage(t, "another browser's hint", p, http.StatusOK, "127.0.0.1:9", rpLoggedOut+"?state=bye")
	bye.Set("client_id", registered)
	if loc := newBrowser(t, host).get(logoutURL(bye)).location(t); loc.String() != rpLoggedOut+"?state=bye" {
		t.Fatalf("registered client without a session: redirect to %s", loc)
	}

	// Signed in, no hint: the confirmation names the destination, and
	// confirming is agreeing to go there.
	bye.Set("client_id", dynID)
	p = b.get(logoutURL(bye))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Afterwards you will be sent to 127.0.0.1:9.") {
		t.Fatalf("confirmation page: %d\n%s", p.status, p.body)
	}
	if loc := b.submit(p, nil).location(t); loc.String() != rpLoggedOut+"?state=bye" {
		t.Fatalf("after confirming: %s", loc)
	}

	// Signed in, with a hint for this very session: out at once.
	cb = b.signIn(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(verifier)), "alice@example.com", alicePass)
	tok, err = rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	hinted.Set("id_token_hint", tok.Extra("id_token").(string))
	if loc := b.get(logoutURL(hinted)).location(t); loc.String() != rpLoggedOut+"?state=bye" {
		t.Fatalf("with a hint for the current session: %s", loc)
	}
}

// TestAuthorizeErrorSelfRegisteredClient: an authorization error for a
// self-registered client, answered straight from the authorization
// endpoint, is an interstitial naming the destination (or, for form_post,
// an error page), never a redirect; registered clients still get the
// error redirected to them.
func TestAuthorizeErrorSelfRegisteredClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	spec := authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}}
	registered, _ := srv.client(t, spec)
	dynID, _ := srv.client(t, spec)
	srv.selfRegister(t, dynID)
	host := srv.Listener.Addr().String()
	authURL := func(clientID string, extra url.Values) string {
		q := url.Values{"client_id": {clientID}, "redirect_uri": {rpCallback}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"state-0001"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
			"code_challenge_method": {"S256"}}
		for k, v := range extra {
			q[k] = v
		}
		return srv.issuer + authz.AuthorizePath + "?" + q.Encode()
	}
	for name, extra := range map[string]url.Values{
		"unknown scope":          {"scope": {"openid no-such-scope"}},
		"prompt=none signed out": {"prompt": {"none"}},
	} {
		p := newBrowser(t, host).get(authURL(dynID, extra))
		expectLeavePage(t, name, p, http.StatusBadRequest, "127.0.0.1:9", rpCallback+"?error=")
		if !strings.Contains(p.body, "state=state-0001") {
			t.Errorf("%s: the link does not carry state:\n%s", name, p.body)
		}
		loc := newBrowser(t, host).get(authURL(registered, extra)).location(t)
		if !strings.HasPrefix(loc.String(), rpCallback+"?") || loc.Query().Get("error") == "" {
			t.Errorf("%s, registered client: redirect to %s, want the error at the redirect URI", name, loc)
		}
	}
	p := newBrowser(t, host).get(authURL(dynID, url.Values{"prompt": {"none"}, "response_mode": {"form_post"}}))
	if p.status != http.StatusBadRequest || strings.Contains(p.body, rpCallback) {
		t.Fatalf("form_post error for a self-registered client: %d\n%s", p.status, p.body)
	}
}
