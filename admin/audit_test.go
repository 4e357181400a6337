package admin

import (
	"bufio"
	"bytes"
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

// The audit log lists newest first with filters and cursor paging, and
// exports as JSON lines in chain order; roles without audit.read, and
// store-limited ones asking for the whole log, are refused.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		start := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		var ids []string
		for _, app := range []string{appA, appA, appB} {
			c := e.do("owner", http.MethodPost, "/clients", map[string]any{"client_name": "C", "application_id": app}).expect(t, "create", http.StatusCreated)
			ids = append(ids, c.str("client_id"))
		}
		e.do("admin-b", http.MethodPut, "/clients/"+ids[2], map[string]any{"client_name": "D", "application_id": appB}, "If-Match", `"1"`).expect(t, "update", http.StatusOK)

		page := func(token, query string) (items []manage.AuditRecord, next string) {
			t.Helper()
			r := e.do(token, http.MethodGet, "/audit?"+query, nil).expect(t, "audit "+query, http.StatusOK)
			var body struct {
				Items []manage.AuditRecord `json:"items"`
				Next  string               `json:"next_cursor"`
			}
			if err := json.Unmarshal(r.raw, &body); err != nil {
				t.Fatal(err)
			}
			return body.Items, body.Next
		}
		all, _ := page("auditor", "")
		if len(all) != 4 || all[0].Action != "client.updated" || all[0].Seq <= all[1].Seq {
			t.Fatalf("the log newest first: %+v", all)
		}
		first, next := page("auditor", "limit=3")
		rest, last := page("auditor", "limit=3&cursor="+url.QueryEscape(next))
		if len(first) != 3 || next == "" || len(rest) != 1 || last != "" || rest[0].Seq != all[3].Seq {
			t.Fatalf("pages %d (%q), %d (%q)", len(first), next, len(rest), last)
		}
		filters := map[string]int{
			"action=client.created":                         3,
			"action=client.":                                4,
			"target_id=" + ids[2]:                           2,
			"target_type=client&store=" + storeA:            2,
			"actor=" + e.ids["admin-b"]:                     1,
			"since=" + url.QueryEscape(start):               4,
			"until=" + url.QueryEscape(start):               0,
			"action=client.updated&actor=" + e.ids["owner"]: 0,
		}
		for q, want := range filters {
			if got, _ := page("owner", q); len(got) != want {
				t.Errorf("%s: %d entries, want %d", q, len(got), want)
			}
		}
		for _, q := range []string{"since=yesterday", "until=2026-13-01T00:00:00Z", "cursor=" + nextCursor("x"), "limit=500"} {
			e.do("owner", http.MethodGet, "/audit?"+q, nil).expect(t, q, http.StatusBadRequest)
		}
		// support has no audit.read; an admin of store B reads its store's
		// entries only.
		e.do("support", http.MethodGet, "/audit", nil).expect(t, "support", http.StatusForbidden)
		e.do("admin-b", http.MethodGet, "/audit", nil).expect(t, "admin-b, whole log", http.StatusForbidden)
		e.do("admin-b", http.MethodGet, "/audit?store="+storeA, nil).expect(t, "admin-b, store A", http.StatusForbidden)
		if got, _ := page("admin-b", "store="+storeB); len(got) != 2 {
			t.Fatalf("admin-b sees %d entries of store B, want 2", len(got))
		}

		export := e.do("auditor", http.MethodGet, "/audit/export?action=client.", nil).expect(t, "export", http.StatusOK)
		if export.header.Get("Content-Type") != "application/jsonl" {
			t.Fatalf("export Content-Type %q", export.header.Get("Content-Type"))
		}
		var lines []manage.AuditRecord
		sc := bufio.NewScanner(bytes.NewReader(export.raw))
		for sc.Scan() {
			var rec manage.AuditRecord
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("export line %q: %v", sc.Text(), err)
			}
			lines = append(lines, rec)
		}
		if len(lines) != 4 || lines[0].Seq >= lines[3].Seq || lines[3].PrevHash != lines[2].Hash {
			t.Fatalf("export in chain order: %s", export.raw)
		}
		e.do("support", http.MethodGet, "/audit/export", nil).expect(t, "support exports", http.StatusForbidden)
		e.do("owner", http.MethodGet, "/audit/export?since=x", nil).expect(t, "export bad since", http.StatusBadRequest)
	})
}

// Every endpoint but the document refuses a request without a token (401
// with a Bearer challenge), a customer's token and a client's token
// without foyer:admin (403), as problem documents.
func TestEveryEndpointRefusesOutsiders(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, sqltest.SQLite(t))
	_, router := routeHandler(t)
	for _, op := range operations(t, router) {
		method, path, _ := strings.Cut(op, " ")
		if path == "/openapi.json" {
			continue
		}
		path = strings.NewReplacer("{id}", "robot").Replace(path)
		r := e.do("", method, path, nil).expect(t, op+" without a token", http.StatusUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("%s: WWW-Authenticate %q", op, r.header.Get("WWW-Authenticate"))
		}
		e.do("not-a-token", method, path, nil).expect(t, op+" with an unknown token", http.StatusUnauthorized)
		for _, token := range []string{"customer", "customer-of-app", "robot-no-scope"} {
			e.do(token, method, path, nil).expect(t, op+" as "+token, http.StatusForbidden)
		}
	}
}
