package portal

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"foyer/selfservice/attrform"
	"foyer/themes"
	"foyer/themes/themestest"
)

// pageCase is one page rendered with its data struct; want holds what the
// page must show, "t:" entries being message keys translated (and
// escaped) in the page's language.
type pageCase struct {
	name, template string
	data           any
	want           []string
}

// pages is the cases as themestest renders them.
func pages(cases []pageCase) []themestest.Page {
	out := make([]themestest.Page, len(cases))
	for i, c := range cases {
		out[i] = themestest.Page{Name: c.name, Template: c.template, Data: c.data, Want: c.want}
	}
	return out
}

// TestPagesRenderTheirData renders each of the portal's pages with its
// data struct, every field set, in every language, and checks each value
// is on the page: a field renamed on one side only fails here (New's
// trial render catches a field the template reads and the struct lacks,
// not a value that does not reach the page). Message keys the catalogs
// lack render as themselves.
func TestPagesRenderTheirData(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cases []pageCase
	cases = append(cases, appsAndPrivacyCases()...)
	cases = append(cases, profileCases()...)
	cases = append(cases, settingsCases()...)
	cases = append(cases, securityCases()...)
	cases = append(cases, orgCases()...)
	cases = append(cases, pageCase{"message", "message", messageData{Title: "test.title", Message: "test.message", LinkURL: "/link-url", LinkText: "test.link"},
		[]string{"<h1>test.title</h1>", "test.message", `href="/link-url">test.link</a>`}})
	themestest.RenderEach(t, r, pages(cases))
}

// A page rendered with another page's struct fails instead of showing
// blanks where that struct has no field.
func TestPageWithTheWrongStructFails(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for tmpl, data := range map[string]pageData{"account_apps": &privacyData{}, "account_security": &profileData{}, "account_settings": &appsData{}} {
		err := r.Render(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil), themes.Page{Template: tmpl, Lang: "en", Data: data})
		if err == nil {
			t.Errorf("%s rendered with %T", tmpl, data)
		}
	}
}

// when is a time as the portal shows it (themes.Moment), whenText and
// whenTime what of it a page must show.
var (
	when     = themes.Moment{ISO: "2031-02-03T05:05:00+01:00", Text: "when-text"}
	whenText = "when-text"
	whenTime = `<time datetime="2031-02-03T05:05:00&#43;01:00">`
)

// testFrame is a frame with every field set, and what it shows.
func testFrame() (frame, []string) {
	f := frame{AccountName: "Ada Lovelace", LogoutURL: "/logout-url", Notice: "test.notice",
		Nav: []navItem{{Path: "/nav-here", Label: "test.nav.here", Current: true}, {Path: "/nav-there", Label: "test.nav.there"}}}
	return f, []string{"Ada Lovelace", `action="/logout-url"`, `role="status">test.notice</div>`,
		`href="/nav-here" aria-current="page">test.nav.here</a>`, `href="/nav-there">test.nav.there</a>`}
}

func appsAndPrivacyCases() []pageCase {
	f, shown := testFrame()
	return []pageCase{
		{"apps", "account_apps", &appsData{frame: f, Tiles: []tile{{Name: "Tile App", URL: "/tile-url", LogoURL: "/tile-logo.png"}}},
			append([]string{`href="/tile-url"`, `src="/tile-logo.png"`, "Tile App"}, shown...)},
		{"privacy", "account_privacy", &privacyData{frame: f,
			ConsentsURL: "/consents-url", ExportJSONURL: "/export-json-url", ExportHTMLURL: "/export-html-url",
			Consents: []consentView{{Name: "terms", Version: "v-two", Title: "Terms Doc", URL: "/terms-url", Granted: true, Since: &when}},
			History:  []logEntry{{Consent: "newsletter", Version: "v-one", Action: consentOutdated, At: when}}},
			append([]string{`action="/consents-url"`, `href="/export-json-url"`, `href="/export-html-url"`,
				`href="/terms-url">Terms Doc</a>`, "v-two", `name="consent" value="terms"`, `value="out"`, whenText, whenTime,
				"newsletter", "v-one", "t:account.privacy.outdated"}, shown...)},
	}
}

func profileCases() []pageCase {
	f, shown := testFrame()
	return []pageCase{{"profile", "account_profile", &profileData{frame: f,
		ProfileURL: "/profile-url", ConfirmContactURL: "/confirm-url",
		Fields: []attrform.Input{{Name: "given_name", Field: "given_name", ID: "attr-given_name", LabelKey: "test.label.given", Kind: "text",
			Value: "Ada", Required: true, Error: "test.err.given"},
			{Name: "loyalty_no", Field: "loyalty_no", ID: "attr-loyalty_no", Label: "Loyalty number", Kind: "text", Value: "L-1", ReadOnly: true},
			{Name: "tier", Field: "tier", ID: "attr-tier", Label: "Tier", Kind: "select", Options: []string{"gold"}, Value: "gold", ReadOnly: true},
			{Name: "news", Field: "news", ID: "attr-news", Label: "News", Kind: "checkbox", Value: "true"}},
		Email: "ada@example.com", Phone: "+41790000000", EmailConfirmed: true, PhoneConfirmed: true,
		Fresh: false, ReauthURL: "/reauth-url", Pending: "new@example.com", PendingKind: "email",
		Error: "test.error", FieldErrors: map[string]string{"given_name": "test.err.given", "email": "test.err.email",
			"phone": "test.err.phone", "code": "test.err.code"}},
		append([]string{`action="/profile-url"`, `action="/confirm-url"`, ">test.label.given", `value="Ada" required aria-invalid="true"`,
			">Loyalty number", `value="L-1" readonly`, `<select id="attr-tier" name="tier" disabled>`,
			`<option selected>gold</option>`, `id="attr-news" name="news" type="checkbox" value="true" checked>`, `<label for="attr-news">News</label>`, `value="ada@example.com"`, `value="&#43;41790000000"`, "t:account.profile.confirmed",
			`href="/reauth-url"`, "new@example.com", `name="kind" value="email"`, `role="alert" id="form-error">test.error</div>`,
			`id="attr-given_name-error">test.err.given</p>`, `id="email-error">test.err.email</p>`,
			`id="phone-error">test.err.phone</p>`, `id="code-error">test.err.code</p>`}, shown...)}}
}

func settingsCases() []pageCase {
	f, shown := testFrame()
	at := themes.Moment{ISO: "2026-01-02T03:04:00Z", Text: "at-text"}
	data := func(fresh bool) *settingsData {
		return &settingsData{frame: f, UnlinkURL: "/unlink-url", ConnectURL: "/connect-url", DeleteURL: "/delete-url",
			Username: "ada-l", Email: "ada@example.com", Phone: "+41790000000", HasPassword: true, Passkeys: 3,
			Links: []linkView{{Provider: "gh-id", Subject: "gh-1", Name: "GitHub", Email: "ada@gh.example", Linked: at},
				{Provider: "legacy", Subject: "l-1", Name: "legacy", Linked: at, LastUsed: &at}},
			Connect: []connectView{{ID: "g-id", Name: "Google"}}, Error: "test.error",
			Fresh: fresh, ReauthURL: "/reauth-url", FieldErrors: map[string]string{"confirm": "test.err.confirm", "unlink": "test.err.unlink"}}
	}
	both := append([]string{"<dd>ada-l</dd>", "<dd>ada@example.com</dd>", "<dd>&#43;41790000000</dd>", "t:account.settings.password_set",
		"<dd>3</dd>", `action="/unlink-url"`, `name="provider" value="gh-id"`, `name="subject" value="gh-1"`, "ada@gh.example",
		"GitHub</button>", "t:account.settings.never_used", "at-text", `<time datetime="2026-01-02T03:04:00Z">`,
		`action="/connect-url"`, `name="provider" value="g-id"`, "Google",
		`id="unlink-error">test.err.unlink</p>`, `role="alert" id="form-error">test.error</div>`}, shown...)
	return []pageCase{
		{"settings, fresh", "account_settings", data(true),
			append([]string{`action="/delete-url"`, `id="confirm-error">test.err.confirm</p>`}, both...)},
		{"settings, not fresh", "account_settings", data(false), append([]string{`href="/reauth-url"`, "t:account.settings.connect_fresh"}, both...)},
	}
}

func securityCases() []pageCase {
	f, shown := testFrame()
	data := func(fresh bool) *securityData {
		return &securityData{frame: f,
			PasswordURL: "/password-url", EndSessionURL: "/end-session-url", EndOtherSessionsURL: "/end-others-url", RevokeGrantURL: "/revoke-url",
			MFA: mfaSection{
				Factors: []factorView{{Kind: "totp", Name: "Phone app", Address: "a***@example.com", Created: when, LastUsed: &when, RemoveURL: "/remove-url"}},
				Enroll:  []enrollLink{{Kind: "passkey", URL: "/enroll-url"}}, RecoveryCodesLeft: 7, RecoveryCodesURL: "/recovery-url"},
			ShowPassword: true, Fresh: fresh, ReauthURL: "/reauth-url",
			Sessions: []sessionView{{ID: "sess-1", Browser: "Firefox", OS: "Linux", IP: "192.0.2.1", Location: "Zurich", Current: true,
				SignedIn: themes.Moment{ISO: "2031-02-03T05:05:00+01:00", Text: "moment-text"}}},
			Grants: []grantView{{ClientID: "client-1", Name: "Client One", Scopes: []string{"openid", "email"}, Since: when}},
			Error:  "test.error", FieldErrors: map[string]string{"current_password": "test.err.current", "new_password": "test.err.new"}}
	}
	both := append([]string{"Phone app", "a***@example.com", whenTime, whenText, `href="/remove-url"`, `href="/enroll-url"`,
		"7", `href="/recovery-url"`, `action="/end-session-url"`, `name="session_id" value="sess-1"`, `<time datetime="2031-02-03T05:05:00&#43;01:00">`, "moment-text", "Firefox", "Linux", "192.0.2.1",
		"Zurich", "t:account.security.this_device", `action="/end-others-url"`, `action="/revoke-url"`, `name="client_id" value="client-1"`,
		"Client One", "openid, email", `role="alert" id="form-error">test.error</div>`}, shown...)
	return []pageCase{
		{"security, fresh", "account_security", data(true), append([]string{`action="/password-url"`,
			`id="current_password-error">test.err.current</p>`, `id="new_password-error">test.err.new</p>`}, both...)},
		{"security, not fresh", "account_security", data(false), append([]string{`href="/reauth-url"`}, both...)},
	}
}

// TestTrialRenderCatchesMissingFields: New fails on a theme whose template
// reads, in a branch only one sample takes (account_settings without a
// recent sign-in), a field its data struct lacks, naming the template and
// the field; the default theme passes.
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
	page := `{{template "layout" .}}{{define "content"}}{{if .Data.Fresh}}{{.Data.DeleteURL}}{{else}}{{.Data.ReauthLink}}{{end}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "templates", "account_settings.html"), []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	custom, err := themes.New(themes.Options{OverrideDir: dir})
	if err != nil {
		t.Fatalf("the theme's own dry run takes a map, which has every key: %v", err)
	}
	cfg := Config{Issuer: "https://id.example", ClientID: "portal", CookieKey: make([]byte, 32)}
	_, err = New(cfg, Deps{Renderer: custom})
	if err == nil || !strings.Contains(err.Error(), "account_settings.html") || !strings.Contains(err.Error(), "ReauthLink") {
		t.Fatalf("New with a template reading a missing field: %v", err)
	}
	if err := custom.TrialRender("no_such_page", messageData{}); !errors.Is(err, themes.ErrUnknownTemplate) {
		t.Fatalf("unknown page: %v", err)
	}
}

// TestPageSamplesSetEveryField: each field of each page struct (its frame
// included) is set by some sample, so a template reading it is tried at
// start-up along the branch that shows it.
func TestPageSamplesSetEveryField(t *testing.T) {
	t.Parallel()
	set := map[reflect.Type]map[string]bool{}
	for _, samples := range pageSamples() {
		for _, s := range samples {
			v := reflect.Indirect(reflect.ValueOf(s))
			if set[v.Type()] == nil {
				set[v.Type()] = map[string]bool{}
			}
			markSet(v, set[v.Type()])
		}
	}
	for typ, fields := range set {
		all := map[string]bool{}
		markAll(typ, all)
		for name := range all {
			if !fields[name] {
				t.Errorf("%s.%s: no sample sets it", typ.Name(), name)
			}
		}
	}
}

// markSet records the fields of v (embedded structs flattened) that are
// not zero.
func markSet(v reflect.Value, set map[string]bool) {
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.Anonymous {
			markSet(v.Field(i), set)
		} else if !v.Field(i).IsZero() {
			set[f.Name] = true
		}
	}
}

// markAll records every field of typ, embedded structs flattened.
func markAll(typ reflect.Type, all map[string]bool) {
	for i := range typ.NumField() {
		if f := typ.Field(i); f.Anonymous {
			markAll(f.Type, all)
		} else {
			all[f.Name] = true
		}
	}
}
