package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// updateClient changes stored client settings the spec does not cover.
func (s *testServer) updateClient(t *testing.T, id string, change func(*storage.Client)) {
	t.Helper()
	ctx := context.Background()
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	change(c)
	if err := s.store.UpdateClient(ctx, c); err != nil {
		t.Fatalf("UpdateClient: %v", err)
	}
}

// atClaims are the RFC 9068 claims of a JWT access token.
type atClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience any      `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	JTI      string   `json:"jti"`
	ClientID string   `json:"client_id"`
	Scope    string   `json:"scope"`
	AuthTime int64    `json:"auth_time"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr"`
}

// verifyJWTAccessToken checks the token's JWS against the published JWKS
// and its typ header, and returns its claims.
func verifyJWTAccessToken(t *testing.T, srv *testServer, raw string) atClaims {
	t.Helper()
	jws, err := jose.ParseSigned(raw)
	if err != nil {
		t.Fatalf("access token is not a JWS: %v (%q)", err, raw)
	}
	hdr := jws.Signatures[0].Protected
	if typ, _ := hdr.ExtraHeaders[jose.HeaderType].(string); typ != "at+jwt" || hdr.Algorithm != "RS256" {
		t.Fatalf("access token header typ=%v alg=%s, want at+jwt RS256", hdr.ExtraHeaders[jose.HeaderType], hdr.Algorithm)
	}
	resp, err := http.Get(srv.issuer + authz.JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(hdr.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in the JWKS", hdr.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("access token signature: %v", err)
	}
	var c atClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestJWTAccessTokens: a client registered for JWT access tokens gets RFC
// 9068 tokens with its own lifetimes, which work at UserInfo and
// introspection until revoked; opaque clients are unaffected.
func TestJWTAccessTokens(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		alice := srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "API app", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}, FirstParty: true})
		srv.updateClient(t, clientID, func(c *storage.Client) {
			c.AccessTokenFormat = authz.AccessTokenFormatJWT
			c.AccessTokenLifetime = 5 * time.Minute
			c.IDTokenLifetime = 10 * time.Minute
			c.RefreshTokenLifetime = 2 * time.Hour
		})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess)
		tok := signedInTokens(t, srv, rp)

		at := verifyJWTAccessToken(t, srv, tok.AccessToken)
		if at.Issuer != srv.issuer || at.Subject != alice.ID || at.Audience != clientID || at.ClientID != clientID ||
			at.JTI == "" || at.Scope != "openid email offline_access" || at.AuthTime == 0 || at.ACR != "1" ||
			!slices.Equal(at.AMR, []string{"pwd"}) {
			t.Fatalf("access token claims = %+v", at)
		}
		if !near(float64(at.Expiry-at.IssuedAt), 300) || !near(tok.Extra("expires_in"), 300) {
			t.Fatalf("access token lifetime: exp-iat=%d expires_in=%v, want 300", at.Expiry-at.IssuedAt, tok.Extra("expires_in"))
		}
		idToken, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		if life := idToken.Expiry.Sub(idToken.IssuedAt); life != 10*time.Minute {
			t.Fatalf("ID token lifetime = %v, want 10m", life)
		}
		if err := idToken.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Fatalf("at_hash over the JWT access token: %v", err)
		}

		// UserInfo and introspection accept it
		if info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil || info.Email != "alice@example.com" {
			t.Fatalf("userinfo with a JWT access token: %v %+v", err, info)
		}
		introspect := srv.issuer + authz.IntrospectionPath
		status, body := postForm(t, introspect, url.Values{"token": {tok.AccessToken}}, clientID, secret)
		if status != http.StatusOK || body["active"] != true || body["token_type"] != "Bearer" || body["sub"] != alice.ID {
			t.Fatalf("introspection: %d %v", status, body)
		}
		_, body = postForm(t, introspect, url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, clientID, secret)
		if exp, iat := body["exp"].(float64), body["iat"].(float64); exp-iat < 7100 || exp-iat > 7300 {
			t.Fatalf("refresh token lifetime exp-iat = %v, want about 2h", exp-iat)
		}
		// a token altered in transit finds no record
		// (flip one character well inside the signature: the last ones of a
		// base64url signature carry few bits, so "…AA" was sometimes the
		// original token)
		i := len(tok.AccessToken) - 10
		flipped := byte('A')
		if tok.AccessToken[i] == 'A' {
			flipped = 'B'
		}
		forged := tok.AccessToken[:i] + string(flipped) + tok.AccessToken[i+1:]
		if _, body = postForm(t, introspect, url.Values{"token": {forged}}, clientID, secret); body["active"] != false {
			t.Fatalf("altered token introspected as %v", body)
		}

		// refreshing issues another JWT access token
		refreshed, err := rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if c := verifyJWTAccessToken(t, srv, refreshed.AccessToken); c.Subject != alice.ID || c.JTI == at.JTI {
			t.Fatalf("refreshed access token claims = %+v", c)
		}

		// revocation ends it at UserInfo and introspection
		if status, _ := postForm(t, srv.issuer+authz.RevocationPath, url.Values{"token": {refreshed.AccessToken}, "token_type_hint": {"access_token"}}, clientID, secret); status != http.StatusOK {
			t.Fatalf("revoke: %d", status)
		}
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(refreshed)); err == nil {
			t.Fatal("a revoked JWT access token still works at UserInfo")
		}
		if _, body := postForm(t, introspect, url.Values{"token": {refreshed.AccessToken}}, clientID, secret); body["active"] != false {
			t.Fatalf("revoked token introspected as %v", body)
		}

		// client credentials: the client is the subject, no user claims
		cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: srv.issuer + authz.TokenPath}
		ccTok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c := verifyJWTAccessToken(t, srv, ccTok.AccessToken); c.Subject != clientID || c.ClientID != clientID || c.AuthTime != 0 || !near(float64(c.Expiry-c.IssuedAt), 300) {
			t.Fatalf("client credentials access token claims = %+v", c)
		}
	})
}

// near compares lifetimes in seconds: fosite rounds expiry to the second,
// so expires_in and exp-iat may be one off.
func near(got any, want float64) bool {
	f, ok := got.(float64)
	return ok && f >= want-1 && f <= want+1
}

// TestClientLifetimeCap: clients without a setting get the server's
// default; a per-client access token lifetime above MaxSignedTokenLifetime
// is clamped, so retired keys outlive every token.
func TestClientLifetimeCap(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	spec := authz.ClientSpec{Name: "Batch", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "client_credentials"}, FirstParty: true}
	defaultID, defaultSecret := srv.client(t, spec)
	longID, longSecret := srv.client(t, spec)
	srv.updateClient(t, longID, func(c *storage.Client) { c.AccessTokenLifetime = 48 * time.Hour })
	for _, tc := range []struct {
		id, secret string
		want       float64
	}{{defaultID, defaultSecret, 3600}, {longID, longSecret, 24 * 3600}} {
		cc := clientcredentials.Config{ClientID: tc.id, ClientSecret: tc.secret, TokenURL: srv.issuer + authz.TokenPath}
		tok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(tok.AccessToken, ".") != 1 {
			t.Fatalf("an opaque client got %q", tok.AccessToken)
		}
		if got := tok.Extra("expires_in"); !near(got, tc.want) {
			t.Fatalf("expires_in = %v, want %v", got, tc.want)
		}
	}
}
