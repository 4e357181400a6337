package themes

import (
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// render renders p and returns the response recorder.
func render(t *testing.T, r *Renderer, p Page, acceptLanguage string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	w := httptest.NewRecorder()
	if err := r.Render(w, req, p); err != nil {
		t.Fatalf("Render(%s): %v", p.Template, err)
	}
	return w
}

func loginPage(lang, step string) Page {
	return Page{
		Template: "login",
		Lang:     lang,
		Branding: Branding{AppName: "Acme Shop", PrimaryColor: "#1A73E8"},
		Data: map[string]any{
			"Action":              "/login?interaction=abc",
			"Hidden":              map[string]string{"z": "last", "interaction": "abc", "a": "first"},
			"Step":                step,
			"Identifier":          "ada@example.com",
			"ChangeIdentifierURL": "/login?interaction=abc&change=1",
		},
	}
}

func TestRenderLoginLanguages(t *testing.T) {
	r := newTestRenderer(t, Options{})
	tests := []struct {
		lang, step, accept string
		want               []string
		wantLang           string
	}{
		{"en", "identifier", "", []string{`<label for="identifier">Email or username</label>`, ">Continue</button>", `value="ada@example.com"`, `lang="en"`}, "en"},
		{"de", "identifier", "", []string{`<label for="identifier">E-Mail oder Benutzername</label>`, ">Weiter</button>", `lang="de"`}, "de"},
		{"en", "password", "", []string{`<label for="password">Password</label>`, ">Sign in</button>", `<span class="identity-value">ada@example.com</span>`, ">Not you?</a>", `href="/login?interaction=abc&amp;change=1"`}, "en"},
		{"de", "password", "", []string{`<label for="password">Passwort</label>`, ">Anmelden</button>", ">Nicht Sie?</a>"}, "de"},
		{"", "identifier", "de-CH,de;q=0.9", []string{"E-Mail oder Benutzername"}, "de"},
		{"sv", "identifier", "", []string{"Email or username"}, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.step, func(t *testing.T) {
			w := render(t, r, loginPage(tt.lang, tt.step), tt.accept)
			body := w.Body.String()
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			if got := w.Header().Get("Content-Language"); got != tt.wantLang {
				t.Errorf("Content-Language = %q, want %q", got, tt.wantLang)
			}
			// Hidden fields come out in sorted order.
			a, i, z := strings.Index(body, `name="a"`), strings.Index(body, `name="interaction"`), strings.Index(body, `name="z"`)
			if a < 0 || !(a < i && i < z) {
				t.Errorf("hidden fields missing or unsorted: %d %d %d", a, i, z)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	r := newTestRenderer(t, Options{})
	p := loginPage("en", "password")
	data := p.Data.(map[string]any)
	data["Error"] = "login.invalid_credentials"
	data["FieldErrors"] = map[string]string{"password": "login.password_required"}
	p.Status = http.StatusUnauthorized
	w := render(t, r, p, "")
	body := w.Body.String()
	if w.Code != http.StatusUnauthorized {
		t.Errorf("status = %d", w.Code)
	}
	for _, s := range []string{
		`role="alert"`,
		"Incorrect email, username or password.",
		`aria-describedby="password-error"`,
		`aria-invalid="true"`,
		`<p class="field-error" id="password-error">Enter your password.</p>`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q", s)
		}
	}
	// FieldErrors as map[string]any work the same.
	data["Step"] = "identifier"
	data["FieldErrors"] = map[string]any{"identifier": "login.identifier_required"}
	body = render(t, r, p, "").Body.String()
	if !strings.Contains(body, `id="identifier-error">Enter your email or username.`) {
		t.Errorf("identifier error missing:\n%s", body)
	}
}

func TestRenderHeadersAndUnknown(t *testing.T) {
	r := newTestRenderer(t, Options{})
	w := render(t, r, Page{Template: "message", Data: map[string]any{"Message": "logout.done"}}, "")
	h := w.Header()
	if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("Cache-Control") != "no-store" || h.Get("Content-Security-Policy") != DefaultCSP {
		t.Errorf("headers = %v", h)
	}
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "You have been signed out.") {
		t.Errorf("code %d body %s", w.Code, w.Body)
	}

	// A caller's policy is kept.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	w = httptest.NewRecorder()
	w.Header().Set("Content-Security-Policy", "form-action 'self' https://rp.example")
	if err := r.Render(w, req, Page{Template: "logout"}); err != nil {
		t.Fatal(err)
	}
	if got := w.Header().Get("Content-Security-Policy"); got != "form-action 'self' https://rp.example" {
		t.Errorf("CSP overwritten: %q", got)
	}

	w = httptest.NewRecorder()
	err := r.Render(w, req, Page{Template: "nope"})
	if !errors.Is(err, ErrUnknownTemplate) || w.Body.Len() != 0 {
		t.Errorf("unknown template: err %v, wrote %q", err, w.Body)
	}
}

func TestBranding(t *testing.T) {
	r := newTestRenderer(t, Options{})
	def := strings.TrimPrefix(DefaultPrimaryColor, "#")
	tests := []struct {
		name      string
		b         Branding
		wantColor string
		wantLogo  string // "" means no <img>
	}{
		{"valid", Branding{PrimaryColor: "#00FF00", LogoURL: "https://cdn.example/logo.png"}, "00ff00", `src="https://cdn.example/logo.png"`},
		{"css injection", Branding{PrimaryColor: "red;}body{x", LogoURL: "javascript:alert(1)"}, def, ""},
		{"injection after color", Branding{PrimaryColor: "#123456;}body{x"}, def, ""},
		{"short color", Branding{PrimaryColor: "#fff"}, def, ""},
		{"path logo", Branding{LogoURL: "/static/logo.svg"}, def, `src="/static/logo.svg"`},
		{"http logo", Branding{LogoURL: "http://example.com/l.png"}, def, `src="http://example.com/l.png"`},
		{"protocol-relative logo", Branding{LogoURL: "//evil.example/x.png"}, def, ""},
		{"data logo", Branding{LogoURL: "data:image/svg+xml,<svg onload=alert(1)>"}, def, ""},
		{"quote in logo", Branding{LogoURL: `https://x.example/"onerror="alert(1)`}, def, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := render(t, r, Page{Template: "error", Branding: tt.b}, "").Body.String()
			if want := `href="/static/brand.css?c=` + tt.wantColor + `"`; !strings.Contains(body, want) {
				t.Errorf("body lacks %q", want)
			}
			hasImg := strings.Contains(body, "<img")
			if tt.wantLogo == "" && hasImg {
				t.Errorf("logo rendered for %q", tt.b.LogoURL)
			}
			if tt.wantLogo != "" && !strings.Contains(body, tt.wantLogo) {
				t.Errorf("body lacks %q", tt.wantLogo)
			}
			if !hasImg && !strings.Contains(body, `<span class="brand-name">Foyer</span>`) {
				t.Error("app name fallback missing")
			}
		})
	}
}

// TestCSPCompliance renders every template in both languages with every
// optional key set and checks nothing needs 'unsafe-inline'.
func TestCSPCompliance(t *testing.T) {
	r := newTestRenderer(t, Options{})
	inlineScript := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>`)
	inlineHandler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	data := map[string]any{
		"Action": "/x", "Hidden": map[string]string{"k": "v"}, "Step": "password", "Identifier": "a",
		"ChangeIdentifierURL": "/c", "Error": "error.generic", "Notice": "logout.done",
		"FieldErrors": map[string]string{"password": "login.password_required"}, "ForgotPasswordURL": "/f",
		"RegisterURL": "/r", "LinkURL": "/l", "LinkText": "common.back", "Title": "error.title",
		"Message": "error.generic", "RequestID": "req-1", "CancelURL": "/cancel",
	}
	for _, name := range r.Templates() {
		for _, lang := range r.Languages() {
			body := render(t, r, Page{Template: name, Lang: lang, Data: data, Branding: Branding{LogoURL: "/l.png"}}, "").Body.String()
			for _, m := range inlineScript.FindAllString(body, -1) {
				if !strings.Contains(m, "src=") {
					t.Errorf("%s/%s: inline script %q", name, lang, m)
				}
			}
			if strings.Contains(body, "style=") || strings.Contains(body, "<style") {
				t.Errorf("%s/%s: inline style", name, lang)
			}
			if inlineHandler.MatchString(body) {
				t.Errorf("%s/%s: inline event handler", name, lang)
			}
			if strings.Contains(body, "<no value>") || strings.Contains(body, "%!") {
				t.Errorf("%s/%s: template or format artefact in output", name, lang)
			}
		}
	}
}

func TestOverrideDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "templates", "message.html"),
		`{{template "layout" .}}{{define "content"}}<p class="custom">{{t "message.title"}}</p>{{end}}`)
	writeFile(t, filepath.Join(dir, "locales", "en.json"), `{"login.submit": "Log in now"}`)
	writeFile(t, filepath.Join(dir, "static", "app.css"), `body{color:red}`)
	r := newTestRenderer(t, Options{OverrideDir: dir})

	body := render(t, r, Page{Template: "message"}, "").Body.String()
	if !strings.Contains(body, `<p class="custom">Information</p>`) {
		t.Errorf("override template not used:\n%s", body)
	}
	body = render(t, r, loginPage("en", "password"), "").Body.String()
	if !strings.Contains(body, ">Log in now</button>") || !strings.Contains(body, ">Not you?</a>") {
		t.Errorf("override catalog not merged:\n%s", body)
	}
	w := httptest.NewRecorder()
	r.StaticHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
	if w.Body.String() != "body{color:red}" {
		t.Errorf("override static = %q", w.Body)
	}

	if _, err := New(Options{OverrideDir: filepath.Join(dir, "missing")}); err == nil {
		t.Error("missing override dir accepted")
	}
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "templates", "login.html"), `{{template "layout" .}}{{define "content"}}{{.Broken`)
	if _, err := New(Options{OverrideDir: bad}); err == nil {
		t.Error("broken override template accepted")
	}
	writeFile(t, filepath.Join(bad, "templates", "login.html"), `ok`)
	writeFile(t, filepath.Join(bad, "locales", "en.json"), `{"a": 1}`)
	if _, err := New(Options{OverrideDir: bad}); err == nil {
		t.Error("bad catalog accepted")
	}
}

// TestOverridePartials: a page's own definition of a partial's template
// wins for that page only; a later partial file's definition wins for
// every page; and a context error that html/template's escaping finds, in
// a page or in a partial a page calls, fails New.
func TestOverridePartials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "templates", "message.html"), `{{template "layout" .}}`+
		`{{define "content"}}{{template "alert" .}}<p>{{t "message.title"}}</p>{{end}}{{define "alert"}}<p class="own-alert">{{t "login.title"}}</p>{{end}}`)
	writeFile(t, filepath.Join(dir, "templates", "_zz.html"), `{{define "brand-links"}}<p class="links" title="{{.Branding.AppName}}">{{t "footer.text"}}</p>{{end}}`)
	r := newTestRenderer(t, Options{OverrideDir: dir})
	for _, lang := range []string{"en", "de"} {
		body := render(t, r, Page{Template: "message", Lang: lang, Branding: Branding{AppName: `A"B`}}, "").Body.String()
		for _, want := range []string{`<p class="own-alert">` + r.T(lang, "login.title") + `</p>`, `<p class="links" title="A&#34;B">` + r.T(lang, "footer.text") + `</p>`} {
			if !strings.Contains(body, want) {
				t.Errorf("message (%s) lacks %q:\n%s", lang, want, body)
			}
		}
		body = render(t, r, Page{Template: "login", Lang: lang, Data: map[string]any{"Error": "login.title"}}, "").Body.String()
		if strings.Contains(body, "own-alert") || !strings.Contains(body, `<p class="links" title="Foyer">`) {
			t.Errorf("login (%s) got another page's alert or lacks the partial override:\n%s", lang, body)
		}
	}

	for name, src := range map[string]string{
		"message.html": `{{template "layout" .}}{{define "content"}}<p {{if .Data.X}}title="{{end}}>x</p>{{end}}`,
		"_zz.html":     `{{define "brand-links"}}<p {{if .Branding.SupportURL}}title="{{end}}>x</p>{{end}}`,
	} {
		bad := t.TempDir()
		writeFile(t, filepath.Join(bad, "templates", name), src)
		_, err := New(Options{OverrideDir: bad})
		if err == nil || !strings.Contains(err.Error(), "branches end in different contexts") {
			t.Errorf("%s with a context error: New = %v", name, err)
		}
	}
}

func TestGoldenLogin(t *testing.T) {
	r := newTestRenderer(t, Options{})
	for _, tc := range []struct{ file, lang, step string }{
		{"login_en_identifier.html", "en", "identifier"},
		{"login_de_password.html", "de", "password"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := render(t, r, loginPage(tc.lang, tc.step), "").Body.String()
			// Asset hashes change with every CSS edit; keep goldens about markup.
			got = regexp.MustCompile(`\?v=[0-9a-f]+`).ReplaceAllString(got, "?v=HASH")
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from golden; run go test ./themes -update and review the diff.\ngot:\n%s", path, got)
			}
		})
	}
}

// TestRenderConcurrent is meant for -race: a Renderer is shared by every
// request.
func TestRenderConcurrent(t *testing.T) {
	r := newTestRenderer(t, Options{})
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			lang := r.Languages()[i%2]
			req := httptest.NewRequest(http.MethodGet, "/login", nil)
			for range 20 {
				if err := r.Render(httptest.NewRecorder(), req, loginPage(lang, "password")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	got := r.Templates()
	for _, want := range []string{"error", "form_post", "login", "logout", "message"} {
		if !slices.Contains(got, want) {
			t.Errorf("Templates() = %v, missing %s", got, want)
		}
	}
}

func TestCSPWithFormTarget(t *testing.T) {
	tests := []struct{ target, want string }{
		{"https://shop.example/cb?x=1", "form-action 'self' https://shop.example;"},
		{"http://127.0.0.1:9000/callback", "form-action 'self' http://127.0.0.1:9000;"},
		{"com.example.app:/cb", "form-action 'self' com.example.app:;"},
		{"data:text/html,x", "form-action 'self';"},
		{"javascript:alert(1)", "form-action 'self';"},
		{"", "form-action 'self';"},
	}
	for _, tc := range tests {
		if got := CSPWithFormTarget(tc.target); !strings.Contains(got, tc.want) || !strings.Contains(got, "frame-ancestors 'none'") {
			t.Errorf("CSPWithFormTarget(%q) = %q, want it to contain %q", tc.target, got, tc.want)
		}
	}
}

// TestRenderStructData: a page's data may be a struct; the shared partials
// read Hidden, Error and Notice from it when it has them and render
// nothing for them when it does not, as with a map.
func TestRenderStructData(t *testing.T) {
	r := newTestRenderer(t, Options{})
	type formPost struct {
		Action string
		Hidden map[string]string
	}
	asStruct := render(t, r, Page{Template: "form_post", Data: formPost{Action: "https://rp.example/cb", Hidden: map[string]string{"code": "c1", "state": "s1"}}}, "").Body.String()
	asPointer := render(t, r, Page{Template: "form_post", Data: &formPost{Action: "https://rp.example/cb", Hidden: map[string]string{"code": "c1", "state": "s1"}}}, "").Body.String()
	asMap := render(t, r, Page{Template: "form_post", Data: map[string]any{"Action": "https://rp.example/cb", "Hidden": map[string]string{"code": "c1", "state": "s1"}}}, "").Body.String()
	if asStruct != asMap || asPointer != asMap {
		t.Errorf("struct data renders differently from a map:\nstruct:\n%s\npointer:\n%s\nmap:\n%s", asStruct, asPointer, asMap)
	}
	for _, s := range []string{`action="https://rp.example/cb"`, `<input type="hidden" name="code" value="c1">`, `<input type="hidden" name="state" value="s1">`} {
		if !strings.Contains(asStruct, s) {
			t.Errorf("body lacks %q:\n%s", s, asStruct)
		}
	}
}

func TestField(t *testing.T) {
	type inner struct{ Notice string }
	type page struct {
		*inner
		Error       string
		FieldErrors map[string]string
		hidden      map[string]string
	}
	p := page{inner: &inner{Notice: "n"}, Error: "e", FieldErrors: map[string]string{"code": "c"}, hidden: map[string]string{"a": "b"}}
	for _, c := range []struct {
		name string
		data any
		key  string
		want any
	}{
		{"map key", map[string]any{"Error": "e"}, "Error", "e"},
		{"missing map key", map[string]any{}, "Error", nil},
		{"struct field", p, "Error", "e"},
		{"pointer to struct", &p, "Error", "e"},
		{"promoted field", p, "Notice", "n"},
		{"through a nil embedded pointer", page{}, "Notice", nil},
		{"missing field", p, "Hidden", nil},
		{"unexported field", p, "hidden", nil},
		{"nil", nil, "Error", nil},
		{"nil pointer", (*page)(nil), "Error", nil},
		{"not a struct", "x", "Error", nil},
	} {
		if got := field(c.data, c.key); got != c.want {
			t.Errorf("%s: field(%v, %q) = %v, want %v", c.name, c.data, c.key, got, c.want)
		}
	}
	if got := fieldError(p, "code"); got != "c" {
		t.Errorf("fieldError(struct, code) = %q, want c", got)
	}
	if got := fieldError(struct{ Action string }{}, "code"); got != "" {
		t.Errorf("fieldError(struct without FieldErrors, code) = %q, want empty", got)
	}
}

// TrialRender runs a page in every language with the data given: a field
// the data lacks fails in whichever language runs first, a struct that
// has every field the branch reads passes, and an unknown page is
// ErrUnknownTemplate.
func TestTrialRender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "templates", "message.html"),
		`{{template "layout" .}}{{define "content"}}{{if .Data.Long}}{{.Data.Missing}}{{end}}<p>{{.Data.Title}}</p>{{end}}`)
	r := newTestRenderer(t, Options{OverrideDir: dir})
	type short struct {
		Title string
		Long  bool
	}
	if err := r.TrialRender("message", short{Title: "t"}); err != nil {
		t.Errorf("branch not taken: %v", err)
	}
	err := r.TrialRender("message", short{Title: "t", Long: true})
	if err == nil || !strings.Contains(err.Error(), "message.html") || !strings.Contains(err.Error(), "Missing") {
		t.Errorf("field the struct lacks: %v", err)
	}
	if err := r.TrialRender("message", map[string]any{"Long": true}); err != nil {
		t.Errorf("a map reads a missing key as empty: %v", err)
	}
	if err := r.TrialRender("nope", short{}); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("unknown page: %v", err)
	}
}
