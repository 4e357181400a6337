package admin

import (
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// An application's message template: refused with every problem at once
// (missing link, script, subject), created without If-Match, replaced and
// deleted with it (412 when stale, 409 when a create finds one), read by
// every role of the store and written by admins only, previewed and test
// sent through the outbox; each change audited.
func TestMessageTemplatesAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		const path = "/applications/" + appA + "/message-templates/email/password_reset/de"
		good := map[string]any{"subject": "Neues Passwort für {{app_name}}", "text": "Hallo,\n{{link}}\n",
			"html": `<p><a href="{{link}}">Neues Passwort</a></p>`}

		list := e.do("auditor", http.MethodGet, "/applications/"+appA+"/message-templates", nil).expect(t, "list", http.StatusOK)
		if !strings.Contains(string(list.raw), `"kind": "password_reset"`) || !strings.Contains(string(list.raw), `"required": [`) {
			t.Fatalf("list lacks the kinds: %s", list.raw)
		}
		for _, tok := range []string{"support", "auditor"} {
			e.do(tok, http.MethodPut, path, good).expect(t, "put as "+tok, http.StatusForbidden)
		}
		e.do("admin-b", http.MethodPut, path, good).expect(t, "put by another store's admin", http.StatusNotFound)

		bad := e.do("admin", http.MethodPut, path, map[string]any{"subject": "", "text": "Hallo {{link}}",
			"html": `<p onclick="x()">{{link}}</p><script>alert(1)</script>`}).expect(t, "bad put", http.StatusUnprocessableEntity)
		for _, f := range []string{"subject", "text", "html"} {
			if !strings.Contains(string(bad.raw), `"field": "`+f+`"`) {
				t.Errorf("no error for %s: %s", f, bad.raw)
			}
		}
		e.do("admin", http.MethodPut, path, map[string]any{"subject": "x", "text": "{{link}}\n{{password}}"}).
			expect(t, "unknown placeholder", http.StatusUnprocessableEntity)
		e.do("admin", http.MethodPut, "/applications/"+appA+"/message-templates/email/nope/de", good).
			expect(t, "unknown kind", http.StatusUnprocessableEntity)
		if got, _ := e.store.ListMessageTemplates(t.Context(), appA); len(got) != 0 {
			t.Fatalf("a refused put stored %+v", got)
		}

		created := e.do("admin", http.MethodPut, path, good).expect(t, "create", http.StatusCreated)
		if created.header.Get("ETag") != `"1"` || !strings.HasSuffix(created.header.Get("Location"), path) || created.str("language") != "de" {
			t.Fatalf("created: %v %s", created.header, created.raw)
		}
		if a := e.lastAudit(); a.Action != "message_template.created" || !strings.Contains(a.After, "Neues Passwort") {
			t.Errorf("audit %s %s", a.Action, a.After)
		}
		e.do("admin", http.MethodPut, path, good).expect(t, "create again", http.StatusConflict)
		good["subject"] = "Passwort vergessen?"
		replaced := e.do("admin", http.MethodPut, path, good, "If-Match", `"1"`).expect(t, "replace", http.StatusOK)
		if replaced.header.Get("ETag") != `"2"` {
			t.Errorf("ETag after replace %q", replaced.header.Get("ETag"))
		}
		if a := e.lastAudit(); a.Action != "message_template.updated" || !strings.Contains(a.Before, "Neues Passwort") {
			t.Errorf("audit %s %s", a.Action, a.Before)
		}
		e.do("admin", http.MethodPut, path, good, "If-Match", `"1"`).expect(t, "stale replace", http.StatusPreconditionFailed)
		got := e.do("support", http.MethodGet, path, nil).expect(t, "get", http.StatusOK)
		if got.str("subject") != "Passwort vergessen?" || got.header.Get("ETag") != `"2"` {
			t.Errorf("get: %s", got.raw)
		}
		e.do("admin", http.MethodGet, "/applications/"+appA+"/message-templates/email/password_reset/fr", nil).
			expect(t, "no French template", http.StatusNotFound)
		e.do("admin", http.MethodPut, "/applications/"+appA+"/message-templates/email/password_reset/*",
			good).expect(t, "any-language template", http.StatusCreated)

		preview := e.do("auditor", http.MethodPost, path+"/preview", good).expect(t, "preview", http.StatusOK)
		if !strings.Contains(preview.str("text"), "https://id.example.com/sample-link") || !strings.Contains(preview.str("html"), "sample-link") {
			t.Errorf("preview: %s", preview.raw)
		}
		e.do("admin", http.MethodPost, path+"/test", map[string]any{"to": "not an address"}).
			expect(t, "test to a bad address", http.StatusUnprocessableEntity)
		e.do("support", http.MethodPost, path+"/test", map[string]any{"to": "jane@example.com"}).
			expect(t, "test send as support", http.StatusForbidden)
		e.do("admin", http.MethodPost, path+"/test", map[string]any{"to": "jane@example.com"}).expect(t, "test send", http.StatusAccepted)
		queued, err := e.store.ListNotifications(t.Context(), 10)
		e.must(err)
		if len(queued) != 1 || queued[0].To != "jane@example.com" || queued[0].Subject != "Passwort vergessen?" ||
			!strings.Contains(queued[0].Text, "https://id.example.com/sample-link") {
			t.Fatalf("outbox after the test send: %+v", queued)
		}
		if a := e.lastAudit(); a.Action != "message_template.test_sent" || !strings.Contains(a.After, "jane@example.com") {
			t.Errorf("audit %s %s", a.Action, a.After)
		}

		e.do("admin", http.MethodDelete, path, nil).expect(t, "delete without If-Match", http.StatusPreconditionRequired)
		e.do("admin", http.MethodDelete, path, nil, "If-Match", `"1"`).expect(t, "stale delete", http.StatusPreconditionFailed)
		e.do("admin", http.MethodDelete, path, nil, "If-Match", `"2"`).expect(t, "delete", http.StatusNoContent)
		if a := e.lastAudit(); a.Action != "message_template.deleted" {
			t.Errorf("audit %s", a.Action)
		}
		e.do("admin", http.MethodGet, path, nil).expect(t, "get deleted", http.StatusNotFound)
	})
}
