package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// TestStoreRoleChecks: every role reads the stores it may see; only admin
// and owner change them, a store-A admin only store A (store B is not
// found for it), and an auditor or support changes nothing.
func TestStoreRoleChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	browsers := map[string]*browser{
		"admin":   e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin))),
		"support": e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport))),
		"auditor": e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor))),
		"scoped":  e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA))),
	}
	// Another store is not found for a store-A admin (the service does not
	// tell it exists); a role without the permission is forbidden.
	const ok, forbidden, notFound = http.StatusOK, http.StatusForbidden, http.StatusNotFound
	for _, g := range []struct {
		path string
		want map[string]int
	}{
		{"/admin/stores", map[string]int{"admin": ok, "support": ok, "auditor": ok, "scoped": ok}},
		{"/admin/stores/" + storeB, map[string]int{"admin": ok, "support": ok, "auditor": ok, "scoped": notFound}},
		{"/admin/stores/" + storeB + "/attributes", map[string]int{"admin": ok, "support": forbidden, "auditor": forbidden, "scoped": notFound}},
		{"/admin/stores/" + storeB + "/delete", map[string]int{"admin": ok, "support": forbidden, "auditor": forbidden, "scoped": notFound}},
		{"/admin/stores/" + storeA + "/attributes", map[string]int{"admin": ok, "support": forbidden, "auditor": forbidden, "scoped": ok}},
	} {
		for who, want := range g.want {
			if got := browsers[who].get(t, g.path); got.status != want {
				t.Errorf("%s: GET %s = %d, want %d", who, g.path, got.status, want)
			}
		}
	}
	if list := browsers["scoped"].get(t, "/admin/stores"); strings.Contains(list.body, "Store B") || !strings.Contains(list.body, "Store A") {
		t.Error("a store-A admin's list shows store B or lacks store A")
	}
	for _, who := range []string{"support", "auditor", "scoped"} {
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/admin/stores", url.Values{"name": {"New"}, "identifier_types": {"email"}}},
			{"/admin/stores/" + storeB, url.Values{"name": {"Renamed"}, "identifier_types": {"email"}, "version": {"1"}}},
			{"/admin/stores/" + storeB + "/attributes", url.Values{"name": {"tier"}, "type": {"string"}, "version": {"1"}}},
			{"/admin/stores/" + storeB + "/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}},
		} {
			want := forbidden
			if who == "scoped" && p.path != "/admin/stores" {
				want = notFound
			}
			if got := browsers[who].post(t, p.path, p.form); got.status != want {
				t.Errorf("%s: POST %s = %d, want %d", who, p.path, got.status, want)
			}
		}
	}
	if acts := e.auditActions(t); len(acts) != 0 {
		t.Errorf("refused changes wrote %v", acts)
	}
	if got := browsers["scoped"].post(t, "/admin/stores/"+storeA, url.Values{"name": {"Store A2"}, "identifier_types": {"email"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Errorf("a store-A admin renaming store A: %d", got.status)
	}
}

// TestStoreLifecycle: create a store (errors beside the fields first),
// rename it, add a custom attribute (errors first), edit and remove it
// through its confirmation, refuse a stale form, and delete the store
// through its confirmation; the audit log has each change.
func TestStoreLifecycle(t *testing.T) {
	t.Parallel()
	onBothStores(t, storeLifecycle)
}

func storeLifecycle(t *testing.T, e *testEnv) {
	br := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	bad := br.post(t, "/admin/stores", url.Values{"name": {"Shop"}, "id": {"Not An Id!"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="id-error"`) ||
		!strings.Contains(bad.body, `id="types-error"`) || !strings.Contains(bad.body, `value="Shop"`) {
		t.Fatalf("bad store: %d", bad.status)
	}
	got := br.post(t, "/admin/stores", url.Values{"name": {"Shop"}, "id": {"shop"}, "identifier_types": {"email", "username"}})
	if got.status != http.StatusSeeOther || got.location != "/admin/stores/shop?notice=created" {
		t.Fatalf("create: %d to %q %s", got.status, got.location, got.body)
	}
	if got := br.post(t, "/admin/stores/shop", url.Values{"name": {"Web shop"}, "identifier_types": {"email", "username"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", got.status, got.body)
	}
	stale := br.post(t, "/admin/stores/shop", url.Values{"name": {"Old tab"}, "identifier_types": {"email"}, "version": {"1"}})
	if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.body, "Someone else changed this meanwhile") {
		t.Errorf("a stale form: %d", stale.status)
	}
	badAttr := br.post(t, "/admin/stores/shop/attributes", url.Values{"name": {"bad name"}, "type": {"enum"}, "version": {"2"}, "label": {"Tier"}})
	if badAttr.status != http.StatusUnprocessableEntity || !strings.Contains(badAttr.body, `id="attr-name-error"`) || !strings.Contains(badAttr.body, `value="Tier"`) {
		t.Fatalf("bad attribute: %d", badAttr.status)
	}
	if got := br.post(t, "/admin/stores/shop/attributes", url.Values{"name": {"loyalty_id"}, "label": {"Loyalty number"}, "type": {"string"},
		"visible": {"yes"}, "editable": {"yes"}, "admin_visible": {"yes"}, "version": {"2"}}); got.status != http.StatusSeeOther {
		t.Fatalf("add attribute: %d %s", got.status, got.body)
	}
	page := br.get(t, "/admin/stores/shop")
	if !strings.Contains(page.body, "loyalty_id") || !strings.Contains(page.body, "Loyalty number") {
		t.Error("the store page lacks the new attribute")
	}
	if got := br.post(t, "/admin/stores/shop/attributes/loyalty_id", url.Values{"name": {"loyalty_id"}, "label": {"Member number"}, "type": {"string"},
		"required": {"yes"}, "visible": {"yes"}, "editable": {"yes"}, "version": {"3"}}); got.status != http.StatusSeeOther {
		t.Fatalf("edit attribute: %d %s", got.status, got.body)
	}
	s, err := e.store.GetIdentityStore(t.Context(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Attributes) != 1 || s.Attributes[0].Label != "Member number" || !s.Attributes[0].Required || s.Attributes[0].AdminVisible {
		t.Errorf("schema after editing %+v", s.Attributes)
	}
	if got := br.post(t, "/admin/stores/shop/attributes/loyalty_id/remove", url.Values{"version": {"4"}}); got.location != "/admin/stores/shop/attributes/loyalty_id/remove" {
		t.Errorf("removal without confirm goes to %q", got.location)
	}
	if got := br.post(t, "/admin/stores/shop/attributes/loyalty_id/remove", url.Values{"version": {"4"}, "confirm": {"yes"}}); got.status != http.StatusSeeOther {
		t.Fatalf("remove attribute: %d %s", got.status, got.body)
	}
	e.account(t, "shop", "customer@example.com")
	full := br.post(t, "/admin/stores/shop/delete", url.Values{"version": {"5"}, "confirm": {"yes"}})
	if full.status != http.StatusConflict {
		t.Errorf("deleting a store with an account: %d", full.status)
	}
	br.checkConfirmation(t, "/admin/stores/"+storeB+"/delete", "1")
	if got := br.post(t, "/admin/stores/"+storeB+"/delete", url.Values{"version": {"1"}, "confirm": {"yes"}}); got.location != "/admin/stores?notice=deleted" {
		t.Fatalf("delete: %d to %q", got.status, got.location)
	}
	want := "store.deleted store.updated store.updated store.updated store.renamed store.created"
	if acts := strings.Join(e.auditActions(t), " "); acts != want {
		t.Errorf("audit actions %q, want %q", acts, want)
	}
	if _, err := manage.NewStores(manage.NewCore(e.store.(consoleStore), nil), e.store.(consoleStore)).Get(t.Context(), manage.System(), storeB); err == nil {
		t.Error("store B is still there")
	}
}
