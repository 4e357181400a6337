package main

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
)

// orgFixture is an organizational application "B2B Portal" with a
// first-party client issuing JWT access tokens, the organizations Acme
// and Globex, the roles admin and viewer, and three customers:
//   - alice holds admin and viewer in Acme and viewer in Globex;
//   - bob holds viewer in Acme;
//   - carol is a member of Acme without a role (membership does not count).
type orgFixture struct {
	srv                *testServer
	rp                 *relyingParty
	acme, globex       *storage.Organization
	admin, viewer      *storage.StoreRole
	alice, bob, carol  *storage.Account
	clientID, secret   string
	verifier           string
	orgScopes          []string
	nonOrgID, nonOrgSe string // a client of the default, non-organizational application
}

func newOrgFixture(t *testing.T, store storage.Store) *orgFixture {
	t.Helper()
	ctx := t.Context()
	srv := startServer(t, store)
	if err := srv.store.CreateApplication(ctx, &storage.Application{ID: "b2b", StoreID: defaultStoreID, Name: "B2B Portal", Organizational: true}); err != nil {
		t.Fatal(err)
	}
	f := &orgFixture{srv: srv, verifier: oauth2.GenerateVerifier(),
		acme: &storage.Organization{StoreID: defaultStoreID, Name: "Acme"}, globex: &storage.Organization{StoreID: defaultStoreID, Name: "Globex"},
		admin: &storage.StoreRole{StoreID: defaultStoreID, Name: "admin"}, viewer: &storage.StoreRole{StoreID: defaultStoreID, Name: "viewer"},
		orgScopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess, "email", "roles"}}
	for _, o := range []*storage.Organization{f.acme, f.globex} {
		if err := srv.store.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*storage.StoreRole{f.admin, f.viewer} {
		if err := srv.store.CreateStoreRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	f.alice = srv.account(t, "alice@example.com", alicePass)
	f.bob = srv.account(t, "bob@example.com", alicePass)
	f.carol = srv.account(t, "carol@example.com", alicePass)
	f.grant(t, f.alice, f.acme, f.admin)
	f.grant(t, f.alice, f.acme, f.viewer)
	f.grant(t, f.alice, f.globex, f.viewer)
	f.grant(t, f.bob, f.acme, f.viewer)
	if err := srv.store.AddOrganizationMember(ctx, &storage.OrganizationMember{StoreID: defaultStoreID, OrganizationID: f.acme.ID, AccountID: f.carol.ID}); err != nil {
		t.Fatal(err)
	}
	f.clientID, f.secret = srv.client(t, authz.ClientSpec{ApplicationID: "b2b", Name: "B2B", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true, AccessTokenFormat: authz.AccessTokenFormatJWT,
		Scopes: f.orgScopes})
	f.rp = newRelyingParty(t, srv.issuer, f.clientID, f.secret, f.orgScopes...)
	f.nonOrgID, f.nonOrgSe = srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true, Scopes: []string{"openid", "roles"}})
	return f
}

// grant gives acct role in org; revoke takes it away.
func (f *orgFixture) grant(t *testing.T, acct *storage.Account, org *storage.Organization, role *storage.StoreRole) {
	t.Helper()
	if err := f.srv.store.AssignAccountRole(t.Context(), &storage.AccountRole{StoreID: defaultStoreID, AccountID: acct.ID,
		OrganizationID: org.ID, RoleID: role.ID}); err != nil {
		t.Fatal(err)
	}
}

func (f *orgFixture) revoke(t *testing.T, acct *storage.Account, org *storage.Organization, role *storage.StoreRole) {
	t.Helper()
	if err := f.srv.store.RemoveAccountRole(t.Context(), acct.ID, org.ID, role.ID); err != nil {
		t.Fatal(err)
	}
}

// authURL is the organizational client's authorization request.
func (f *orgFixture) authURL(state string, extra ...oauth2.AuthCodeOption) string {
	return f.rp.oauth.AuthCodeURL(state, append(extra, oauth2.S256ChallengeOption(f.verifier))...)
}

// signInPage drives the sign-in pages from authURL and returns where the
// browser lands after the password (following Foyer's own redirects).
func signInPage(t *testing.T, b *browser, authURL, email string) *page {
	t.Helper()
	p := b.get(authURL)
	p = b.submit(p, map[string]string{"identifier": email})
	return b.submit(p, map[string]string{"password": alicePass})
}

// wantPicker checks p is the organization picker offering exactly names
// (in order) and returns it.
func wantPicker(t *testing.T, p *page, names ...string) *page {
	t.Helper()
	if p.status != http.StatusOK || p.url.Path != authz.OrganizationPath || !strings.Contains(p.body, "<h1>Choose an organization</h1>") {
		t.Fatalf("want the organization picker, got %d at %s (Location %s):\n%s", p.status, p.url, p.resp.Header.Get("Location"), p.body)
	}
	got := strings.Count(p.body, `type="radio" id="organization-`)
	last := -1
	for _, n := range names {
		i := strings.Index(p.body, "> "+html.EscapeString(n)+"</label>")
		if i < 0 || i < last {
			t.Fatalf("picker lacks %q or lists it out of order:\n%s", n, p.body)
		}
		last = i
	}
	if got != len(names) {
		t.Fatalf("picker offers %d organizations, want %v:\n%s", got, names, p.body)
	}
	return p
}

// orgTokens exchanges the code at the redirect and returns the tokens with
// the ID token's claims.
func (f *orgFixture) orgTokens(t *testing.T, cb *url.URL) (*oauth2.Token, map[string]any) {
	t.Helper()
	if cb.Query().Get("code") == "" {
		t.Fatalf("want a code at the client, got %s", cb)
	}
	tok, err := f.rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok, idTokenClaims(t, f.rp, tok)
}

func idTokenClaims(t *testing.T, rp *relyingParty, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// jwtClaims verifies a JWT access token against the JWKS and returns its
// claims.
func jwtClaims(t *testing.T, srv *testServer, raw string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(raw)
	if err != nil {
		t.Fatalf("access token is not a JWS: %v", err)
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
	keys := set.Key(jws.Signatures[0].Protected.KeyID)
	if len(keys) != 1 {
		t.Fatal("access token signed by a key the JWKS lacks")
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("access token signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// wantOrg checks the organization claims of one set of claims.
func wantOrg(t *testing.T, where string, claims map[string]any, org *storage.Organization, roles ...string) {
	t.Helper()
	want := make([]any, len(roles))
	for i, r := range roles {
		want[i] = r
	}
	if claims["org_id"] != org.ID || claims["org_name"] != org.Name || !reflect.DeepEqual(claims["roles"], want) {
		t.Fatalf("%s: org_id %v, org_name %v, roles %v; want %s, %s, %v", where, claims["org_id"], claims["org_name"], claims["roles"], org.ID, org.Name, roles)
	}
}

// wantOrgEverywhere checks the ID token, the JWT access token and
// UserInfo of tok.
func (f *orgFixture) wantOrgEverywhere(t *testing.T, tok *oauth2.Token, idClaims map[string]any, org *storage.Organization, roles ...string) {
	t.Helper()
	wantOrg(t, "ID token", idClaims, org, roles...)
	wantOrg(t, "access token", jwtClaims(t, f.srv, tok.AccessToken), org, roles...)
	wantOrg(t, "UserInfo", userInfoClaims(t, f.rp, tok), org, roles...)
}
