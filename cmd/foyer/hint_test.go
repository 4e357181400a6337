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
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestOnlyIDTokensAreHints: a JWT access token is signed with the same keys
// as ID tokens, but it is no id_token_hint — not at logout (the user is
// asked instead of signed out at once), not at the authorization endpoint.
func TestOnlyIDTokensAreHints(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		PostLogoutRedirectURIs: []string{rpLoggedOut}, GrantTypes: []string{"authorization_code"}, FirstParty: true})
	srv.updateClient(t, clientID, func(c *storage.Client) { c.AccessTokenFormat = authz.AccessTokenFormatJWT })
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	v := oauth2.GenerateVerifier()
	cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(tok.AccessToken, ".") != 2 {
		t.Fatal("the client should have a JWT access token")
	}

	// at the authorization endpoint: refused as a hint
	p := b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v),
		oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", tok.AccessToken)))
	if loc := p.location(t); loc.Query().Get("code") != "" || loc.Query().Get("error") == "" {
		t.Fatalf("an access token as id_token_hint was accepted: %s", loc)
	}
	// at logout: no immediate sign-out, the user confirms
	p = b.get(srv.issuer + authz.LogoutPath + "?" + url.Values{"id_token_hint": {tok.AccessToken}}.Encode())
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="confirm"`) {
		t.Fatalf("logout with an access token as hint: %d, want the confirmation page", p.status)
	}
	// the real ID token still works as a hint
	p = b.get(srv.issuer + authz.LogoutPath + "?" + url.Values{"id_token_hint": {tok.Extra("id_token").(string)},
		"post_logout_redirect_uri": {rpLoggedOut}}.Encode())
	if loc := p.location(t); loc.String() != rpLoggedOut {
		t.Fatalf("logout with the ID token: %s", loc)
	}
}

// TestSignedOutPageOffersSignIn: a logout with nowhere to return to ends
// on a "Signed out" page whose next step is signing in again.
func TestSignedOutPageOffersSignIn(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(srv.issuer + authz.LogoutPath)
	for _, want := range []string{"<title>Signed out · ", "<h1>Signed out</h1>", "You have been signed out.", `href="/account">Sign in again</a>`} {
		if p.status != http.StatusOK || !strings.Contains(p.body, want) {
			t.Fatalf("signed-out page: %d, lacks %q:\n%s", p.status, want, p.body)
		}
	}
	if p = b.get(srv.issuer + "/account"); p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("Sign in again: %d at %s", p.status, p.url)
	}

	// A logout a client asked for wears its application's branding.
	clientID, _ := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	c, err := srv.store.GetClient(context.Background(), clientID)
	if err != nil {
		t.Fatal(err)
	}
	app, err := srv.store.GetApplication(context.Background(), c.ApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	app.Name = "Acme Shop"
	if err := srv.store.UpdateApplication(context.Background(), app, app.Version); err != nil {
		t.Fatal(err)
	}
	p = b.get(srv.issuer + authz.LogoutPath + "?client_id=" + url.QueryEscape(clientID))
	if want := "<title>Signed out · " + app.Name + "</title>"; !strings.Contains(p.body, want) {
		t.Fatalf("signed-out page of %s's logout lacks %q:\n%s", app.Name, want, p.body)
	}
}
