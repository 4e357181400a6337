package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

func (e *testEnv) group(t testing.TB, storeID, name string) *storage.Group {
	t.Helper()
	g := &storage.Group{StoreID: storeID, Name: name, CreatedAt: e.clock.Now()}
	if err := e.store.(consoleStore).CreateGroup(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGroupRoles: owners and admins rename and delete a group, support
// and auditors see its page without the forms and are refused both, and a
// store-A admin does not find a group of store B.
func TestGroupRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, c := range []struct {
		role  storage.AdminRole
		write bool
	}{{storage.RoleOwner, true}, {storage.RoleAdmin, true}, {storage.RoleSupport, false}, {storage.RoleAuditor, false}} {
		g := e.group(t, storeA, "g-"+string(c.role))
		br := e.signIn(t, e.admin(t, string(c.role)+"@example.com", grant(c.role)))
		path := "/admin/stores/" + storeA + "/groups/" + g.ID
		page := br.get(t, path)
		if page.status != http.StatusOK || strings.Contains(page.body, `id="group-name"`) == !c.write {
			t.Errorf("%s: group page %d (form shown %v)", c.role, page.status, strings.Contains(page.body, `id="group-name"`))
		}
		rename := br.post(t, path, url.Values{"name": {"r-" + string(c.role)}, "version": {"1"}})
		confirm := br.get(t, path+"/delete")
		del := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}})
		if c.write {
			if rename.status != http.StatusSeeOther || rename.location != path+"?notice=saved" {
				t.Errorf("%s: rename %d to %q", c.role, rename.status, rename.location)
			}
			if confirm.status != http.StatusOK || del.status != http.StatusSeeOther || del.location != "/admin/stores/"+storeA+"/groups?notice=deleted" {
				t.Errorf("%s: confirm %d, delete %d to %q", c.role, confirm.status, del.status, del.location)
			}
			continue
		}
		for what, got := range map[string]response{"rename": rename, "confirmation": confirm, "delete": del} {
			if got.status != http.StatusForbidden {
				t.Errorf("%s: %s = %d, want 403", c.role, what, got.status)
			}
		}
	}
	other := e.group(t, storeB, "theirs")
	scoped := e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA)))
	path := "/admin/stores/" + storeB + "/groups/" + other.ID
	for what, got := range map[string]response{
		"page": scoped.get(t, path), "rename": scoped.post(t, path, url.Values{"name": {"x"}, "version": {"1"}}),
		"confirmation": scoped.get(t, path+"/delete"), "delete": scoped.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}),
		"through store A": scoped.get(t, "/admin/stores/"+storeA+"/groups/"+other.ID),
	} {
		if got.status != http.StatusNotFound {
			t.Errorf("a store-A admin: store B's group %s = %d, want 404", what, got.status)
		}
	}
}

// TestGroupRenameDelete: a bad name shows its error beside the field with
// what was typed, a stale version is refused, deletion needs the
// confirmation and a group a portal restriction names stays with the
// service's sentence.
func TestGroupRenameDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	g := e.group(t, storeA, "gold")
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	path := "/admin/stores/" + storeA + "/groups/" + g.ID
	bad := br.post(t, path, url.Values{"name": {"no spaces"}, "version": {"1"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="name-error"`) || !strings.Contains(bad.body, `value="no spaces"`) {
		t.Errorf("bad name: %d", bad.status)
	}
	if got := br.post(t, path, url.Values{"name": {"platinum"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("rename: %d", got.status)
	}
	br.checkVersioned(t, path, "silver")
	app := &storage.Application{StoreID: storeA, Name: "Shop"}
	if err := e.store.CreateApplication(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPortalSettings(context.Background(), &storage.PortalSettings{ApplicationID: app.ID, Groups: []string{"platinum"}}); err != nil {
		t.Fatal(err)
	}
	held := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}})
	if held.status != http.StatusConflict || !strings.Contains(held.body, "portal restriction names the group") {
		t.Errorf("delete of a restricted group: %d", held.status)
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "group.renamed" {
		t.Errorf("audit actions %v", acts)
	}
}
