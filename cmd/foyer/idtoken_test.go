package main

import (
	"context"
	"slices"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// accountWithAttributes creates a verified account with schema attributes.
func (s *testServer) accountWithAttributes(t *testing.T, email, pass string, attrs map[string]string) *storage.Account {
	t.Helper()
	ctx := context.Background()
	a := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountEnabled, Email: email, EmailConfirmed: true, Attributes: attrs}
	if err := s.store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	hash, err := password.NewHasher(password.OWASP).Hash(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetPassword(ctx, a.ID, hash); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestES256IDTokensAndClaimsParameter: a client registered for ES256 gets
// ES256 ID tokens that go-oidc verifies; the claims parameter puts the
// e-mail and address into the ID token (within the granted scopes only);
// UserInfo returns the address object.
func TestES256IDTokensAndClaimsParameter(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.accountWithAttributes(t, "alice@example.com", alicePass, map[string]string{
			"street_address": "1 Main St", "locality": "Springfield", "postal_code": "12345", "country": "US",
		})
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code"}, FirstParty: true,
			Scopes: []string{"openid", "profile", "email", "phone", "address"}})
		srv.updateClient(t, clientID, func(c *storage.Client) { c.IDTokenSignedResponseAlg = "ES256" })
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email", "address")
		rp.verifier = rp.provider.Verifier(&oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{oidc.ES256}})

		claimsParam := `{"id_token":{"email":null,"email_verified":{"essential":true},"address":null,"phone_number":null}}`
		v := oauth2.GenerateVerifier()
		b := newBrowser(t, srv.Listener.Addr().String())
		cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v),
			oauth2.SetAuthURLParam("claims", claimsParam)), "alice@example.com", alicePass)
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		raw := tok.Extra("id_token").(string)
		if jws, err := jose.ParseSigned(raw); err != nil || jws.Signatures[0].Header.Algorithm != "ES256" {
			t.Fatalf("ID token alg: %v", err)
		}
		idToken, err := rp.verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("verify ES256 ID token: %v", err)
		}
		var c map[string]any
		_ = idToken.Claims(&c)
		addr, _ := c["address"].(map[string]any)
		if c["email"] != "alice@example.com" || c["email_verified"] != true || addr["locality"] != "Springfield" {
			t.Fatalf("ID token claims = %v", c)
		}
		if _, ok := c["phone_number"]; ok {
			t.Fatalf("phone_number released without the phone scope: %v", c)
		}

		// without the claims parameter the ID token stays minimal
		cb = b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v))).location(t)
		tok2, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		idToken2, err := rp.verifier.Verify(ctx, tok2.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		c = nil
		_ = idToken2.Claims(&c)
		if _, ok := c["email"]; ok {
			t.Fatalf("email in an ID token without the claims parameter: %v", c)
		}

		// UserInfo: the address object for the address scope
		info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		var uc struct {
			Address map[string]string `json:"address"`
		}
		_ = info.Claims(&uc)
		want := map[string]string{"street_address": "1 Main St", "locality": "Springfield", "postal_code": "12345", "country": "US"}
		if len(uc.Address) != len(want) || uc.Address["street_address"] != want["street_address"] || uc.Address["country"] != "US" {
			t.Fatalf("userinfo address = %v", uc.Address)
		}

		// a malformed claims parameter is invalid_request, sent to the client
		bad := b.get(rp.oauth.AuthCodeURL("state-0003", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("claims", `{"id_token":["email"]}`)))
		if loc := bad.location(t); loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "state-0003" {
			t.Fatalf("malformed claims: %s", loc)
		}
	})
}

// TestDiscoveryAdvertisesTokenFeatures: both ID token algorithms, the
// claims parameter and the address scope.
func TestDiscoveryAdvertisesTokenFeatures(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	p, err := oidc.NewProvider(context.Background(), srv.issuer)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Algs   []string `json:"id_token_signing_alg_values_supported"`
		Claims bool     `json:"claims_parameter_supported"`
		Scopes []string `json:"scopes_supported"`
	}
	if err := p.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Algs) != 2 || doc.Algs[0] != "RS256" || doc.Algs[1] != "ES256" || !doc.Claims || !slices.Contains(doc.Scopes, "address") {
		t.Fatalf("discovery = %+v", doc)
	}
}

// TestIDTokenHintAnyPublishedKey: an ES256 ID token, and one signed before a
// key rotation, are accepted as id_token_hint at the authorization
// endpoint (fosite alone would try the current RS256 key only).
func TestIDTokenHintAnyPublishedKey(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	srv.updateClient(t, clientID, func(c *storage.Client) { c.IDTokenSignedResponseAlg = "ES256" })
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	v := oauth2.GenerateVerifier()
	b := newBrowser(t, srv.Listener.Addr().String())
	cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	hint := tok.Extra("id_token").(string)
	for _, when := range []string{"ES256", "after rotation"} {
		if when == "after rotation" {
			if _, err := srv.keys.Rotate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		p := b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v),
			oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", hint)))
		code := p.location(t).Query().Get("code")
		if code == "" {
			t.Fatalf("%s: id_token_hint refused: %s", when, p.location(t))
		}
		if _, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(v)); err != nil {
			t.Fatalf("%s: exchange with an id_token_hint: %v", when, err)
		}
	}
}
