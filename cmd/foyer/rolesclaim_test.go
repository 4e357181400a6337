package main

import (
	"context"
	"slices"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// rolesFixture is alice holding admin and viewer in Acme and viewer in
// Globex (a member of neither: only role pairs count).
type rolesFixture struct {
	acme, globex      *storage.Organization
	adminRole, viewer *storage.StoreRole
	clientID, secret  string
	signIn            func(t *testing.T, scopes ...string) (*relyingParty, *oauth2.Token, map[string]any)
}

func newRolesFixture(t *testing.T, srv *testServer) *rolesFixture {
	t.Helper()
	ctx := context.Background()
	alice := srv.account(t, "alice@example.com", alicePass)
	f := &rolesFixture{acme: &storage.Organization{StoreID: defaultStoreID, Name: "Acme"},
		globex:    &storage.Organization{StoreID: defaultStoreID, Name: "Globex"},
		adminRole: &storage.StoreRole{StoreID: defaultStoreID, Name: "admin"},
		viewer:    &storage.StoreRole{StoreID: defaultStoreID, Name: "viewer"}}
	for _, o := range []*storage.Organization{f.acme, f.globex} {
		if err := srv.store.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*storage.StoreRole{f.adminRole, f.viewer} {
		if err := srv.store.CreateStoreRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range [][2]string{{f.acme.ID, f.adminRole.ID}, {f.acme.ID, f.viewer.ID}, {f.globex.ID, f.viewer.ID}} {
		if err := srv.store.AssignAccountRole(ctx, &storage.AccountRole{StoreID: defaultStoreID, AccountID: alice.ID,
			OrganizationID: p[0], RoleID: p[1]}); err != nil {
			t.Fatal(err)
		}
	}
	f.clientID, f.secret = srv.client(t, authz.ClientSpec{Name: "Partner portal", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true, Scopes: []string{"openid", "email", "roles"}})
	f.signIn = func(t *testing.T, scopes ...string) (*relyingParty, *oauth2.Token, map[string]any) {
		t.Helper()
		rp := newRelyingParty(t, srv.issuer, f.clientID, f.secret, scopes...)
		v := oauth2.GenerateVerifier()
		b := newBrowser(t, srv.Listener.Addr().String())
		cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		idToken, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := idToken.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		return rp, tok, claims
	}
	return f
}

// userInfoClaims asks UserInfo with the token.
func userInfoClaims(t *testing.T, rp *relyingParty, tok *oauth2.Token) map[string]any {
	t.Helper()
	info, err := rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var claims map[string]any
	if err := info.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// checkRoles compares a "roles" claim with organization id → role names.
func checkRoles(t *testing.T, where string, claims map[string]any, names map[string]string, want map[string][]string) {
	t.Helper()
	got, ok := claims["roles"].(map[string]any)
	if !ok || len(got) != len(want) {
		t.Fatalf("%s: roles = %v, want %v", where, claims["roles"], want)
	}
	for orgID, roles := range want {
		o, _ := got[orgID].(map[string]any)
		list, _ := o["roles"].([]any)
		if o["name"] != names[orgID] || len(list) != len(roles) {
			t.Fatalf("%s: roles[%s] = %v, want %s with %v", where, orgID, got[orgID], names[orgID], roles)
		}
		for i, r := range roles {
			if list[i] != r {
				t.Errorf("%s: roles[%s].roles = %v, want %v", where, orgID, list, roles)
			}
		}
	}
}

// TestRolesClaim: a relying party asking for the roles scope gets the
// account's roles per organization in the ID token and from UserInfo;
// one not asking gets neither; a role removed is gone from the next
// UserInfo answer. Discovery advertises the scope and the claim.
func TestRolesClaim(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		f := newRolesFixture(t, srv)
		names := map[string]string{f.acme.ID: "Acme", f.globex.ID: "Globex"}

		rp, tok, idClaims := f.signIn(t, oidc.ScopeOpenID, "roles")
		want := map[string][]string{f.acme.ID: {"admin", "viewer"}, f.globex.ID: {"viewer"}}
		checkRoles(t, "ID token", idClaims, names, want)
		checkRoles(t, "UserInfo", userInfoClaims(t, rp, tok), names, want)

		if err := srv.store.RemoveAccountRole(context.Background(), idClaimsSubject(t, idClaims), f.acme.ID, f.adminRole.ID); err != nil {
			t.Fatal(err)
		}
		checkRoles(t, "UserInfo after a removal", userInfoClaims(t, rp, tok), names,
			map[string][]string{f.acme.ID: {"viewer"}, f.globex.ID: {"viewer"}})

		rp, tok, idClaims = f.signIn(t, oidc.ScopeOpenID, "email")
		if _, ok := idClaims["roles"]; ok {
			t.Errorf("ID token without the roles scope carries roles: %v", idClaims)
		}
		if info := userInfoClaims(t, rp, tok); info["roles"] != nil || info["email"] != "alice@example.com" {
			t.Errorf("UserInfo without the roles scope = %v", info)
		}

		var doc struct {
			Scopes []string `json:"scopes_supported"`
			Claims []string `json:"claims_supported"`
		}
		if err := rp.provider.Claims(&doc); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(doc.Scopes, "roles") || !slices.Contains(doc.Claims, "roles") {
			t.Errorf("discovery scopes %v, claims %v: roles missing", doc.Scopes, doc.Claims)
		}
	})
}

func idClaimsSubject(t *testing.T, claims map[string]any) string {
	t.Helper()
	sub, _ := claims["sub"].(string)
	if sub == "" {
		t.Fatalf("no sub in %v", claims)
	}
	return sub
}
