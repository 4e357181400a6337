package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// rolesTabFixture is an account of store A with organizations Acme and
// Globex and roles Admin and Viewer defined, and an organization of
// store B.
type rolesTabFixture struct {
	acct               *storage.Account
	acme, globex, bOrg string
	adminRole, viewer  string
	tab                string
}

func newRolesTabFixture(t *testing.T, e *testEnv) *rolesTabFixture {
	t.Helper()
	ctx := context.Background()
	s := e.store.(consoleStore)
	f := &rolesTabFixture{acct: e.account(t, storeA, "customer@example.com")}
	org := func(store, name string) string {
		o := &storage.Organization{StoreID: store, Name: name}
		if err := s.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	role := func(name string) string {
		r := &storage.StoreRole{StoreID: storeA, Name: name}
		if err := s.CreateStoreRole(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	f.globex, f.acme, f.bOrg = org(storeA, "Globex"), org(storeA, "Acme"), org(storeB, "B Org")
	f.viewer, f.adminRole = role("Viewer"), role("Admin")
	f.tab = "/admin/stores/" + storeA + "/accounts/" + f.acct.ID + "/roles"
	return f
}

// TestAccountRolesTab: support assigns and removes role pairs and
// memberships on the Roles tab, each change audited; bad or repeated
// input shows the tab again with the reason and changes nothing.
func TestAccountRolesTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newRolesTabFixture(t, e)
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))

		page := br.get(t, f.tab)
		if page.status != http.StatusOK || !strings.Contains(page.body, `href="`+f.tab+`" aria-current="page"`) ||
			!strings.Contains(page.body, `id="assign-role-form"`) || !strings.Contains(page.body, `<option value="`+f.acme+`">Acme</option>`) ||
			!strings.Contains(page.body, `<option value="`+f.viewer+`">Viewer</option>`) || strings.Contains(page.body, "B Org") {
			t.Fatalf("tab: %d\n%s", page.status, page.body)
		}
		for _, p := range [][2]string{{f.globex, f.viewer}, {f.acme, f.adminRole}} {
			got := br.post(t, f.tab, url.Values{"organization_id": {p[0]}, "role_id": {p[1]}})
			if got.status != http.StatusSeeOther || got.location != f.tab+"?notice=saved" {
				t.Fatalf("assign: %d to %q", got.status, got.location)
			}
		}
		page = br.get(t, f.tab)
		acme, globex := strings.Index(page.body, "<td data-label=\"Organization\">Acme</td>"), strings.Index(page.body, "<td data-label=\"Organization\">Globex</td>")
		if acme < 0 || globex < acme {
			t.Errorf("pairs not listed Acme then Globex:\n%s", page.body)
		}
		held := br.post(t, f.tab, url.Values{"organization_id": {f.globex}, "role_id": {f.viewer}})
		if held.status != http.StatusConflict || !strings.Contains(held.body, "the account holds this role in the organization already") {
			t.Errorf("a pair held: %d\n%s", held.status, held.body)
		}
		bad := br.post(t, f.tab, url.Values{"organization_id": {f.bOrg}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="organization_id-error"`) ||
			!strings.Contains(bad.body, `id="role_id-error"`) || !strings.Contains(bad.body, "<details class=\"admin-dialog\" open>") {
			t.Errorf("another store's organization and no role: %d\n%s", bad.status, bad.body)
		}

		remove := f.tab + "/" + f.acme + "/" + f.adminRole + "/remove"
		if got := br.post(t, remove, nil); got.status != http.StatusSeeOther || got.location != f.tab+"?notice=saved" {
			t.Fatalf("remove: %d to %q", got.status, got.location)
		}
		if got := br.post(t, remove, nil); got.status != http.StatusNotFound {
			t.Errorf("remove again: %d", got.status)
		}

		members := "/admin/stores/" + storeA + "/accounts/" + f.acct.ID + "/organizations"
		if got := br.post(t, members, url.Values{"organization_id": {f.acme}}); got.status != http.StatusSeeOther {
			t.Fatalf("add membership: %d", got.status)
		}
		page = br.get(t, f.tab)
		if !strings.Contains(page.body, `id="account-memberships"`) || !strings.Contains(page.body, members+"/"+f.acme+"/remove") {
			t.Errorf("membership not listed:\n%s", page.body)
		}
		if got := br.post(t, members, url.Values{}); got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, `id="member_organization_id-error"`) {
			t.Errorf("add no organization: %d", got.status)
		}
		if got := br.post(t, members+"/"+f.acme+"/remove", nil); got.status != http.StatusSeeOther {
			t.Errorf("remove membership: %d", got.status)
		}
		want := []string{"account.membership_removed", "account.membership_added", "account.role_removed",
			"account.role_assigned", "account.role_assigned"}
		if acts := e.auditActions(t); strings.Join(acts, " ") != strings.Join(want, " ") {
			t.Errorf("audit actions %v, want %v", acts, want)
		}
	})
}

// TestAccountRolesTabRefusals: the auditor reads without forms and is
// refused changes; an administrator of another store and accounts outside
// the store are refused; nothing changes.
func TestAccountRolesTabRefusals(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newRolesTabFixture(t, e)
		assign := url.Values{"organization_id": {f.acme}, "role_id": {f.viewer}}
		members := "/admin/stores/" + storeA + "/accounts/" + f.acct.ID + "/organizations"

		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		page := auditor.get(t, f.tab)
		if page.status != http.StatusOK || strings.Contains(page.body, `id="assign-role-form"`) || strings.Contains(page.body, `id="add-membership-form"`) {
			t.Errorf("auditor's tab: %d, forms shown", page.status)
		}
		if got := auditor.post(t, f.tab, assign); got.status != http.StatusForbidden {
			t.Errorf("auditor assigns: %d", got.status)
		}
		if got := auditor.post(t, members, url.Values{"organization_id": {f.acme}}); got.status != http.StatusForbidden {
			t.Errorf("auditor adds a membership: %d", got.status)
		}

		other := e.signIn(t, e.admin(t, "b-support@example.com", grant(storage.RoleSupport, storeB)))
		if got := other.get(t, f.tab); got.status != http.StatusNotFound && got.status != http.StatusForbidden {
			t.Errorf("store B's support reads: %d", got.status)
		}
		if got := other.post(t, f.tab, assign); got.status != http.StatusForbidden {
			t.Errorf("store B's support assigns: %d", got.status)
		}

		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		bAcct := e.account(t, storeB, "b@example.com")
		if got := support.get(t, "/admin/stores/"+storeA+"/accounts/"+bAcct.ID+"/roles"); got.status != http.StatusNotFound {
			t.Errorf("another store's account through store A: %d", got.status)
		}
		adm := e.admin(t, "owner@example.com", grant(storage.RoleOwner))
		if got := support.get(t, "/admin/stores/"+storage.AdministratorsStoreID+"/accounts/"+adm.ID+"/roles"); got.status != http.StatusNotFound {
			t.Errorf("an administrator's account: %d", got.status)
		}
		for _, a := range e.auditActions(t) {
			if strings.HasPrefix(a, "account.") {
				t.Errorf("a refused request wrote %s", a)
			}
		}
	})
}
