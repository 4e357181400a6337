package authz

import (
	"errors"
	"html/template"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"foyer/themes"
	"foyer/themes/themestest"
)

// TestPagesRenderTheirData renders each of authz's pages with its data
// struct, every field set, in every language, and checks each value is on
// the page: a field renamed on one side only fails here (New's trial
// render catches a field the template reads and the struct lacks, not a
// value that does not reach the page). Message keys the catalogs lack
// render as themselves.
func TestPagesRenderTheirData(t *testing.T) {
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hidden := map[string]string{"h1": "hidden-one", "h2": "hidden-two"}
	hiddenInputs := []string{`<input type="hidden" name="h1" value="hidden-one">`, `<input type="hidden" name="h2" value="hidden-two">`}
	var cases []themestest.Page
	for _, c := range []struct {
		name, template string
		data           any
		want           []string
	}{
		{"consent", "consent", consentData{
			Action: "/consent-action", ClientName: "Client Name", Account: "ada@example.com", NotYouURL: "/not-you-url",
			Scopes:  []consentScope{{Key: "test.scope.asked"}, {Name: "custom:asked"}},
			Granted: []consentScope{{Key: "test.scope.granted"}, {Name: "custom:granted"}},
			Hidden:  hidden, Notice: "test.notice",
		}, append([]string{`action="/consent-action"`, "Client Name", "ada@example.com", `href="/not-you-url"`,
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
		{"access denied, reason", "access_denied", accessDeniedData{Account: "ada@example.com", Reason: "test.denied.reason", Advice: "test.denied.advice", LinkURL: "https://rp.example/cb"},
			[]string{"test.denied.reason", "<p>test.denied.advice</p>"}},
		{"organization picker", "organization", organizationData{Action: "/org-action", Account: "ada@example.com", Hidden: hidden, Error: "test.org.error",
			Organizations: []organizationOption{{ID: "o1", Name: "Acme Corp"}, {ID: "o2", Name: "Globex", Checked: true}}},
			append([]string{`action="/org-action"`, "ada@example.com", `<label for="organization-o1"><input type="radio" id="organization-o1" name="organization" value="o1" required> Acme Corp</label>`,
				`value="o2" required checked> Globex`, `id="organization-error">test.org.error</p>`}, hiddenInputs...)},
		{"form post", "form_post", formPostData{Action: "https://rp.example/cb", Hidden: hidden},
			append([]string{`action="https://rp.example/cb"`}, hiddenInputs...)},
		{"error", "error", errorData{Title: "test.error.title", Message: "test.error.message", RequestID: "req-123", LinkURL: "/error-link", LinkText: "test.error.link"},
			[]string{"<h1>test.error.title</h1>", "test.error.message", "req-123", `href="/error-link">test.error.link</a>`}},
		{"message", "message", messageData{Title: "test.message.title", Message: "test.message.message", LinkURL: "/message-link", LinkText: "test.message.link"},
			[]string{"<h1>test.message.title</h1>", "test.message.message", `href="/message-link">test.message.link</a>`}},
	} {
		cases = append(cases, themestest.Page{Name: c.name, Template: c.template, Data: c.data, Want: c.want})
	}
	themestest.RenderEach(t, r, cases)
}

// TestTrialRenderCatchesMissingFields: New fails on a theme whose template
// reads, in a branch only one sample takes (access_denied's form post), a
// field its data struct lacks, naming the template and the field; the
// default theme passes.
func TestTrialRenderCatchesMissingFields(t *testing.T) {
	t.Parallel()
	def, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := trialRender(def); err != nil {
		t.Fatalf("default theme: %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o750); err != nil {
		t.Fatal(err)
	}
	page := `{{template "layout" .}}{{define "content"}}{{with str .Data.LinkURL}}{{.}}{{else}}{{$.Data.Acount}}{{end}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "templates", "access_denied.html"), []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	custom, err := themes.New(themes.Options{OverrideDir: dir})
	if err != nil {
		t.Fatalf("the theme's own dry run takes a map, which has every key: %v", err)
	}
	cfg := Config{HMACKey: make([]byte, 32), Issuer: "https://id.example"}
	_, err = New(cfg, Deps{Renderer: custom})
	if err == nil || !strings.Contains(err.Error(), "access_denied.html") || !strings.Contains(err.Error(), "Acount") {
		t.Fatalf("New with a template reading a missing field: %v", err)
	}
	if err := custom.TrialRender("no_such_page", messageData{}); !errors.Is(err, themes.ErrUnknownTemplate) {
		t.Fatalf("unknown page: %v", err)
	}
}

// TestPageSamplesSetEveryField: each field of each page struct is set by
// some sample, so a template reading it is tried at start-up along the
// branch that shows it.
func TestPageSamplesSetEveryField(t *testing.T) {
	t.Parallel()
	set := map[reflect.Type]map[string]bool{}
	for _, samples := range pageSamples() {
		for _, s := range samples {
			v := reflect.ValueOf(s)
			if set[v.Type()] == nil {
				set[v.Type()] = map[string]bool{}
			}
			for i := range v.NumField() {
				if !v.Field(i).IsZero() {
					set[v.Type()][v.Type().Field(i).Name] = true
				}
			}
		}
	}
	for typ, fields := range set {
		for i := range typ.NumField() {
			if name := typ.Field(i).Name; !fields[name] {
				t.Errorf("%s.%s: no sample sets it", typ.Name(), name)
			}
		}
	}
}
