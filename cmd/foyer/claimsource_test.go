package main

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/ory/fosite"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// scopeClaims serves one claim for one scope, the way the roles and
// identity-verification sources do; it also tries to set sub, which the
// server must not let it.
type scopeClaims struct {
	scope string
	fail  bool
}

func (s scopeClaims) Claims(_ context.Context, acct *storage.Account, clientID string, scopes fosite.Arguments) (map[string]any, error) {
	if !scopes.Has(s.scope) {
		return nil, nil
	}
	if s.fail {
		return nil, errors.New("database down")
	}
	return map[string]any{"x_test": map[string]any{"account": acct.ID, "client": clientID}, "sub": "someone-else"}, nil
}

// TestClaimSourcesReachIDTokenAndUserInfo: a claim source's claims reach
// the ID token and UserInfo when the client was granted its scope, never
// otherwise, and never replace sub.
func TestClaimSourcesReachIDTokenAndUserInfo(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t), withClaimSource(scopeClaims{scope: "x_test"}))
	ctx := context.Background()
	acct := srv.accountWithAttributes(t, "alice@example.com", alicePass, nil)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true, Scopes: []string{"openid", "x_test"}})
	b := newBrowser(t, srv.Listener.Addr().String())

	for i, tc := range []struct {
		scopes []string
		want   bool
	}{{[]string{oidc.ScopeOpenID, "x_test"}, true}, {[]string{oidc.ScopeOpenID}, false}} {
		rp := newRelyingParty(t, srv.issuer, clientID, secret, tc.scopes...)
		v := oauth2.GenerateVerifier()
		authURL := rp.oauth.AuthCodeURL("state-claims-0001", oauth2.S256ChallengeOption(v))
		var cb *url.URL
		if i == 0 {
			cb = b.signIn(authURL, "alice@example.com", alicePass)
		} else { // signed in already: the SSO session answers at once
			cb = b.get(authURL).location(t)
		}
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		idToken, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		var id map[string]any
		_ = idToken.Claims(&id)
		info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		var ui map[string]any
		_ = info.Claims(&ui)
		for what, c := range map[string]map[string]any{"ID token": id, "UserInfo": ui} {
			got, ok := c["x_test"].(map[string]any)
			if ok != tc.want || (ok && (got["account"] != acct.ID || got["client"] != clientID)) {
				t.Errorf("scopes %v: %s x_test = %v, want present %v", tc.scopes, what, c["x_test"], tc.want)
			}
			if c["sub"] != acct.ID {
				t.Errorf("scopes %v: %s sub = %v, want %s", tc.scopes, what, c["sub"], acct.ID)
			}
		}
	}
}

// TestClaimSourceFailureIsAServerError: a source that cannot read its
// claims fails the authorization with server_error rather than issuing a
// token without them.
func TestClaimSourceFailureIsAServerError(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t), withClaimSource(scopeClaims{scope: "x_test", fail: true}))
	srv.accountWithAttributes(t, "alice@example.com", alicePass, nil)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true, Scopes: []string{"openid", "x_test"}})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "x_test")
	b := newBrowser(t, srv.Listener.Addr().String())
	cb := b.signIn(rp.oauth.AuthCodeURL("state-claims-0003", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", alicePass)
	if cb.Query().Get("error") != "server_error" || cb.Query().Get("code") != "" {
		t.Fatalf("callback = %s, want error=server_error and no code", cb)
	}
}
