package authz

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/themes"
)

// TestPagesRenderTheirData renders each of authz's pages with its data
// struct, every field set, in every language, and checks each value is on
// the page: a field renamed on one side only fails here (the templates'
// trial run at start-up uses an empty map, which reads every key as
// empty). Message keys the catalogs lack render as themselves.
func TestPagesRenderTheirData(t *testing.T) {
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hidden := map[string]string{"h1": "hidden-one", "h2": "hidden-two"}
	hiddenInputs := []string{`<input type="hidden" name="h1" value="hidden-one">`, `<input type="hidden" name="h2" value="hidden-two">`}
	for _, c := range []struct {
		name, template string
		data           any
		want           []string
	}{
		{"consent", "consent", consentData{
			Action: "/consent-action", ClientName: "Client Name", Account: "ada@example.com",
			Scopes:  []consentScope{{Key: "test.scope.asked"}, {Name: "custom:asked"}},
			Granted: []consentScope{{Key: "test.scope.granted"}, {Name: "custom:granted"}},
			Hidden:  hidden, Notice: "test.notice",
		}, append([]string{`action="/consent-action"`, "Client Name", "ada@example.com",
			"<li>test.scope.asked</li>", "<li>custom:asked</li>", "<li>test.scope.granted</li>", "<li>custom:granted</li>",
			`role="status">test.notice</div>`}, hiddenInputs...)},
		{"logout", "logout", logoutData{Action: "/logout-action", Hidden: hidden, Host: "rp.example:8443", CancelURL: "/cancel-url"},
			append([]string{`action="/logout-action"`, "rp.example:8443", `href="/cancel-url"`}, hiddenInputs...)},
		{"leave", "leave", leaveData{Title: "test.leave.title", Message: "test.leave.message", Host: "rp.example", LinkURL: template.URL("com.example.app:/cb?error=x")},
			[]string{"<h1>test.leave.title</h1>", "test.leave.message", "rp.example", `href="com.example.app:/cb?error=x"`}},
		{"access denied, link", "access_denied", accessDeniedData{Account: "ada@example.com", LinkURL: "https://rp.example/cb?error=access_denied"},
			[]string{"ada@example.com", `href="https://rp.example/cb?error=access_denied"`}},
		{"access denied, form post", "access_denied", accessDeniedData{Account: "ada@example.com", Action: "https://rp.example/cb", Hidden: hidden},
			append([]string{"ada@example.com", `action="https://rp.example/cb"`}, hiddenInputs...)},
		{"form post", "form_post", formPostData{Action: "https://rp.example/cb", Hidden: hidden},
			append([]string{`action="https://rp.example/cb"`}, hiddenInputs...)},
		{"error", "error", errorData{Title: "test.error.title", Message: "test.error.message", RequestID: "req-123", LinkURL: "/error-link", LinkText: "test.error.link"},
			[]string{"<h1>test.error.title</h1>", "test.error.message", "req-123", `href="/error-link">test.error.link</a>`}},
		{"message", "message", messageData{Title: "test.message.title", Message: "test.message.message", LinkURL: "/message-link", LinkText: "test.message.link"},
			[]string{"<h1>test.message.title</h1>", "test.message.message", `href="/message-link">test.message.link</a>`}},
	} {
		for _, lang := range r.Languages() {
			w := httptest.NewRecorder()
			if err := r.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), themes.Page{Template: c.template, Lang: lang, Data: c.data}); err != nil {
				t.Errorf("%s (%s): %v", c.name, lang, err)
				continue
			}
			body := w.Body.String()
			for _, s := range c.want {
				if !strings.Contains(body, s) {
					t.Errorf("%s (%s): page lacks %q:\n%s", c.name, lang, s, body)
				}
			}
		}
	}
}
