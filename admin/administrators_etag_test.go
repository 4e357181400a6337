package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An administrator's changes need If-Match: without it 428, with a stale
// ETag 412 and nothing changes, with the current one the change is made
// and answers the new ETag.
func TestAdministratorsIfMatch(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		created := e.do("owner", http.MethodPost, "/administrators", map[string]any{"email": "etag@admins.example",
			"grants": []map[string]any{{"role": "support"}}}).expect(t, "invite", http.StatusCreated)
		path := "/administrators/" + created.str("id")
		tag := e.do("owner", http.MethodGet, path, nil).expect(t, "read", http.StatusOK).header.Get("ETag")
		if tag == "" || tag != created.header.Get("ETag") {
			t.Fatalf("read ETag %q, invitation's %q", tag, created.header.Get("ETag"))
		}
		roles := map[string]any{"grants": []map[string]any{{"role": "auditor"}}}
		changes := []struct {
			method, path string
			body         any
		}{{http.MethodPatch, path, roles}, {http.MethodPost, path + "/disable", nil},
			{http.MethodPost, path + "/enable", nil}, {http.MethodDelete, path, nil}}
		audited := e.auditCount()
		for _, c := range changes {
			e.do("owner", c.method, c.path, c.body).expect(t, c.method+" "+c.path+" without If-Match", http.StatusPreconditionRequired)
			e.do("owner", c.method, c.path, c.body, "If-Match", `"1"`).expect(t, c.method+" "+c.path+" stale", http.StatusPreconditionFailed)
			e.do("owner", c.method, c.path, c.body, "If-Match", "W/"+tag).expect(t, c.method+" "+c.path+" weak", http.StatusBadRequest)
		}
		now := e.do("owner", http.MethodGet, path, nil).expect(t, "read after the refusals", http.StatusOK)
		if now.header.Get("ETag") != tag || now.str("status") != string(storage.AccountEnabled) || firstRole(now) != "support" {
			t.Fatalf("refused changes changed %s (ETag %q)", now.raw, now.header.Get("ETag"))
		}
		if e.auditCount() != audited {
			t.Fatal("refused changes wrote audit entries")
		}

		set := e.do("owner", http.MethodPatch, path, roles, "If-Match", tag).expect(t, "set roles", http.StatusOK)
		fresh := set.header.Get("ETag")
		if fresh == "" || fresh == tag || fresh != e.do("owner", http.MethodGet, path, nil).header.Get("ETag") {
			t.Fatalf("set roles answered ETag %q (was %q)", fresh, tag)
		}
		e.do("owner", http.MethodPost, path+"/disable", nil, "If-Match", tag).expect(t, "disable at the old ETag", http.StatusPreconditionFailed)
		disabled := e.do("owner", http.MethodPost, path+"/disable", nil, "If-Match", fresh).expect(t, "disable", http.StatusOK)
		if disabled.header.Get("ETag") == fresh {
			t.Fatal("disable kept the ETag")
		}
		e.do("owner", http.MethodDelete, path, nil, "If-Match", fresh).expect(t, "remove at the old ETag", http.StatusPreconditionFailed)
		e.do("owner", http.MethodDelete, path, nil, "If-Match", disabled.header.Get("ETag")).expect(t, "remove", http.StatusNoContent)
	})
}

// Two role changes sent at once with the same ETag: one succeeds, the
// other is 412.
func TestAdministratorsConcurrentIfMatch(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		created := e.do("owner", http.MethodPost, "/administrators", map[string]any{"email": "race@admins.example",
			"grants": []map[string]any{{"role": "admin"}}}).expect(t, "invite", http.StatusCreated)
		path := "/administrators/" + created.str("id")
		statuses := e.concurrently(http.MethodPatch, path, created.header.Get("ETag"),
			map[string]any{"grants": []map[string]any{{"role": "support"}}},
			map[string]any{"grants": []map[string]any{{"role": "auditor"}}})
		expectOneWinner(t, statuses)
	})
}

// A client's roles have their own ETag, required like an administrator's.
func TestClientRolesIfMatch(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		tag := e.do("owner", http.MethodGet, "/clients/robot/roles", nil).expect(t, "read", http.StatusOK).header.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag on the client's roles")
		}
		roles := map[string]any{"grants": []map[string]any{{"role": "auditor"}}}
		audited := e.auditCount()
		e.do("owner", http.MethodPut, "/clients/robot/roles", roles).expect(t, "without If-Match", http.StatusPreconditionRequired)
		e.do("owner", http.MethodPut, "/clients/robot/roles", roles, "If-Match", `"1"`).expect(t, "stale", http.StatusPreconditionFailed)
		now := e.do("owner", http.MethodGet, "/clients/robot/roles", nil).expect(t, "read after the refusals", http.StatusOK)
		if now.header.Get("ETag") != tag || firstRole(now) != "admin" || e.auditCount() != audited {
			t.Fatalf("refused changes changed %s (ETag %q) or were audited", now.raw, now.header.Get("ETag"))
		}
		set := e.do("owner", http.MethodPut, "/clients/robot/roles", roles, "If-Match", tag).expect(t, "set", http.StatusOK)
		if fresh := set.header.Get("ETag"); fresh == "" || fresh == tag {
			t.Fatalf("set answered ETag %q (was %q)", fresh, tag)
		}
		e.do("owner", http.MethodPut, "/clients/robot/roles", roles, "If-Match", tag).expect(t, "set at the old ETag", http.StatusPreconditionFailed)

		statuses := e.concurrently(http.MethodPut, "/clients/robot/roles", set.header.Get("ETag"),
			map[string]any{"grants": []map[string]any{{"role": "support"}}},
			map[string]any{"grants": []map[string]any{{"role": "admin"}}})
		expectOneWinner(t, statuses)
	})
}

// concurrently sends one request per body at once, as the owner with
// If-Match tag, and returns the statuses (0 and the error's text for a
// request that failed to complete).
func (e *apiEnv) concurrently(method, path, tag string, bodies ...any) []string {
	out := make([]string, len(bodies))
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = e.send(method, path, tag, body)
		}()
	}
	wg.Wait()
	return out
}

// send is do without testing.T (safe off the test's goroutine).
func (e *apiEnv) send(method, path, tag string, body any) string {
	raw, err := json.Marshal(body)
	if err != nil {
		return err.Error()
	}
	req, err := http.NewRequest(method, e.srv.URL+APIPrefix+path, bytes.NewReader(raw))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer owner")
	req.Header.Set("If-Match", tag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	_ = resp.Body.Close()
	return fmt.Sprint(resp.StatusCode)
}

// firstRole is the role of the answer's first grant.
func firstRole(r response) string {
	if g, _ := r.body["grants"].([]any); len(g) > 0 {
		role, _ := g[0].(map[string]any)["role"].(string)
		return role
	}
	return ""
}

func expectOneWinner(t *testing.T, statuses []string) {
	t.Helper()
	won, lost := 0, 0
	for _, s := range statuses {
		switch s {
		case "200":
			won++
		case "412":
			lost++
		}
	}
	if won != 1 || lost != len(statuses)-1 {
		t.Fatalf("statuses %v: want one 200 and the rest 412", statuses)
	}
}
