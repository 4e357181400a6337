package admin

import (
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An application's life through the API: create with the Default
// policies, store-scoped reads, updates with If-Match, a policy
// assignment, deletion refused while it has clients; each role allowed
// and refused where it should be, each change audited.
func TestApplicationsAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		in := map[string]any{"store_id": storeA, "name": "Shop", "primary_color": "#112233"}
		for _, tok := range []string{"admin-b", "support", "auditor", "customer", "robot-no-scope"} {
			if got := e.do(tok, http.MethodPost, "/applications", in); got.status != http.StatusForbidden {
				t.Errorf("create as %s: %d %s", tok, got.status, got.raw)
			}
		}
		bad := e.do("admin", http.MethodPost, "/applications", map[string]any{"store_id": "nope", "name": "", "primary_color": "red"}).
			expect(t, "bad create", http.StatusUnprocessableEntity)
		for _, f := range []string{"store_id", "name", "primary_color"} {
			if !strings.Contains(string(bad.raw), `"field": "`+f+`"`) {
				t.Errorf("no error for %s: %s", f, bad.raw)
			}
		}
		created := e.do("admin", http.MethodPost, "/applications", in).expect(t, "create", http.StatusCreated)
		id := created.str("id")
		policies, _ := created.body["policies"].(map[string]any)
		if id == "" || created.header.Get("ETag") != `"1"` || created.header.Get("Location") != APIPrefix+"/applications/"+id ||
			policies["mfa"] == "" || policies["portal"] == "" {
			t.Fatalf("create answered %s %v", created.raw, created.header)
		}
		if entry := e.lastAudit(); entry.Action != "application.created" || entry.TargetID != id || entry.StoreID != storeA ||
			entry.Role != storage.RoleAdmin || entry.ActorID != e.ids["admin"] {
			t.Errorf("audit entry %+v", entry)
		}

		listB := e.do("admin-b", http.MethodGet, "/applications", nil).expect(t, "list as admin-b", http.StatusOK)
		if items, _ := listB.body["items"].([]any); len(items) != 1 {
			t.Errorf("admin-b sees %s", listB.raw)
		}
		page := e.do("auditor", http.MethodGet, "/applications?limit=2", nil).expect(t, "list page", http.StatusOK)
		next := page.str("next_cursor")
		rest := e.do("auditor", http.MethodGet, "/applications?limit=2&cursor="+next, nil).expect(t, "next page", http.StatusOK)
		if items, _ := rest.body["items"].([]any); next == "" || len(items) != 1 || rest.str("next_cursor") != "" {
			t.Errorf("paging: %s then %s", page.raw, rest.raw)
		}
		e.do("admin-b", http.MethodGet, "/applications/"+id, nil).expect(t, "another store's application", http.StatusNotFound)
		got := e.do("support", http.MethodGet, "/applications/"+id, nil).expect(t, "get", http.StatusOK)

		update := map[string]any{"name": "Shop 2", "organizational": true}
		e.do("admin", http.MethodPut, "/applications/"+id, update).expect(t, "update without If-Match", http.StatusPreconditionRequired)
		e.do("admin", http.MethodPut, "/applications/"+id, update, "If-Match", `"9"`).expect(t, "stale update", http.StatusPreconditionFailed)
		e.do("admin-b", http.MethodPut, "/applications/"+id, update, "If-Match", `"1"`).expect(t, "admin of another store", http.StatusNotFound)
		e.do("auditor", http.MethodPut, "/applications/"+id, update, "If-Match", `"1"`).expect(t, "auditor", http.StatusForbidden)
		got.body["name"] = "Shop 2" // GET, edit, PUT: the read-only fields may come back
		updated := e.do("admin", http.MethodPut, "/applications/"+id, got.body, "If-Match", `"1"`).expect(t, "update", http.StatusOK)
		if updated.header.Get("ETag") != `"2"` || updated.str("name") != "Shop 2" {
			t.Fatalf("update answered %s", updated.raw)
		}
		if entry := e.lastAudit(); entry.Action != "application.updated" || !strings.Contains(entry.Before, `"name":"Shop"`) {
			t.Errorf("audit entry %+v", entry)
		}

		p := e.do("owner", http.MethodPost, "/policies", map[string]any{"kind": "mfa", "name": "Strict",
			"mfa": map[string]any{"mode": "required", "methods": []string{"totp"}}}).expect(t, "create policy", http.StatusCreated)
		e.do("admin", http.MethodPut, "/applications/"+id+"/policies/colour", map[string]any{"policy_id": p.str("id")}).
			expect(t, "unknown kind", http.StatusUnprocessableEntity)
		e.do("admin", http.MethodPut, "/applications/"+id+"/policies/consent", map[string]any{"policy_id": p.str("id")}).
			expect(t, "a policy of another kind", http.StatusUnprocessableEntity)
		assigned := e.do("admin", http.MethodPut, "/applications/"+id+"/policies/mfa", map[string]any{"policy_id": p.str("id")}).
			expect(t, "assign", http.StatusOK)
		if pol, _ := assigned.body["policies"].(map[string]any); pol["mfa"] != p.str("id") || assigned.header.Get("ETag") != `"3"` {
			t.Errorf("assign answered %s", assigned.raw)
		}
		if app, _ := e.store.GetApplication(t.Context(), id); app.MFA.Mode != storage.MFARequired {
			t.Errorf("the application reads MFA %+v", app.MFA)
		}
		if entry := e.lastAudit(); entry.Action != "policy.assigned" || entry.TargetID != id {
			t.Errorf("audit entry %+v", entry)
		}

		e.do("admin", http.MethodDelete, "/applications/"+appA, nil, "If-Match", `"1"`).expect(t, "delete with a client", http.StatusConflict)
		e.do("admin", http.MethodDelete, "/applications/"+id, nil).expect(t, "delete without If-Match", http.StatusPreconditionRequired)
		e.do("admin", http.MethodDelete, "/applications/"+id, nil, "If-Match", `"3"`).expect(t, "delete", http.StatusNoContent)
		e.do("admin", http.MethodGet, "/applications/"+id, nil).expect(t, "deleted", http.StatusNotFound)
		if entry := e.lastAudit(); entry.Action != "application.deleted" || entry.TargetID != id {
			t.Errorf("audit entry %+v", entry)
		}
	})
}

// A named policy through the API: any role reads it, only an unlimited
// owner or admin changes it; a change reaches every application using it.
func TestPoliciesAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		in := map[string]any{"kind": "self_service", "name": "Closed",
			"self_service": map[string]any{"registration_enabled": false, "activation_enabled": false}}
		before := e.auditCount()
		for _, tok := range []string{"admin-b", "support", "auditor", "customer"} {
			if got := e.do(tok, http.MethodPost, "/policies", in); got.status != http.StatusForbidden {
				t.Errorf("create as %s: %d %s", tok, got.status, got.raw)
			}
		}
		bad := e.do("admin", http.MethodPost, "/policies", map[string]any{"kind": "mfa", "name": "x", "mfa": map[string]any{"mode": "sometimes"}}).
			expect(t, "bad body", http.StatusUnprocessableEntity)
		if !strings.Contains(string(bad.raw), `"field": "mfa"`) {
			t.Errorf("bad body answered %s", bad.raw)
		}
		e.do("admin", http.MethodPost, "/policies", map[string]any{"kind": "mfa", "name": "x", "colour": "red"}).
			expect(t, "unknown field", http.StatusBadRequest)
		if e.auditCount() != before {
			t.Error("refusals wrote audit entries")
		}
		created := e.do("admin", http.MethodPost, "/policies", in).expect(t, "create", http.StatusCreated)
		id := created.str("id")
		e.do("owner", http.MethodPost, "/policies", map[string]any{"kind": "self_service", "name": "CLOSED"}).
			expect(t, "a taken name", http.StatusConflict)
		for _, app := range []string{appA, appB} {
			e.do("owner", http.MethodPut, "/applications/"+app+"/policies/self_service", map[string]any{"policy_id": id}).
				expect(t, "assign", http.StatusOK)
		}
		got := e.do("support", http.MethodGet, "/policies/"+id, nil).expect(t, "get as support", http.StatusOK)
		if apps, _ := got.body["applications"].([]any); len(apps) != 2 || got.header.Get("ETag") != `"1"` {
			t.Errorf("get answered %s", got.raw)
		}

		change := map[string]any{"name": "Open", "self_service": map[string]any{"registration_enabled": true}}
		e.do("admin", http.MethodPut, "/policies/"+id, change).expect(t, "without If-Match", http.StatusPreconditionRequired)
		e.do("admin-b", http.MethodPut, "/policies/"+id, change, "If-Match", `"1"`).expect(t, "store-limited admin", http.StatusForbidden)
		got.body["name"] = "Open"
		got.body["self_service"] = map[string]any{"registration_enabled": true}
		updated := e.do("admin", http.MethodPut, "/policies/"+id, got.body, "If-Match", `"1"`).expect(t, "update", http.StatusOK)
		if updated.header.Get("ETag") != `"2"` || updated.str("name") != "Open" {
			t.Fatalf("update answered %s", updated.raw)
		}
		for _, app := range []string{appA, appB} {
			if stored, _ := e.store.GetApplication(t.Context(), app); !stored.SelfService.RegistrationEnabled {
				t.Errorf("%s did not follow the policy: %+v", app, stored.SelfService)
			}
		}
		if entry := e.lastAudit(); entry.Action != "policy.updated" || entry.TargetID != id || entry.StoreID != "" {
			t.Errorf("audit entry %+v", entry)
		}
		e.do("admin", http.MethodPut, "/policies/"+id, change, "If-Match", `"1"`).expect(t, "stale", http.StatusPreconditionFailed)
		e.do("admin", http.MethodDelete, "/policies/"+id, nil, "If-Match", `"2"`).expect(t, "delete assigned", http.StatusConflict)

		list := e.do("auditor", http.MethodGet, "/policies?kind=self_service&limit=1", nil).expect(t, "list", http.StatusOK)
		if list.str("next_cursor") == "" {
			t.Errorf("list answered %s", list.raw)
		}
		e.do("auditor", http.MethodGet, "/policies?kind=colour", nil).expect(t, "unknown kind", http.StatusUnprocessableEntity)

		d := e.do("owner", http.MethodPost, "/policies/"+id+"/default", nil).expect(t, "set default", http.StatusOK)
		if d.body["is_default"] != true {
			t.Errorf("default answered %s", d.raw)
		}
		e.do("owner", http.MethodDelete, "/policies/"+id, nil, "If-Match", d.header.Get("ETag")).expect(t, "delete the Default", http.StatusConflict)
		spare := e.do("owner", http.MethodPost, "/policies", map[string]any{"kind": "portal", "name": "Spare"}).expect(t, "create spare", http.StatusCreated)
		e.do("owner", http.MethodDelete, "/policies/"+spare.str("id"), nil, "If-Match", `"1"`).expect(t, "delete", http.StatusNoContent)
		if entry := e.lastAudit(); entry.Action != "policy.deleted" {
			t.Errorf("audit entry %+v", entry)
		}
	})
}
