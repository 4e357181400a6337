package admin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// accountRolesAPI is the API over a real database: stores "eu" and "us",
// in eu organizations Acme and Globex, roles Admin and Viewer and a
// customer; in us an organization, a role and a customer. Tokens: support,
// auditor and a support limited to us.
type accountRolesAPI struct {
	*storesAPI
	acct, usAcct        string
	acme, globex, usOrg string
	adminRole, viewer   string
	usRole              string
}

var accountRolesGrants = map[string]storage.AdminGrant{
	"support-bot": {Role: storage.RoleSupport},
	"auditor-bot": {Role: storage.RoleAuditor},
	"us-support":  {Role: storage.RoleSupport, StoreIDs: []string{"us"}},
}

func newAccountRolesAPI(t *testing.T, s storage.Store) *accountRolesAPI {
	t.Helper()
	ctx := t.Context()
	for _, id := range []string{storage.AdministratorsStoreID, "eu", "us"} {
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := fakeTokens{}
	for client, g := range accountRolesGrants {
		g.PrincipalKind, g.PrincipalID = storage.PrincipalClient, client
		if err := s.CreateAdminGrant(ctx, &g); err != nil {
			t.Fatal(err)
		}
		tokens[client] = Principal{ClientID: client, Scopes: []string{Scope}}
	}
	core := manage.NewCore(s, nil)
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(core, s, nil, ""), Audit: manage.NewAudit(s),
		Applications: manage.NewApplications(core, s), Policies: manage.NewPolicies(core, s),
		AccountRoles: manage.NewAccountRoles(core, s)})
	if err != nil {
		t.Fatal(err)
	}
	router := mux.NewRouter()
	h.Mount(router)
	e := &accountRolesAPI{storesAPI: &storesAPI{s: s, router: router}}
	org := func(store, name string) string {
		o := &storage.Organization{StoreID: store, Name: name}
		if err := s.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	role := func(store, name string) string {
		r := &storage.StoreRole{StoreID: store, Name: name}
		if err := s.CreateStoreRole(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	acct := func(store string) string {
		a := &storage.Account{StoreID: store, Status: storage.AccountEnabled, Email: "c@example.com"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	e.acme, e.globex, e.usOrg = org("eu", "Acme"), org("eu", "Globex"), org("us", "US Org")
	e.adminRole, e.viewer, e.usRole = role("eu", "Admin"), role("eu", "Viewer"), role("us", "US Role")
	e.acct, e.usAcct = acct("eu"), acct("us")
	return e
}

func bothAccountRolesAPI(t *testing.T, fn func(t *testing.T, e *accountRolesAPI)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newAccountRolesAPI(t, newStore(t)))
	})
}

func (e *accountRolesAPI) audit(t *testing.T) []storage.AuditEntry {
	t.Helper()
	entries, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestAccountRolesAPI(t *testing.T) {
	bothAccountRolesAPI(t, func(t *testing.T, e *accountRolesAPI) {
		base := "/stores/eu/accounts/" + e.acct + "/roles"
		rec := e.must(t, http.StatusCreated, "support-bot", http.MethodPost, base,
			encode(t, map[string]string{"organization_id": e.globex, "role_id": e.viewer}), "")
		pair := decodeBody[manage.AccountRole](t, rec)
		if pair.OrganizationName != "Globex" || pair.RoleName != "Viewer" ||
			rec.Header().Get("Location") != APIPrefix+base+"/"+e.globex+"/"+e.viewer {
			t.Errorf("assigned %+v at %q", pair, rec.Header().Get("Location"))
		}
		entry := e.audit(t)[0]
		if entry.Action != "account.role_assigned" || entry.TargetID != e.acct || entry.ActorID != "support-bot" ||
			!strings.Contains(entry.After, `"role":"Viewer"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		e.must(t, http.StatusCreated, "support-bot", http.MethodPost, base,
			encode(t, map[string]string{"organization_id": e.acme, "role_id": e.adminRole}), "")
		e.must(t, http.StatusConflict, "support-bot", http.MethodPost, base,
			encode(t, map[string]string{"organization_id": e.globex, "role_id": e.viewer}), "")

		items := decodeBody[list[manage.AccountRole]](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, base, "", ""))
		if len(items.Items) != 2 || items.Items[0].OrganizationName != "Acme" || items.Items[1].OrganizationName != "Globex" {
			t.Fatalf("list = %+v", items)
		}
		e.must(t, http.StatusNoContent, "support-bot", http.MethodDelete, base+"/"+e.acme+"/"+e.adminRole, "", "")
		if entry := e.audit(t)[0]; entry.Action != "account.role_removed" || !strings.Contains(entry.Before, `"organization":"Acme"`) {
			t.Errorf("removal entry = %+v", entry)
		}
		e.must(t, http.StatusNotFound, "support-bot", http.MethodDelete, base+"/"+e.acme+"/"+e.adminRole, "", "")
		items = decodeBody[list[manage.AccountRole]](t, e.must(t, http.StatusOK, "support-bot", http.MethodGet, base, "", ""))
		if len(items.Items) != 1 {
			t.Errorf("after removal: %+v", items)
		}
	})
}

func TestAccountRolesAPIRefusals(t *testing.T) {
	bothAccountRolesAPI(t, func(t *testing.T, e *accountRolesAPI) {
		base := "/stores/eu/accounts/" + e.acct
		body := encode(t, map[string]string{"organization_id": e.acme, "role_id": e.viewer})
		before := len(e.audit(t))
		e.must(t, http.StatusForbidden, "auditor-bot", http.MethodPost, base+"/roles", body, "")
		e.must(t, http.StatusForbidden, "us-support", http.MethodPost, base+"/roles", body, "")
		e.must(t, http.StatusForbidden, "us-support", http.MethodGet, base+"/roles", "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodGet, "/stores/us/accounts/"+e.acct+"/roles", "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodPost, "/stores/eu/accounts/"+e.usAcct+"/roles", body, "")
		rec := e.must(t, http.StatusUnprocessableEntity, "support-bot", http.MethodPost, base+"/roles",
			encode(t, map[string]string{"organization_id": e.usOrg, "role_id": e.usRole}), "")
		if !strings.Contains(rec.Body.String(), "organization_id") || !strings.Contains(rec.Body.String(), "role_id") {
			t.Errorf("validation problem = %s", rec.Body)
		}
		e.must(t, http.StatusUnprocessableEntity, "support-bot", http.MethodPost, base+"/roles", `{}`, "")
		e.must(t, http.StatusBadRequest, "support-bot", http.MethodPost, base+"/roles", `{"organization":"x"}`, "")
		e.must(t, http.StatusForbidden, "auditor-bot", http.MethodDelete, base+"/roles/"+e.acme+"/"+e.viewer, "", "")
		e.must(t, http.StatusForbidden, "auditor-bot", http.MethodPut, base+"/organizations/"+e.acme, "", "")
		e.must(t, http.StatusForbidden, "us-support", http.MethodPut, base+"/organizations/"+e.acme, "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodPut, base+"/organizations/"+e.usOrg, "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodDelete, base+"/organizations/"+e.acme, "", "")
		e.must(t, http.StatusMethodNotAllowed, "support-bot", http.MethodGet, base+"/roles/"+e.acme+"/"+e.viewer, "", "")
		if n := len(e.audit(t)); n != before {
			t.Errorf("refused requests wrote %d audit entries", n-before)
		}
		items := decodeBody[list[manage.AccountRole]](t, e.must(t, http.StatusOK, "support-bot", http.MethodGet, base+"/roles", "", ""))
		if len(items.Items) != 0 {
			t.Errorf("refused requests assigned %+v", items.Items)
		}
	})
}

func TestAccountOrganizationsAPI(t *testing.T) {
	bothAccountRolesAPI(t, func(t *testing.T, e *accountRolesAPI) {
		base := "/stores/eu/accounts/" + e.acct + "/organizations"
		m := decodeBody[manage.AccountOrganization](t, e.must(t, http.StatusCreated, "support-bot", http.MethodPut, base+"/"+e.globex, "", ""))
		if m.OrganizationName != "Globex" {
			t.Errorf("membership = %+v", m)
		}
		if entry := e.audit(t)[0]; entry.Action != "account.membership_added" || entry.TargetID != e.acct ||
			!strings.Contains(entry.After, `"organization":"Globex"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		count := len(e.audit(t))
		e.must(t, http.StatusOK, "support-bot", http.MethodPut, base+"/"+e.globex, "", "")
		if len(e.audit(t)) != count {
			t.Error("a second PUT wrote an audit entry")
		}
		e.must(t, http.StatusCreated, "support-bot", http.MethodPut, base+"/"+e.acme, "", "")
		items := decodeBody[list[manage.AccountOrganization]](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, base, "", ""))
		if len(items.Items) != 2 || items.Items[0].OrganizationName != "Acme" {
			t.Fatalf("list = %+v", items)
		}
		e.must(t, http.StatusNoContent, "support-bot", http.MethodDelete, base+"/"+e.acme, "", "")
		if entry := e.audit(t)[0]; entry.Action != "account.membership_removed" || !strings.Contains(entry.Before, `"organization":"Acme"`) {
			t.Errorf("removal entry = %+v", entry)
		}
		items = decodeBody[list[manage.AccountOrganization]](t, e.must(t, http.StatusOK, "support-bot", http.MethodGet, base, "", ""))
		if len(items.Items) != 1 || items.Items[0].OrganizationID != e.globex {
			t.Errorf("after removal: %+v", items)
		}
	})
}
