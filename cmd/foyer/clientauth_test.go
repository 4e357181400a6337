package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// codeFlow signs alice in with the relying party and exchanges the code,
// with extra token request parameters (a client assertion), and checks
// the ID token.
func codeFlow(t *testing.T, srv *testServer, rp *relyingParty, extra ...oauth2.AuthCodeOption) *oauth2.Token {
	t.Helper()
	ctx := context.Background()
	v := oauth2.GenerateVerifier()
	cb := newBrowser(t, srv.Listener.Addr().String()).signIn(
		rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), append(extra, oauth2.VerifierOption(v))...)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if _, err := rp.verifier.Verify(ctx, rawID); err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	return tok
}

// TestClientSecretMethods: a client authenticates only the way it
// registered; the other way is invalid_client. Public clients use none
// with PKCE.
func TestClientSecretMethods(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	ctx := context.Background()
	for _, tc := range []struct {
		method       string
		style, wrong oauth2.AuthStyle
	}{
		{authz.AuthMethodBasic, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams},
		{authz.AuthMethodPost, oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader},
	} {
		t.Run(tc.method, func(t *testing.T) {
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, FirstParty: true,
				GrantTypes: []string{"authorization_code", "client_credentials"}, TokenEndpointAuthMethod: tc.method})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
			rp.oauth.Endpoint.AuthStyle = tc.style
			codeFlow(t, srv, rp)
			cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: srv.issuer + authz.TokenPath, AuthStyle: tc.style}
			if _, err := cc.Token(ctx); err != nil {
				t.Fatalf("client credentials: %v", err)
			}
			cc.AuthStyle = tc.wrong
			_, err := cc.Token(ctx)
			expectOAuthError(t, err, "invalid_client")
		})
	}
	t.Run("none", func(t *testing.T) {
		id, secret := srv.client(t, authz.ClientSpec{Name: "SPA", RedirectURIs: []string{rpCallback}, FirstParty: true,
			GrantTypes: []string{"authorization_code"}, TokenEndpointAuthMethod: authz.AuthMethodNone})
		if secret != "" {
			t.Fatal("a public client was issued a secret")
		}
		rp := newRelyingParty(t, srv.issuer, id, "", oidc.ScopeOpenID)
		rp.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		codeFlow(t, srv, rp)
	})
}

// TestPrivateKeyJWT: code flow and client credentials with RFC 7523
// assertions, verified with keys registered by value (RS256) and by
// jwks_uri (ES256).
func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		ctx := context.Background()
		tokenURL := srv.issuer + authz.TokenPath
		rsaKey, ecKey := newClientKey(t, jose.RS256, "rp-rsa"), newClientKey(t, jose.ES256, "rp-ec")
		for _, tc := range []struct {
			name string
			key  *clientKey
			spec authz.ClientSpec
		}{
			{"jwks", rsaKey, authz.ClientSpec{JWKS: rsaKey.jwks(t)}},
			{"jwks_uri", ecKey, authz.ClientSpec{JWKSURI: ecKey.serveJWKS(t), TokenEndpointAuthSigningAlg: "ES256"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				spec := tc.spec
				spec.Name, spec.RedirectURIs, spec.FirstParty = "Shop", []string{rpCallback}, true
				spec.GrantTypes = []string{"authorization_code", "client_credentials"}
				spec.TokenEndpointAuthMethod = authz.AuthMethodPrivateKey
				id, secret := srv.client(t, spec)
				if secret != "" {
					t.Fatal("a private_key_jwt client was issued a secret")
				}
				rp := newRelyingParty(t, srv.issuer, id, "", oidc.ScopeOpenID)
				rp.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
				codeFlow(t, srv, rp, assertionOptions(tc.key.sign(t, newAssertionClaims(id, tokenURL)))...)

				cc := clientcredentials.Config{ClientID: id, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams,
					EndpointParams: assertionParams(tc.key.sign(t, newAssertionClaims(id, tokenURL)))}
				tok, err := cc.Token(ctx)
				if err != nil {
					t.Fatalf("client credentials: %v", err)
				}
				// the revocation endpoint takes assertions too
				form := withGrant(id, tc.key.sign(t, newAssertionClaims(id, tokenURL)))
				form.Del("grant_type")
				form.Set("token", tok.AccessToken)
				if status, body := postForm(t, srv.issuer+authz.RevocationPath, form, "", ""); status != http.StatusOK {
					t.Fatalf("revocation with an assertion: %d %v", status, body)
				}
			})
		}
	})
}

// TestPrivateKeyJWTErrors: every bad assertion is 401 invalid_client (RFC
// 7523 section 3.2) and issues nothing.
func TestPrivateKeyJWTErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	tokenURL := srv.issuer + authz.TokenPath
	key := newClientKey(t, jose.RS256, "rp-1")
	spec := authz.ClientSpec{Name: "Shop", GrantTypes: []string{"client_credentials"},
		TokenEndpointAuthMethod: authz.AuthMethodPrivateKey, JWKS: key.jwks(t)}
	id, _ := srv.client(t, spec)
	otherID, _ := srv.client(t, spec)
	basicID, basicSecret := srv.client(t, authz.ClientSpec{Name: "Basic", GrantTypes: []string{"client_credentials"}})

	replayed := key.sign(t, newAssertionClaims(id, tokenURL))
	if status, body := postForm(t, tokenURL, withGrant(id, replayed), "", ""); status != http.StatusOK {
		t.Fatalf("a good assertion: %d %v", status, body)
	}
	at := func(mutate func(*assertionClaims)) assertionClaims {
		c := newAssertionClaims(id, tokenURL)
		mutate(&c)
		return c
	}
	for _, tc := range []struct {
		name     string
		clientID string
		jwt      string
	}{
		{"wrong audience", id, key.sign(t, at(func(c *assertionClaims) { c.aud = "https://elsewhere.example/token" }))},
		{"the userinfo endpoint as audience", id, key.sign(t, at(func(c *assertionClaims) { c.aud = srv.issuer + authz.UserInfoPath }))},
		{"reused jti", id, replayed},
		{"expired", id, key.sign(t, at(func(c *assertionClaims) { c.exp = time.Now().Add(-time.Minute) }))},
		{"expiring in 50 years", id, key.sign(t, at(func(c *assertionClaims) { c.exp = time.Now().AddDate(50, 0, 0) }))},
		{"expiring past year 9999", id, key.sign(t, at(func(c *assertionClaims) { c.exp = time.Now().AddDate(300000, 0, 0) }))},
		{"unregistered key, registered kid", id, newClientKey(t, jose.RS256, "rp-1").sign(t, newAssertionClaims(id, tokenURL))},
		{"unregistered key and kid", id, newClientKey(t, jose.RS256, "rp-2").sign(t, newAssertionClaims(id, tokenURL))},
		{"algorithm not registered", id, newClientKey(t, jose.ES256, "rp-1").sign(t, newAssertionClaims(id, tokenURL))},
		{"another client's assertion", id, key.sign(t, newAssertionClaims(otherID, tokenURL))},
		{"client_secret_basic client", basicID, key.sign(t, newAssertionClaims(basicID, tokenURL))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postForm(t, tokenURL, withGrant(tc.clientID, tc.jwt), "", "")
			if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Fatalf("got %d %v, want 401 invalid_client", status, body)
			}
		})
	}
	// RFC 9126 section 2 and RFC 7523: the issuer and the PAR endpoint are
	// audiences too
	for _, aud := range []string{srv.issuer, srv.issuer + authz.PARPath} {
		if status, body := postForm(t, tokenURL, withGrant(id, key.sign(t, at(func(c *assertionClaims) { c.aud = aud }))), "", ""); status != http.StatusOK {
			t.Errorf("assertion with aud %s: %d %v, want 200", aud, status, body)
		}
	}
	t.Run("a secret for a private_key_jwt client", func(t *testing.T) {
		if status, body := postForm(t, tokenURL, url.Values{"grant_type": {"client_credentials"}}, id, basicSecret); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Fatalf("got %d %v, want 401 invalid_client", status, body)
		}
	})
}

// withGrant is a client-credentials request authenticated by assertion.
func withGrant(clientID, assertion string) url.Values {
	form := assertionParams(assertion)
	form.Set("grant_type", "client_credentials")
	form.Set("client_id", clientID)
	return form
}
