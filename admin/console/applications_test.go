package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// TestApplications: the list shows the applications of the stores the
// actor sees; creating one shows field errors first, then lands in the
// list with application.created in the audit log; an auditor and a
// store-B admin creating in store A are refused.
func TestApplications(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	bad := br.post(t, "/admin/applications", url.Values{"name": {""}, "store_id": {storeA}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="name-error"`) {
		t.Fatalf("bad application: %d", bad.status)
	}
	got := br.post(t, "/admin/applications", url.Values{"name": {"Shop app"}, "store_id": {storeA}, "id": {"shop-app"}, "organizational": {"yes"}})
	if got.status != http.StatusSeeOther || got.location != "/admin/applications/shop-app?notice=created" {
		t.Fatalf("create: %d to %q: %s", got.status, got.location, got.body)
	}
	if list := br.get(t, "/admin/applications"); !strings.Contains(list.body, "Shop app") || !strings.Contains(list.body, "shop-app") {
		t.Error("the list lacks the new application")
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "application.created" {
		t.Errorf("audit actions %v", acts)
	}
	auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
	if got := auditor.get(t, "/admin/applications"); got.status != http.StatusOK || strings.Contains(got.body, `method="post" action="/admin/applications"`) {
		t.Errorf("an auditor's list: %d, with the creation form: %v", got.status, strings.Contains(got.body, `method="post" action="/admin/applications"`))
	}
	scoped := e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeB)))
	if list := scoped.get(t, "/admin/applications"); strings.Contains(list.body, "Shop app") {
		t.Error("a store-B admin sees store A's application")
	}
	for name, b := range map[string]*browser{"auditor": auditor, "store-B admin": scoped} {
		if got := b.post(t, "/admin/applications", url.Values{"name": {"Nope"}, "store_id": {storeA}}); got.status != http.StatusForbidden {
			t.Errorf("%s creating in store A: %d", name, got.status)
		}
	}
}
