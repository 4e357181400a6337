package admin

import (
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An owner invites an administrator, sets their roles, disables, enables
// and removes them; each change is audited. Others are refused.
func TestAdministratorsLifecycle(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		invite := map[string]any{"email": "new@admins.example", "grants": []map[string]any{{"role": "support", "store_ids": []string{storeA}}}}
		for _, token := range []string{"admin", "support", "auditor", "admin-b", "robot"} {
			e.do(token, http.MethodPost, "/administrators", invite).expect(t, token+" invites", http.StatusForbidden)
		}
		created := e.do("owner", http.MethodPost, "/administrators", invite).expect(t, "invite", http.StatusCreated)
		id, tag := created.str("id"), created.header.Get("ETag")
		if id == "" || tag == "" || created.header.Get("Location") != APIPrefix+"/administrators/"+id || len(e.mailer.sent) != 1 || e.mailer.sent[0] != "new@admins.example" {
			t.Fatalf("invite answered %s; mail to %v", created.raw, e.mailer.sent)
		}
		if entry := e.lastAudit(); entry.TargetID != id || !strings.HasPrefix(entry.Action, "administrator.") || entry.ActorID != e.ids["owner"] || entry.Role != storage.RoleOwner {
			t.Fatalf("audit entry %+v", entry)
		}
		bad := e.do("owner", http.MethodPost, "/administrators", map[string]any{"email": "x", "grants": []map[string]any{{"role": "king"}}}).
			expect(t, "invite bad input", http.StatusUnprocessableEntity)
		if !strings.Contains(string(bad.raw), `"grants[0].role"`) || !strings.Contains(string(bad.raw), `"email"`) {
			t.Fatalf("validation problem %s", bad.raw)
		}

		for _, token := range []string{"owner", "auditor"} {
			if got := e.do(token, http.MethodGet, "/administrators/"+id, nil).expect(t, token+" reads", http.StatusOK); got.header.Get("ETag") != tag {
				t.Fatalf("%s reads ETag %q, invitation's %q", token, got.header.Get("ETag"), tag)
			}
			list := e.do(token, http.MethodGet, "/administrators?limit=2", nil).expect(t, token+" lists", http.StatusOK)
			if items, _ := list.body["items"].([]any); len(items) != 2 || list.str("next_cursor") == "" {
				t.Fatalf("first page %s", list.raw)
			}
		}
		for _, token := range []string{"admin", "support", "admin-b", "robot"} {
			e.do(token, http.MethodGet, "/administrators", nil).expect(t, token+" lists", http.StatusForbidden)
			e.do(token, http.MethodGet, "/administrators/"+id, nil).expect(t, token+" reads", http.StatusForbidden)
		}

		roles := map[string]any{"grants": []map[string]any{{"role": "auditor"}}}
		e.do("auditor", http.MethodPatch, "/administrators/"+id, roles, "If-Match", tag).expect(t, "auditor sets roles", http.StatusForbidden)
		set := e.do("owner", http.MethodPatch, "/administrators/"+id, roles, "If-Match", tag).expect(t, "set roles", http.StatusOK)
		tag = set.header.Get("ETag")
		if g, _ := set.body["grants"].([]any); len(g) != 1 || g[0].(map[string]any)["role"] != "auditor" {
			t.Fatalf("set roles answered %s", set.raw)
		}
		if entry := e.lastAudit(); entry.Action != "administrator.roles_set" || !strings.Contains(entry.Before, "support") || !strings.Contains(entry.After, "auditor") {
			t.Fatalf("audit entry %+v", entry)
		}

		e.do("admin", http.MethodPost, "/administrators/"+id+"/disable", nil, "If-Match", tag).expect(t, "admin disables", http.StatusForbidden)
		d := e.do("owner", http.MethodPost, "/administrators/"+id+"/disable", nil, "If-Match", tag).expect(t, "disable", http.StatusOK)
		if d.str("status") != string(storage.AccountDisabled) {
			t.Fatalf("disable answered %s", d.raw)
		}
		tag = d.header.Get("ETag")
		if entry := e.lastAudit(); entry.Action != "administrator.disabled" {
			t.Fatalf("audit entry %+v", entry)
		}
		en := e.do("owner", http.MethodPost, "/administrators/"+id+"/enable", nil, "If-Match", tag).expect(t, "enable", http.StatusOK)
		if en.str("status") != string(storage.AccountEnabled) {
			t.Fatalf("enable answered %s", en.raw)
		}
		tag = en.header.Get("ETag")
		self := e.do("owner", http.MethodGet, "/administrators/"+e.ids["owner"], nil).expect(t, "read oneself", http.StatusOK).header.Get("ETag")
		e.do("owner", http.MethodPost, "/administrators/"+e.ids["owner"]+"/disable", nil, "If-Match", self).expect(t, "disable oneself", http.StatusConflict)
		e.do("owner", http.MethodDelete, "/administrators/"+e.ids["owner"], nil, "If-Match", self).expect(t, "remove oneself", http.StatusConflict)

		e.do("auditor", http.MethodDelete, "/administrators/"+id, nil, "If-Match", tag).expect(t, "auditor removes", http.StatusForbidden)
		e.do("owner", http.MethodDelete, "/administrators/"+id, nil, "If-Match", tag).expect(t, "remove", http.StatusNoContent)
		e.do("owner", http.MethodGet, "/administrators/"+id, nil).expect(t, "read removed", http.StatusNotFound)
		if entry := e.lastAudit(); entry.TargetID != id || entry.Action != "administrator.removed" {
			t.Fatalf("audit entry %+v", entry)
		}
		e.do("owner", http.MethodGet, "/administrators/some-customer", nil).expect(t, "read a non-administrator", http.StatusNotFound)
	})
}
