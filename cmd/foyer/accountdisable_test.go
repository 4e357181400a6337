package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/admin/manage"
	"foyer/authz"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestAdminDisableSignsOut: support disabling a signed-in customer's
// account ends it everywhere at once — the relying party gets a
// back-channel logout token for the session, the refresh token is
// refused, the browser's SSO session is gone and signing in again is
// refused.
func TestAdminDisableSignsOut(t *testing.T) {
	t.Parallel()
	received := make(chan string, 4)
	bc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() == nil && r.PostForm.Get("logout_token") != "" {
			received <- r.PostForm.Get("logout_token")
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(bc.Close)
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	alice := srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true,
		BackchannelLogoutURI: bc.URL + "/backchannel", BackchannelLogoutSessionRequired: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
	b := newBrowser(t, srv.Listener.Addr().String())
	verifier := oauth2.GenerateVerifier()
	cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v (refresh token %q)", err, tok.RefreshToken)
	}

	actions := manage.NewAccountActions(manage.NewCore(srv.store, nil), srv.store, session.NewManager(srv.store, session.Config{}))
	support := manage.Actor{Kind: storage.PrincipalAdministrator, ID: "support", Name: "support@example.com",
		Grants: []storage.AdminGrant{{Role: storage.RoleSupport, StoreIDs: []string{alice.StoreID}}}}
	if err := actions.Disable(ctx, support, alice.StoreID, alice.ID); err != nil {
		t.Fatalf("Disable: %v", err)
	}

	select {
	case raw := <-received:
		checkLogoutToken(t, rp, raw, alice.ID, sessionIDOf(t, rp, tok))
	case <-time.After(10 * time.Second):
		t.Fatal("no logout token reached the relying party")
	}
	if _, err := rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token(); err == nil {
		t.Error("the refresh token still works")
	}
	// No SSO session any more: the sign-in pages ask again, and refuse.
	p := b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("after the disable the browser got %d at %s, want the sign-in page", p.status, p.url)
	}
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.submit(p, map[string]string{"password": alicePass})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "This account is disabled.") {
		t.Fatalf("sign-in after the disable: %d", p.status)
	}
}

// sessionIDOf is the sid of the token's ID token.
func sessionIDOf(t *testing.T, rp *relyingParty, tok *oauth2.Token) string {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	id, err := rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var claims struct {
		SID string `json:"sid"`
	}
	if err := id.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims.SID
}
