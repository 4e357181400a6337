package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

func rolesPart(e *testEnv) part {
	return part{
		list:  func(storeID string) string { return "/admin/stores/" + storeID + "/roles" },
		form:  func(s string) url.Values { return url.Values{"name": {"Role " + s}, "description": {"about " + s}} },
		field: "role-name",
		create: func(t *testing.T, storeID, name string) string {
			t.Helper()
			r := &storage.StoreRole{StoreID: storeID, Name: name, CreatedAt: e.clock.Now()}
			if err := e.store.(consoleStore).CreateStoreRole(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			return r.ID
		},
	}
}

// TestRoleRoles: the role and store-scope checks of the roles pages.
func TestRoleRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	checkPartRoles(t, e, rolesPart(e))
}

// TestRoleForms: field errors beside their fields with what was typed, a
// taken name's sentence, a stale version refused, deletion only after
// the confirmation, and the list's order, paging and menu entry.
func TestRoleForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	list := "/admin/stores/" + storeA + "/roles"
	long := strings.Repeat("x", 501)
	bad := br.post(t, list, url.Values{"name": {"  "}, "description": {long}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="name-error"`) ||
		!strings.Contains(bad.body, `id="description-error"`) || !strings.Contains(bad.body, ">"+long+"</textarea>") {
		t.Errorf("bad role: %d", bad.status)
	}
	if got := br.post(t, list, url.Values{"name": {"Editor"}, "description": {"edits"}}); got.status != http.StatusSeeOther || got.location != list+"?notice=created" {
		t.Fatalf("create: %d to %q", got.status, got.location)
	}
	taken := br.post(t, list, url.Values{"name": {"editor"}})
	if taken.status != http.StatusConflict || !strings.Contains(taken.body, "a role with this name exists in the store") || !strings.Contains(taken.body, `value="editor"`) {
		t.Errorf("taken name: %d", taken.status)
	}
	id := rolesPart(e).create(t, storeA, "Viewer")
	path := list + "/" + id
	if got := br.post(t, path, url.Values{"name": {"Reader"}, "description": {"reads"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", got.status)
	}
	br.checkVersioned(t, path, "Looker")
	if store := br.get(t, "/admin/stores/"+storeA); !strings.Contains(store.body, `href="`+list+`"`) ||
		!strings.Contains(store.body, `href="/admin/stores/`+storeA+`/organizations"`) {
		t.Error("the store's page links neither its roles nor its organizations")
	}
	page := br.get(t, list)
	if !strings.Contains(page.body, ">Reader</a>") || !strings.Contains(page.body, `href="`+list+`" aria-current="page"`) {
		t.Error("the list lacks the role or the menu's Roles entry")
	}
	if strings.Index(page.body, ">Editor</a>") > strings.Index(page.body, ">Reader</a>") {
		t.Error("A-Z lists Reader before Editor")
	}
	down := br.get(t, list+"?sort=-name")
	if strings.Index(down.body, ">Editor</a>") < strings.Index(down.body, ">Reader</a>") {
		t.Error("Z-A lists Editor before Reader")
	}
	if got := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}}); got.status != http.StatusSeeOther || got.location != list+"?notice=deleted" {
		t.Errorf("delete: %d to %q", got.status, got.location)
	}
	want := []string{"role.deleted", "role.updated", "role.created"}
	if acts := e.auditActions(t); strings.Join(acts, " ") != strings.Join(want, " ") {
		t.Errorf("audit actions %v, want %v", acts, want)
	}
}
