package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestPortalOrganizationInvite: an organization administrator signed in
// to the real portal invites a colleague through the server's invitation
// service; the e-mail's link starts at this server's third-party initiated
// login for the organizational client.
func TestPortalOrganizationInvite(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	srv := startServerWith(t, sqltest.SQLite(t), configure)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(srv.store.CreateApplication(ctx, &storage.Application{ID: "b2b", StoreID: defaultStoreID, Name: "Acme Works", Organizational: true}))
	must(srv.store.CreateClient(ctx, &storage.Client{ID: "b2b-portal", ApplicationID: "b2b", Name: "Acme Works portal",
		RedirectURIs: []string{"https://b2b.example/cb"}, InitiateLoginURI: "https://b2b.example/start",
		GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}, Scopes: []string{"openid"}, Public: true}))
	org := &storage.Organization{StoreID: defaultStoreID, Name: "Acme"}
	must(srv.store.CreateOrganization(ctx, org))
	admin := &storage.StoreRole{StoreID: defaultStoreID, Name: "customer admin", OrganizationAdmin: true}
	editor := &storage.StoreRole{StoreID: defaultStoreID, Name: "editor", Assignable: true}
	must(srv.store.CreateStoreRole(ctx, admin))
	must(srv.store.CreateStoreRole(ctx, editor))

	u := newPortalUser(t, srv, "alice@example.com")
	must(srv.store.AssignAccountRole(ctx, &storage.AccountRole{StoreID: defaultStoreID, AccountID: u.account.ID, OrganizationID: org.ID, RoleID: admin.ID}))
	p := u.get("/account/organizations")
	wantStatus(t, "organization", p, http.StatusOK)
	wantBody(t, "organization", p, "<h1>Acme</h1>", `<option value="b2b-portal" selected>Acme Works portal</option>`)
	// A form posted from another origin is refused before the portal
	// sees it, as every portal form is.
	forged, _ := http.NewRequest(http.MethodPost, srv.issuer+"/account/organizations/"+org.ID+"/invitations",
		strings.NewReader(url.Values{"email": {"x@example.com"}, "client_id": {"b2b-portal"}}.Encode()))
	forged.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	forged.Header.Set("Origin", "https://evil.example")
	resp, err := u.b.Do(forged)
	must(err)
	resp.Body.Close()
	if invs, _ := srv.store.ListInvitations(ctx, defaultStoreID, org.ID, "", 0); resp.StatusCode != http.StatusForbidden || len(invs) != 0 {
		t.Errorf("cross-origin invitation: status %d, %d invitations", resp.StatusCode, len(invs))
	}
	p = u.post("/account/organizations/"+org.ID+"/invitations", "email", "new.hire@example.com", "client_id", "b2b-portal", "role_ids", editor.ID)
	wantBody(t, "invite", p, "The invitation is on its way.", "new.hire@example.com")
	mail := in.Next(t, "new.hire@example.com")
	link := srv.issuer + authz.InitiatePath + "?client_id=b2b-portal&login_hint=invitation%3A"
	if !strings.Contains(mail.Text, link) || !strings.Contains(mail.Text, "Acme") {
		t.Errorf("invitation e-mail lacks %s or the organization:\n%s", link, mail.Text)
	}
}
