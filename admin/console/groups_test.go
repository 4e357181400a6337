package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// TestGroups: a store's groups are listed and created (a bad name shows
// its error beside the field, with what was typed); an auditor cannot
// create one and a store-A admin does not find store B's.
func TestGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	path := "/admin/stores/" + storeA + "/groups"
	bad := br.post(t, path, url.Values{"name": {"no spaces please"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="name-error"`) || !strings.Contains(bad.body, `value="no spaces please"`) {
		t.Fatalf("bad group: %d", bad.status)
	}
	if got := br.post(t, path, url.Values{"name": {"vip"}}); got.status != http.StatusSeeOther || got.location != path+"?notice=created" {
		t.Fatalf("create: %d to %q", got.status, got.location)
	}
	if list := br.get(t, path); !strings.Contains(list.body, ">vip</a></li>") {
		t.Error("the list lacks the new group")
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "group.created" {
		t.Errorf("audit actions %v", acts)
	}
	auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
	if got := auditor.get(t, path); got.status != http.StatusOK || strings.Contains(got.body, `id="group-name"`) {
		t.Errorf("an auditor's list: %d", got.status)
	}
	if got := auditor.post(t, path, url.Values{"name": {"nope"}}); got.status != http.StatusForbidden {
		t.Errorf("an auditor creating a group: %d", got.status)
	}
	scoped := e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeA)))
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var got response
		if method == http.MethodGet {
			got = scoped.get(t, "/admin/stores/"+storeB+"/groups")
		} else {
			got = scoped.post(t, "/admin/stores/"+storeB+"/groups", url.Values{"name": {"nope"}})
		}
		if got.status != http.StatusNotFound {
			t.Errorf("a store-A admin: %s store B's groups = %d, want 404", method, got.status)
		}
	}
}
