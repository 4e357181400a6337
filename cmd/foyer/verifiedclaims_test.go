package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestVerifiedClaims: a relying party granted the verified_claims scope
// finds the account's current manual verification in the ID token and at
// UserInfo (OpenID Connect for Identity Assurance); without the scope, or
// once the verification is revoked, there is none.
func TestVerifiedClaims(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		alice := srv.accountWithAttributes(t, "alice@example.com", alicePass, nil)
		pol := &storage.VerificationPolicy{StoreID: defaultStoreID, Name: "Branch", Methods: []string{"in person", "video call"}}
		if err := srv.store.CreateVerificationPolicy(ctx, pol); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
		ver := &storage.IdentityVerification{AccountID: alice.ID, StoreID: defaultStoreID, PolicyID: pol.ID, Method: "video call",
			AdminID: "adm", AdminName: "ada@example.com", CreatedAt: at}
		if err := srv.store.RecordIdentityVerification(ctx, ver); err != nil {
			t.Fatal(err)
		}
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Bank", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true,
			Scopes: []string{"openid", "email", "offline_access", authz.VerifiedClaimsScope}})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess, authz.VerifiedClaimsScope)
		b := newBrowser(t, srv.Listener.Addr().String())

		idClaims, tok := verifiedSignIn(t, rp, b, "state-vc01", true)
		want := map[string]any{"trust_framework": authz.TrustFramework, "time": "2026-12-01T09:30:00Z",
			"verification_process": ver.ID, "assurance_process": map[string]any{"policy": "Branch", "procedure": "video call"}}
		checkVerifiedClaims(t, "ID token", idClaims, want)
		checkVerifiedClaims(t, "UserInfo", userInfoClaims(t, rp, tok), want)
		tok = refreshedTokens(t, rp, tok)
		checkVerifiedClaims(t, "refreshed ID token", refreshedIDClaims(t, rp, tok), want)

		plain := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email")
		if c, tok := verifiedSignIn(t, plain, b, "state-vc02", false); c["verified_claims"] != nil || userInfoClaims(t, plain, tok)["verified_claims"] != nil {
			t.Errorf("verified_claims without the scope: %v", c)
		}

		if _, err := srv.store.RevokeIdentityVerification(ctx, alice.ID, ver.ID, "bob@example.com", time.Now()); err != nil {
			t.Fatal(err)
		}
		if c := userInfoClaims(t, rp, tok); c["verified_claims"] != nil {
			t.Errorf("UserInfo still carries a revoked verification: %v", c)
		}
		if c, _ := verifiedSignIn(t, rp, b, "state-vc03", false); c["verified_claims"] != nil {
			t.Errorf("a new ID token carries a revoked verification: %v", c)
		}
		// A refresh issues the ID token anew, without the revoked verification.
		if c := refreshedIDClaims(t, rp, refreshedTokens(t, rp, tok)); c["verified_claims"] != nil {
			t.Errorf("a refreshed ID token carries a revoked verification: %v", c)
		}
	})
}

// verifiedSignIn runs the code flow (signing in on the first call) and
// returns the ID token's claims and the tokens.
func verifiedSignIn(t *testing.T, rp *relyingParty, b *browser, state string, signIn bool) (map[string]any, *oauth2.Token) {
	t.Helper()
	ctx := context.Background()
	v := oauth2.GenerateVerifier()
	authURL := rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(v))
	var code string
	if signIn {
		code = b.signIn(authURL, "alice@example.com", alicePass).Query().Get("code")
	} else {
		code = b.get(authURL).location(t).Query().Get("code")
	}
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	idToken, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := idToken.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c, tok
}

// refreshedTokens spends tok's refresh token.
func refreshedTokens(t *testing.T, rp *relyingParty, tok *oauth2.Token) *oauth2.Token {
	t.Helper()
	fresh, err := rp.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return fresh
}

func refreshedIDClaims(t *testing.T, rp *relyingParty, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify the refreshed ID token: %v", err)
	}
	var c map[string]any
	if err := idToken.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func checkVerifiedClaims(t *testing.T, where string, c map[string]any, want map[string]any) {
	t.Helper()
	vc, _ := c["verified_claims"].(map[string]any)
	verification, _ := vc["verification"].(map[string]any)
	claims, ok := vc["claims"].(map[string]any)
	if verification == nil || !ok || len(claims) != 0 {
		t.Fatalf("%s: verified_claims = %v", where, c["verified_claims"])
	}
	for k, w := range want {
		got := verification[k]
		if m, ok := w.(map[string]any); ok {
			g, _ := got.(map[string]any)
			if len(g) != len(m) || g["policy"] != m["policy"] || g["procedure"] != m["procedure"] {
				t.Errorf("%s: verification.%s = %v, want %v", where, k, got, w)
			}
			continue
		}
		if got != w {
			t.Errorf("%s: verification.%s = %v, want %v", where, k, got, w)
		}
	}
}

// TestDiscoveryAdvertisesIdentityAssurance: the scope, the claim and the
// OIDC4IDA metadata.
func TestDiscoveryAdvertisesIdentityAssurance(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	p, err := oidc.NewProvider(context.Background(), srv.issuer)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scopes     []string  `json:"scopes_supported"`
		Claims     []string  `json:"claims_supported"`
		Supported  bool      `json:"verified_claims_supported"`
		Frameworks []string  `json:"trust_frameworks_supported"`
		InVerified *[]string `json:"claims_in_verified_claims_supported"`
	}
	if err := p.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(doc.Scopes, "verified_claims") || !slices.Contains(doc.Claims, "verified_claims") || !doc.Supported ||
		!slices.Equal(doc.Frameworks, []string{"foyer_manual"}) || doc.InVerified == nil {
		t.Fatalf("discovery = %+v", doc)
	}
}
