package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// The application's message pages: every kind listed with the theme's
// default, a template refused with its field errors and what was typed
// kept, previewed with sample values, saved, listed under its language,
// test sent through the outbox and deleted; an auditor reads but cannot
// change it. Each change is audited.
func TestMessageTemplatePages(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		if err := e.store.CreateApplication(ctx, &storage.Application{ID: "shop", StoreID: storeA, Name: "Shop"}); err != nil {
			t.Fatal(err)
		}
		const list = "/admin/applications/shop/messages"
		edit := "/admin/applications/shop/messages/edit?" + url.Values{"message": {"email/password_reset"}, "language": {"de"}}.Encode()
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		if page := br.get(t, "/admin/applications/shop"); !strings.Contains(page.body, `href="`+list+`"`) {
			t.Errorf("the application page does not link its messages")
		}
		page := br.get(t, list)
		if page.status != http.StatusOK || !strings.Contains(page.body, "<code>password_reset</code>") || !strings.Contains(page.body, "Theme default") ||
			!strings.Contains(page.body, `<label for="message-language">`) {
			t.Fatalf("list: %d %s", page.status, page.body)
		}
		form := br.get(t, edit)
		if form.status != http.StatusOK || !strings.Contains(form.body, `id="uses-default"`) || !strings.Contains(form.body, "<code>{{link}}</code>") ||
			!strings.Contains(form.body, `<label for="msg-html">`) {
			t.Fatalf("form: %d %s", form.status, form.body)
		}
		target := "/admin/applications/shop/messages/edit"
		fields := func(action, text, html string) url.Values {
			return url.Values{"message": {"email/password_reset"}, "language": {"de"}, "action": {action}, "version": {"0"},
				"subject": {"Neues Passwort"}, "text": {text}, "html": {html}, "to": {"editor@example.com"}}
		}
		bad := br.post(t, target, fields("save", "Hallo", `<a href="{{link}}" onclick="x()">Los</a>`))
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="text-error"`) || !strings.Contains(bad.body, `id="html-error"`) ||
			!strings.Contains(bad.body, "onclick") {
			t.Fatalf("bad template: %d %s", bad.status, bad.body)
		}
		const text, html = "Hallo {{email}},\n{{link}}\n", `<p><a href="{{link}}">Neues Passwort</a></p>`
		preview := br.post(t, target, fields("preview", text, html))
		if preview.status != http.StatusOK || !strings.Contains(preview.body, `id="preview-text"`) || !strings.Contains(preview.body, "https://id.example.com/sample-link") {
			t.Fatalf("preview: %d %s", preview.status, preview.body)
		}
		if got, _ := e.store.ListMessageTemplates(ctx, "shop"); len(got) != 0 {
			t.Fatalf("a preview stored %+v", got)
		}
		if saved := br.post(t, target, fields("save", text, html)); saved.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", saved.status, saved.body)
		}
		if page := br.get(t, list); !strings.Contains(page.body, ">de</a>") {
			t.Errorf("the list does not show the German template")
		}
		sent := br.post(t, target, fields("test", "", ""))
		if sent.status != http.StatusOK || !strings.Contains(sent.body, "on its way") {
			t.Fatalf("test send: %d %s", sent.status, sent.body)
		}
		queued, err := e.store.ListNotifications(ctx, 10)
		if err != nil || len(queued) != 1 || queued[0].To != "editor@example.com" || queued[0].Subject != "Neues Passwort" {
			t.Fatalf("outbox: %+v %v", queued, err)
		}

		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if got := auditor.get(t, edit); got.status != http.StatusOK || strings.Contains(got.body, `value="save"`) {
			t.Errorf("auditor's form: %d", got.status)
		}
		if got := auditor.post(t, target, fields("save", text, html)); got.status != http.StatusForbidden {
			t.Errorf("auditor's save: %d", got.status)
		}

		del := fields("delete", "", "")
		del.Set("version", "1")
		if got := br.post(t, target, del); got.status != http.StatusSeeOther {
			t.Fatalf("delete: %d %s", got.status, got.body)
		}
		if got, _ := e.store.ListMessageTemplates(ctx, "shop"); len(got) != 0 {
			t.Fatalf("deleted template still stored: %+v", got)
		}
		actions := strings.Join(e.auditActions(t), " ")
		for _, want := range []string{"message_template.created", "message_template.test_sent", "message_template.deleted"} {
			if !strings.Contains(actions, want) {
				t.Errorf("audit log lacks %s: %s", want, actions)
			}
		}
	})
}
