package admin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// A client's whole life through the API: create, read with its ETag,
// updates refused without If-Match (428) or with a stale one (412), a
// rotation with an overlap, deletion; each change writes its audit entry,
// with the actor, role and before/after, and no secret.
func TestClientsLifecycle(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		created := e.do("admin", http.MethodPost, "/clients", map[string]any{"client_name": "Shop", "application_id": appA}).
			expect(t, "create", http.StatusCreated)
		id, secret := created.str("client_id"), created.str("client_secret")
		if id == "" || secret == "" || created.header.Get("ETag") != `"1"` || created.header.Get("Location") != APIPrefix+"/clients/"+id ||
			created.body["client_secret_expires_at"] != 0.0 || created.body["version"] != 1.0 {
			t.Fatalf("create answered %s %v", created.raw, created.header)
		}
		entry := e.lastAudit()
		if entry.Action != "client.created" || entry.TargetID != id || entry.StoreID != storeA || entry.ActorID != e.ids["admin"] ||
			entry.ActorKind != storage.PrincipalAdministrator || entry.Role != storage.RoleAdmin || entry.UserAgent != "apitest" ||
			strings.Contains(entry.After, secret) || !strings.Contains(entry.After, `"client_name":"Shop"`) {
			t.Fatalf("audit entry %+v", entry)
		}

		got := e.do("auditor", http.MethodGet, "/clients/"+id, nil).expect(t, "get", http.StatusOK)
		if got.header.Get("ETag") != `"1"` || got.str("client_secret") != "" || got.str("client_name") != "Shop" {
			t.Fatalf("get answered %s %v", got.raw, got.header)
		}

		update := map[string]any{"client_name": "Shop 2", "application_id": appA}
		e.do("admin", http.MethodPut, "/clients/"+id, update).expect(t, "update without If-Match", http.StatusPreconditionRequired)
		e.do("admin", http.MethodPut, "/clients/"+id, update, "If-Match", `W/"1"`).expect(t, "update with a weak ETag", http.StatusBadRequest)
		e.do("admin", http.MethodPut, "/clients/"+id, update, "If-Match", `"7"`).expect(t, "update with a stale ETag", http.StatusPreconditionFailed)
		before := e.auditCount()
		e.do("admin", http.MethodPut, "/clients/"+id, map[string]any{"client_name": ""}, "If-Match", `"1"`).
			expect(t, "update with a bad input", http.StatusUnprocessableEntity)
		if e.auditCount() != before {
			t.Fatal("refused updates wrote audit entries")
		}
		// GET, edit, PUT: the read-only fields may come back.
		got.body["client_name"] = "Shop 2"
		updated := e.do("admin", http.MethodPut, "/clients/"+id, got.body, "If-Match", `"1"`).expect(t, "update", http.StatusOK)
		if updated.header.Get("ETag") != `"2"` || updated.str("client_name") != "Shop 2" {
			t.Fatalf("update answered %s %v", updated.raw, updated.header)
		}
		if entry := e.lastAudit(); entry.Action != "client.updated" || !strings.Contains(entry.Before, `"Shop"`) || !strings.Contains(entry.After, `"Shop 2"`) {
			t.Fatalf("audit entry %+v", entry)
		}
		e.do("admin", http.MethodPut, "/clients/"+id, update, "If-Match", `"1"`).expect(t, "the other administrator's update", http.StatusPreconditionFailed)

		rotated := e.do("admin", http.MethodPost, "/clients/"+id+"/secret", map[string]any{"overlap_seconds": 3600}).expect(t, "rotate", http.StatusOK)
		newSecret := rotated.str("client_secret")
		exp, err := time.Parse(time.RFC3339Nano, rotated.str("previous_secret_expires_at"))
		if newSecret == "" || newSecret == secret || err != nil || !within(exp, time.Now().Add(time.Hour), time.Minute) || rotated.header.Get("ETag") != `"3"` {
			t.Fatalf("rotation answered %s", rotated.raw)
		}
		stored, _ := e.store.GetClient(t.Context(), id)
		if len(stored.PreviousSecretHash) == 0 || stored.PreviousSecretExpiresAt == nil {
			t.Fatalf("the previous secret was not kept: %+v", stored)
		}
		entry = e.lastAudit()
		if entry.Action != "client.secret_rotated" || strings.Contains(entry.After+entry.Before, newSecret) {
			t.Fatalf("audit entry %+v", entry)
		}
		now := e.do("admin", http.MethodPost, "/clients/"+id+"/secret", nil, "If-Match", `"3"`).expect(t, "rotate without overlap", http.StatusOK)
		if now.body["previous_secret_expires_at"] != nil {
			t.Fatalf("a rotation without overlap kept the previous secret: %s", now.raw)
		}
		e.do("admin", http.MethodPost, "/clients/"+id+"/secret", nil, "If-Match", `"3"`).expect(t, "rotate at a stale version", http.StatusPreconditionFailed)

		e.do("admin", http.MethodDelete, "/clients/"+id, nil).expect(t, "delete without If-Match", http.StatusPreconditionRequired)
		e.do("admin", http.MethodDelete, "/clients/"+id, nil, "If-Match", `"2"`).expect(t, "delete stale", http.StatusPreconditionFailed)
		e.do("admin", http.MethodDelete, "/clients/"+id, nil, "If-Match", `"4"`).expect(t, "delete", http.StatusNoContent)
		e.do("admin", http.MethodGet, "/clients/"+id, nil).expect(t, "get deleted", http.StatusNotFound)
		if entry := e.lastAudit(); entry.Action != "client.deleted" || entry.TargetID != id || entry.After != "" {
			t.Fatalf("audit entry %+v", entry)
		}
	})
}

func TestClientSecretRotationRefusals(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, sqltest.SQLite(t))
	public := e.do("admin", http.MethodPost, "/clients", map[string]any{"client_name": "SPA", "public": true}).expect(t, "create public", http.StatusCreated)
	e.do("admin", http.MethodPost, "/clients/"+public.str("client_id")+"/secret", nil).expect(t, "rotate a public client", http.StatusConflict)
	for _, body := range []string{`{"overlap_seconds": 604801}`, `{"overlap_seconds": -1}`} {
		r := e.do("admin", http.MethodPost, "/clients/robot/secret", body).expect(t, "overlap "+body, http.StatusUnprocessableEntity)
		if errs, _ := r.body["errors"].([]any); len(errs) != 1 || !strings.Contains(string(r.raw), `"overlap_seconds"`) {
			t.Fatalf("%s", r.raw)
		}
	}
	e.do("admin", http.MethodPost, "/clients/robot/secret", `{"overlap": 1}`).expect(t, "unknown field", http.StatusBadRequest)
	e.do("admin", http.MethodPost, "/clients/missing/secret", nil).expect(t, "missing client", http.StatusNotFound)
}

// Lists page by id with an opaque cursor; an administrator limited to a
// store sees only that store's clients.
func TestClientsPaging(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		for _, app := range []string{appA, appA, appB, appB, appB} {
			e.do("owner", http.MethodPost, "/clients", map[string]any{"client_name": "C", "application_id": app}).expect(t, "create", http.StatusCreated)
		}
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			q := url.Values{"limit": {"2"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			page := e.do("owner", http.MethodGet, "/clients?"+q.Encode(), nil).expect(t, "list", http.StatusOK)
			items, _ := page.body["items"].([]any)
			for _, it := range items {
				seen[it.(map[string]any)["client_id"].(string)] = true
			}
			pages++
			cursor = page.str("next_cursor")
			if cursor == "" {
				break
			}
			if len(items) != 2 {
				t.Fatalf("a page before the last has %d items", len(items))
			}
		}
		if len(seen) != 6 || pages != 3 { // five and the robot
			t.Fatalf("paging saw %d clients in %d pages", len(seen), pages)
		}
		var onlyB struct {
			Items []manage.Client `json:"items"`
		}
		if err := json.Unmarshal(e.do("admin-b", http.MethodGet, "/clients?limit=200", nil).expect(t, "list as admin-b", http.StatusOK).raw, &onlyB); err != nil {
			t.Fatal(err)
		}
		if len(onlyB.Items) != 3 {
			t.Fatalf("admin of store B sees %d clients, want its 3", len(onlyB.Items))
		}
		for _, c := range onlyB.Items {
			if c.ApplicationID != appB {
				t.Fatalf("admin of store B sees %+v", c)
			}
		}
		for _, q := range []string{"limit=0", "limit=201", "limit=x", "cursor=%25%25"} {
			e.do("owner", http.MethodGet, "/clients?"+q, nil).expect(t, q, http.StatusBadRequest)
		}
	})
}

// Each role may do what its permissions say on the client's store and is
// refused the rest; refusals change nothing and write no audit entry.
func TestClientsRoles(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		ok, forbidden, hidden := http.StatusOK, http.StatusForbidden, http.StatusNotFound
		tests := []struct {
			token                           string
			list, get, create, update, drop int
		}{
			{"owner", ok, ok, http.StatusCreated, ok, http.StatusNoContent},
			{"admin", ok, ok, http.StatusCreated, ok, http.StatusNoContent},
			{"robot", ok, ok, http.StatusCreated, ok, http.StatusNoContent},
			{"support", ok, ok, forbidden, forbidden, forbidden},
			{"auditor", ok, ok, forbidden, forbidden, forbidden},
			// A grant limited to store B: store A's clients are not there.
			{"admin-b", ok, hidden, forbidden, hidden, hidden},
		}
		for _, tc := range tests {
			c := e.do("owner", http.MethodPost, "/clients", map[string]any{"client_name": "A", "application_id": appA}).expect(t, "create", http.StatusCreated)
			id := c.str("client_id")
			n := e.auditCount()
			e.do(tc.token, http.MethodGet, "/clients", nil).expect(t, tc.token+" list", tc.list)
			e.do(tc.token, http.MethodGet, "/clients/"+id, nil).expect(t, tc.token+" get", tc.get)
			e.do(tc.token, http.MethodPut, "/clients/"+id, map[string]any{"client_name": "B"}, "If-Match", `"1"`).expect(t, tc.token+" update", tc.update)
			e.do(tc.token, http.MethodPost, "/clients/"+id+"/secret", nil).expect(t, tc.token+" rotate", tc.update)
			e.do(tc.token, http.MethodDelete, "/clients/"+id, nil, "If-Match", `"`+map[bool]string{true: "3", false: "1"}[tc.update == ok]+`"`).
				expect(t, tc.token+" delete", tc.drop)
			e.do(tc.token, http.MethodPost, "/clients", map[string]any{"client_name": "New", "application_id": appA}).expect(t, tc.token+" create", tc.create)
			if tc.update != ok && e.auditCount() != n {
				t.Fatalf("%s: refused changes wrote audit entries", tc.token)
			}
		}
		// An admin of store B manages store B's clients, and cannot move
		// one into store A.
		b := e.do("admin-b", http.MethodPost, "/clients", map[string]any{"client_name": "B", "application_id": appB}).expect(t, "admin-b create", http.StatusCreated)
		e.do("admin-b", http.MethodPut, "/clients/"+b.str("client_id"), map[string]any{"client_name": "B", "application_id": appA}, "If-Match", `"1"`).
			expect(t, "admin-b moves a client to store A", http.StatusForbidden)
		if entry := e.lastAudit(); entry.Role != storage.RoleAdmin || entry.StoreID != storeB || entry.ActorID != e.ids["admin-b"] {
			t.Fatalf("audit entry %+v", entry)
		}
	})
}

// Bodies and URLs the client endpoints cannot read are 400 (404 for an
// unknown client) before anything else, and change nothing.
func TestClientsRefuseUnreadableInput(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, sqltest.SQLite(t))
	tests := []struct {
		name, method, path string
		body               any
		status             int
		detail             string
	}{
		{"unknown field", "POST", "/clients", `{"client_name":"x","client_secret":"mine"}`, 400, `unknown field "client_secret"`},
		{"wrong type", "POST", "/clients", `{"client_name":["x"]}`, 400, `"client_name" has the wrong type`},
		{"not JSON", "POST", "/clients", `client_name=x`, 400, "not valid JSON"},
		{"two objects", "POST", "/clients", `{"client_name":"x"} {}`, 400, "single JSON object"},
		{"too large", "POST", "/clients", `{"client_name":"` + strings.Repeat("x", maxBody) + `"}`, 400, "larger than"},
		{"another client_id", "PUT", "/clients/robot", map[string]any{"client_id": "other", "client_name": "x"}, 400, "does not match"},
		{"unknown client", "GET", "/clients/nope", nil, 404, ""},
		{"update unknown client", "PUT", "/clients/nope", map[string]any{"client_name": "x"}, 404, ""},
		{"delete unknown client", "DELETE", "/clients/nope", nil, 404, ""},
	}
	before := e.auditCount()
	for _, tc := range tests {
		r := e.do("owner", tc.method, tc.path, tc.body, "If-Match", `"1"`).expect(t, tc.name, tc.status)
		if !strings.Contains(r.str("detail"), tc.detail) {
			t.Errorf("%s: detail %q, want it to mention %q", tc.name, r.str("detail"), tc.detail)
		}
	}
	// The wrong content type is refused before the body is read.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+APIPrefix+"/clients", strings.NewReader(`{"client_name":"x"}`))
	req.Header.Set("Authorization", "Bearer owner")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("form-encoded create: %d", resp.StatusCode)
	}
	if got, _ := e.store.GetClient(t.Context(), "robot"); got.Name != "Robot" || got.Version != 1 || e.auditCount() != before {
		t.Fatalf("refused requests changed something: %+v", got)
	}
}

// An owner gives a client roles (audited); its token then acts with them.
// Others may not, and bad grants name their field.
func TestClientRoles(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		roles := map[string]any{"grants": []map[string]any{{"role": "auditor", "store_ids": []string{storeB}}}}
		for _, token := range []string{"admin", "auditor", "support", "admin-b", "robot"} {
			e.do(token, http.MethodPut, "/clients/robot/roles", roles, "If-Match", `"1"`).expect(t, token+" sets roles", http.StatusForbidden)
		}
		for token, status := range map[string]int{"owner": 200, "auditor": 200, "admin": 403, "support": 403, "robot": 403} {
			e.do(token, http.MethodGet, "/clients/robot/roles", nil).expect(t, token+" reads roles", status)
		}
		tag := e.do("owner", http.MethodGet, "/clients/robot/roles", nil).header.Get("ETag")
		set := e.do("owner", http.MethodPut, "/clients/robot/roles", roles, "If-Match", tag).expect(t, "set roles", http.StatusOK)
		if g, _ := set.body["grants"].([]any); len(g) != 1 || g[0].(map[string]any)["role"] != "auditor" {
			t.Fatalf("set roles answered %s", set.raw)
		}
		if entry := e.lastAudit(); entry.Action != "client.roles_set" || entry.TargetID != "robot" ||
			!strings.Contains(entry.Before, `"admin"`) || !strings.Contains(entry.After, `"auditor"`) {
			t.Fatalf("audit entry %+v", entry)
		}
		// The robot is now an auditor of store B: it reads store B's audit
		// entries and creates nothing.
		e.do("robot", http.MethodPost, "/clients", map[string]any{"client_name": "x", "application_id": appB}).expect(t, "robot creates", http.StatusForbidden)
		e.do("robot", http.MethodGet, "/audit?store="+storeB, nil).expect(t, "robot reads store B's log", http.StatusOK)

		bad := e.do("owner", http.MethodPut, "/clients/robot/roles", map[string]any{"grants": []map[string]any{
			{"role": "king"}, {"role": "admin", "store_ids": []string{"nope"}}, {"role": "admin"}}}, "If-Match", set.header.Get("ETag")).expect(t, "bad grants", http.StatusUnprocessableEntity)
		for _, field := range []string{`"grants[0].role"`, `"grants[1].store_ids"`, `"grants[2].role"`} {
			if !strings.Contains(string(bad.raw), field) {
				t.Errorf("the problem does not name %s: %s", field, bad.raw)
			}
		}
		e.do("owner", http.MethodPut, "/clients/nope/roles", roles, "If-Match", tag).expect(t, "unknown client", http.StatusNotFound)
		e.do("owner", http.MethodPut, "/clients/robot/roles", map[string]any{"grants": []any{}}, "If-Match", set.header.Get("ETag")).expect(t, "no roles", http.StatusOK)
		e.do("robot", http.MethodGet, "/clients", nil).expect(t, "a client without roles", http.StatusForbidden)
	})
}
