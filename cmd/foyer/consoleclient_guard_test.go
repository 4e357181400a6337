package main

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"foyer/admin/manage"
	"foyer/storage/sqlstore/sqltest"
)

// The end-to-end form of a review finding: an API client with the admin
// role (not owner) could repoint the console client's redirect URI at its
// own callback, have an owner's console sign-in land there and so become
// owner. It cannot even see the console client now, and an owner cannot
// change it either.
func TestAdminCannotRepointConsoleClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	attacker, _ := newAdminAPI(t, srv) // role admin, every store
	path := "/clients/" + manage.ConsoleClientID
	attacker.do(http.MethodGet, path, nil).expect(t, "admin reads the console client", http.StatusNotFound, "")
	body := map[string]any{"client_name": "Admin console", "application_id": manage.ConsoleApplicationID, "public": true,
		"token_endpoint_auth_method": "none", "redirect_uris": []string{srv.issuer + manage.ConsoleCallbackPath, rpCallback}}
	attacker.do(http.MethodPut, path, body, "If-Match", `"1"`).expect(t, "admin repoints the console client", http.StatusNotFound, "")
	attacker.do(http.MethodDelete, path, nil, "If-Match", `"1"`).expect(t, "admin deletes the console client", http.StatusNotFound, "")

	owner, _ := newOwnerAPI(t, srv)
	got := owner.do(http.MethodGet, path, nil).expect(t, "owner reads the console client", http.StatusOK, "")
	owner.do(http.MethodPut, path, body, "If-Match", got.etag()).expect(t, "owner repoints the console client", http.StatusConflict, "")
	c, err := srv.store.GetClient(ctx, manage.ConsoleClientID)
	if err != nil || !slices.Equal(c.RedirectURIs, []string{srv.issuer + manage.ConsoleCallbackPath}) {
		t.Fatalf("console client now %+v (%v)", c, err)
	}
}
