package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/admin"
	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// A real console token (the foyer-admin client, an administrator signed
// in through Foyer's own authorization endpoint) opens the API as that
// administrator with their role; once an owner disables them, it does not.
// (The console's MFA is turned off here, and the client given the test's
// callback: the sign-in with MFA is the console's browser tests' to show.)
func TestAdminAPIAcceptsConsoleTokens(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	alice, err := createAccount(ctx, srv.store, accountSpec{StoreID: storage.AdministratorsStoreID, Email: "alice@example.com",
		Password: alicePass, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.store.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator,
		PrincipalID: alice.ID, Role: storage.RoleAuditor}); err != nil {
		t.Fatal(err)
	}
	if err := srv.store.SetMFAPolicy(ctx, manage.ConsoleApplicationID, storage.DefaultMFAPolicy()); err != nil {
		t.Fatal(err)
	}
	console, err := srv.store.GetClient(ctx, manage.ConsoleClientID)
	if err != nil {
		t.Fatal(err)
	}
	console.RedirectURIs = append(console.RedirectURIs, rpCallback)
	if err := srv.store.UpdateClient(ctx, console); err != nil {
		t.Fatal(err)
	}
	rp := newRelyingParty(t, srv.issuer, manage.ConsoleClientID, "", oidc.ScopeOpenID, "email")
	rp.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams // a public client
	tok := signedInTokens(t, srv, rp)

	auditor := &adminAPI{t: t, base: srv.issuer + admin.APIPrefix, token: tok.AccessToken}
	auditor.do(http.MethodGet, "/clients", nil).expect(t, "an auditor lists clients", http.StatusOK, "")
	read := auditor.do(http.MethodGet, "/administrators/"+alice.ID, nil).expect(t, "an auditor reads administrators", http.StatusOK, "")
	auditor.do(http.MethodPost, "/clients", map[string]any{"client_name": "x", "grant_types": []string{"client_credentials"}}).
		expect(t, "an auditor creates a client", http.StatusForbidden, "")

	// The owner disables alice through the API: her token stops working.
	owner, _ := newOwnerAPI(t, srv)
	owner.do(http.MethodPost, "/administrators/"+alice.ID+"/disable", nil, "If-Match", read.etag()).expect(t, "disable", http.StatusOK, "")
	entries, err := srv.store.ListAuditEntries(ctx, storage.AuditFilter{Action: "administrator.disabled", TargetID: alice.ID})
	if err != nil || len(entries) != 1 || entries[0].ActorKind != storage.PrincipalClient || entries[0].Role != storage.RoleOwner {
		t.Fatalf("audit entries %+v (%v)", entries, err)
	}
	r := auditor.do(http.MethodGet, "/clients", nil)
	if r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
		t.Fatalf("a disabled administrator's token: %d %s", r.status, r.raw)
	}
}

// newOwnerAPI is newAdminAPI with the owner role.
func newOwnerAPI(t *testing.T, srv *testServer) (*adminAPI, string) {
	t.Helper()
	api, id := newAdminAPI(t, srv)
	if err := srv.store.CreateAdminGrant(context.Background(), &storage.AdminGrant{
		PrincipalKind: storage.PrincipalClient, PrincipalID: id, Role: storage.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	return api, id
}
