package themes

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSource is a CatalogSource over maps, counting reads so tests can
// see the cache at work.
type fakeSource struct {
	mu     sync.Mutex
	scopes map[string]map[string]map[string]string
	reads  int
	err    error
}

func (f *fakeSource) Languages(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []string
	for _, s := range f.scopes {
		for l := range s {
			out = append(out, l)
		}
	}
	return out, nil
}

func (f *fakeSource) Overlay(_ context.Context, scope string) (map[string]map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	return f.scopes[scope], nil
}

func (f *fakeSource) set(scope, lang string, cat map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.scopes[scope] == nil {
		f.scopes[scope] = map[string]map[string]string{}
	}
	f.scopes[scope][lang] = cat
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func renderIn(t *testing.T, r *Renderer, scope, lang, uiCookie string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/login?interaction=abc", nil)
	if uiCookie != "" {
		req.AddCookie(&http.Cookie{Name: LanguageCookie, Value: uiCookie})
	}
	w := httptest.NewRecorder()
	p := loginPage(lang, "identifier")
	p.Branding.Scope = scope
	if err := r.Render(w, req, p); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return w.Body.String()
}

// TestOverlayLookupOrder: an application's package wins over its store's,
// which wins over the built-in catalog of the language; a key no package
// has falls back to the built-in catalog, then the default language, then
// English. Another scope sees none of it.
func TestOverlayLookupOrder(t *testing.T) {
	src := &fakeSource{scopes: map[string]map[string]map[string]string{}}
	// The source merges app over store; a scope is what one application sees.
	src.set("app1", "de", map[string]string{"login.title": "App-Anmeldung", "login.continue": "Los"})
	src.set("app1", "sv", map[string]string{"login.title": "Logga in"})
	src.set("app1", "en", map[string]string{"footer.text": "Protected by Acme"})
	r := newTestRenderer(t, Options{Catalogs: src})

	de := renderIn(t, r, "app1", "de", "")
	for _, want := range []string{"App-Anmeldung", ">Los</button>", "E-Mail oder Benutzername"} {
		if !strings.Contains(de, want) {
			t.Errorf("de page lacks %q", want)
		}
	}
	sv := renderIn(t, r, "app1", "sv", "")
	for _, want := range []string{`lang="sv"`, "Logga in", "Email or username", "Protected by Acme", ">Svenska</option>"} {
		if !strings.Contains(sv, want) {
			t.Errorf("sv page lacks %q", want)
		}
	}
	other := renderIn(t, r, "app2", "sv", "")
	if strings.Contains(other, "Logga in") || strings.Contains(other, "Svenska") || !strings.Contains(other, `lang="en"`) {
		t.Errorf("a scope without packages rendered another's: %s", other)
	}
	// The shipped catalogs plus the package's new language.
	want := append(r.BuiltinLanguages(), "sv")
	slices.Sort(want)
	if got := r.Offered(context.Background(), "app1"); !slices.Equal(got, want) {
		t.Errorf("Offered = %v, want %v", got, want)
	}
	if got := r.Languages(); !slices.Equal(got, want) {
		t.Errorf("Languages = %v, want %v", got, want)
	}
	// The picked language (cookie) applies when the caller negotiates.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: LanguageCookie, Value: "sv"})
	req.Header.Set("Accept-Language", "de")
	if got := r.NegotiateRequest(req, "", "de"); got != "sv" {
		t.Errorf("NegotiateRequest with cookie = %q", got)
	}
	if got := r.NegotiateRequest(req, "en", "de"); got != "sv" {
		t.Errorf("the picked language must win over ui_locales, got %q", got)
	}
	if got := r.NegotiateRequest(httptest.NewRequest(http.MethodGet, "/", nil), "ko en", "de"); got != "en" {
		t.Errorf("without a pick, ui_locales: got %q", got)
	}
	subject, text, html, err := r.RenderEmail("activation", "sv", Branding{AppName: "Acme", Scope: "app1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `lang="sv" dir="ltr"`) || subject == "" || text == "" {
		t.Errorf("sv e-mail: %q %q", subject, html)
	}
}

// TestOverlayCache: packages are read once per TTL and scope, an upload
// shows after ForgetCatalogs or the TTL, and a failing source renders the
// built-in catalogs instead of failing the page.
func TestOverlayCache(t *testing.T) {
	src := &fakeSource{scopes: map[string]map[string]map[string]string{}}
	src.set("s", "en", map[string]string{"login.title": "One"})
	c := &clock{t: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)}
	r := newTestRenderer(t, Options{Catalogs: src, CatalogTTL: time.Minute, Now: c.Now})
	for range 3 {
		if !strings.Contains(renderIn(t, r, "s", "en", ""), "One") {
			t.Fatal("package not applied")
		}
	}
	if src.reads != 1 {
		t.Errorf("reads = %d, want 1 within the TTL", src.reads)
	}
	src.set("s", "en", map[string]string{"login.title": "Two"})
	if !strings.Contains(renderIn(t, r, "s", "en", ""), "One") {
		t.Error("cache not used within the TTL")
	}
	c.t = c.t.Add(time.Minute)
	if !strings.Contains(renderIn(t, r, "s", "en", ""), "Two") {
		t.Error("change not seen after the TTL")
	}
	src.set("s", "en", map[string]string{"login.title": "Three"})
	r.ForgetCatalogs()
	if !strings.Contains(renderIn(t, r, "s", "en", ""), "Three") {
		t.Error("change not seen after ForgetCatalogs")
	}
	src.mu.Lock()
	src.err = errors.New("database down")
	src.mu.Unlock()
	r.ForgetCatalogs()
	if got := renderIn(t, r, "s", "en", ""); !strings.Contains(got, "Sign in") {
		t.Errorf("failing source: %s", got)
	}
}

// TestPageCopies: New makes one copy of each page (the dry run's), and
// rendering in other languages and scopes binds that copy's t to them
// instead of making a copy each; renders at once each get their own copy,
// bound to their own language.
func TestPageCopies(t *testing.T) {
	src := &fakeSource{scopes: map[string]map[string]map[string]string{}}
	src.set("s", "de", map[string]string{"login.title": "X"})
	r := newTestRenderer(t, Options{Catalogs: src})
	login := r.pages["login"]
	if n := login.copies.count(); n != 1 {
		t.Fatalf("copies after New = %d, want 1", n)
	}
	for _, lang := range r.BuiltinLanguages() {
		if got, want := renderIn(t, r, "", lang, ""), "<h1>"+r.T(lang, "login.title")+"</h1>"; !strings.Contains(got, want) {
			t.Errorf("%s: page lacks %q", lang, want)
		}
	}
	if got := renderIn(t, r, "s", "de", ""); !strings.Contains(got, "<h1>X</h1>") {
		t.Errorf("scope s lacks its package's title:\n%s", got)
	}
	if got := renderIn(t, r, "unpackaged", "de", ""); !strings.Contains(got, "<h1>"+r.T("de", "login.title")+"</h1>") {
		t.Errorf("unpackaged scope:\n%s", got)
	}
	if got := renderIn(t, r, "", "de", ""); strings.Contains(got, "<h1>X</h1>") {
		t.Error("the scope's package leaked into an unscoped render")
	}
	if n := login.copies.count(); n != 1 {
		t.Errorf("copies after rendering in every language and scope one at a time = %d, want 1", n)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			lang := r.BuiltinLanguages()[i%4]
			want := "<h1>" + r.T(lang, "login.title") + "</h1>"
			for range 20 {
				w := httptest.NewRecorder()
				if err := r.Render(w, httptest.NewRequest(http.MethodGet, "/login", nil), loginPage(lang, "identifier")); err != nil {
					t.Error(err)
					return
				}
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("%s: concurrent render lacks %q", lang, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := r.pages["error"].copies.count(); n != 1 {
		t.Errorf("an unrendered page was copied: %d", n)
	}
	for _, lang := range []string{"en", "de", "fr"} {
		if _, _, _, err := r.RenderEmail("activation", lang, Branding{Scope: "s"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.emails["activation"].copies.count(); n != 1 {
		t.Errorf("e-mail copies after three languages = %d, want 1", n)
	}
}

// TestCopiesKeepAtMostOnePerCPU: copies given back beyond one per CPU are
// dropped, so a burst of renders does not stay on the heap.
func TestCopiesKeepAtMostOnePerCPU(t *testing.T) {
	var c copies[*int]
	n := runtime.GOMAXPROCS(0) + 3
	var taken []*int
	for i := range n {
		v, err := c.take(func() (*int, error) { return &i, nil })
		if err != nil {
			t.Fatal(err)
		}
		taken = append(taken, v)
	}
	for _, v := range taken {
		c.give(v)
	}
	if c.count() != n || len(c.idle) != runtime.GOMAXPROCS(0) {
		t.Errorf("made %d, idle %d; want %d made and %d idle", c.count(), len(c.idle), n, runtime.GOMAXPROCS(0))
	}
	if _, err := c.take(func() (*int, error) { t.Error("made a copy while one was idle"); return nil, nil }); err != nil {
		t.Fatal(err)
	}
	var empty copies[*int]
	if _, err := empty.take(func() (*int, error) { return nil, errors.New("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a failed copy: %v", err)
	}
}

func TestDirAndLanguageName(t *testing.T) {
	for lang, want := range map[string]string{"ar": "rtl", "he": "rtl", "fa": "rtl", "ur": "rtl", "az-Arab": "rtl",
		"en": "ltr", "de": "ltr", "ja": "ltr", "sr-Cyrl": "ltr", "bogus!": "ltr"} {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%q) = %q, want %q", lang, got, want)
		}
	}
	for lang, want := range map[string]string{"fr": "Français", "ja": "日本語", "ar": "العربية", "sv": "Svenska", "de": "Deutsch", "en": "English"} {
		if got := LanguageName(lang); got != want {
			t.Errorf("LanguageName(%q) = %q, want %q", lang, got, want)
		}
	}
	src := &fakeSource{scopes: map[string]map[string]map[string]string{}}
	src.set("s", "ar", map[string]string{"login.title": "تسجيل الدخول"})
	r := newTestRenderer(t, Options{Catalogs: src})
	if got := renderIn(t, r, "s", "ar", ""); !strings.Contains(got, `<html lang="ar" dir="rtl">`) {
		t.Errorf("ar page: %s", got[:200])
	}
	_, _, html, err := r.RenderEmail("activation", "ar", Branding{Scope: "s"}, nil)
	if err != nil || !strings.Contains(html, `lang="ar" dir="rtl"`) {
		t.Errorf("ar e-mail: %v %s", err, html)
	}
}

// TestLanguageHandler: the picker's route sets the cookie for a known
// language and redirects to a local path only.
func TestLanguageHandler(t *testing.T) {
	r := newTestRenderer(t, Options{SecureCookies: true})
	h := r.LanguageHandler()
	tests := []struct {
		query, location, cookie string
	}{
		{"lang=de&return=/login%3Finteraction%3Dabc", "/login?interaction=abc", "de"},
		{"lang=de-AT&return=/account", "/account", "de"},
		{"lang=xx&return=/account", "/account", ""},
		{"lang=de&return=//evil.example/", "/", "de"},
		{"lang=de&return=/%5Cevil.example", "/", "de"},
		{"lang=de&return=https://evil.example/", "/", "de"},
		{"lang=de&return=javascript:alert(1)", "/", "de"},
		{"lang=de&return=/a%0d%0aSet-Cookie:x", "/", "de"},
		{"lang=de", "/", "de"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/language?"+tt.query, nil))
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != tt.location {
			t.Errorf("%s: %d %q, want %q", tt.query, w.Code, w.Header().Get("Location"), tt.location)
		}
		cookies := w.Result().Cookies()
		switch {
		case tt.cookie == "" && len(cookies) != 0:
			t.Errorf("%s: set %v", tt.query, cookies)
		case tt.cookie != "" && (len(cookies) != 1 || cookies[0].Value != tt.cookie || !cookies[0].HttpOnly ||
			!cookies[0].Secure || cookies[0].SameSite != http.SameSiteLaxMode):
			t.Errorf("%s: cookies %v", tt.query, cookies)
		}
	}
}

func TestCheckCatalog(t *testing.T) {
	en := map[string]string{"a": "Hello %s, you have %d", "b": "Plain", "c": "100%%"}
	problems, missing := CheckCatalog(en, map[string]string{"a": "Hallo %s, du hast %d", "b": "Einfach"})
	if len(problems) != 0 || missing != 1 {
		t.Errorf("valid partial: %v %d", problems, missing)
	}
	problems, _ = CheckCatalog(en, map[string]string{"a": "Du hast %d, %s", "b": " ", "zz": "x", "c": "100"})
	keys := []string{}
	for _, p := range problems {
		keys = append(keys, p.Key)
	}
	if !slices.Equal(keys, []string{"a", "b", "c", "zz"}) {
		t.Errorf("problems = %v", problems)
	}
	for in, want := range map[string]string{"fr": "fr", "pt-br": "pt-BR", "sv": "sv", "zh-hant-tw": "zh-Hant-TW"} {
		if got, ok := CanonicalLanguage(in); !ok || got != want {
			t.Errorf("CanonicalLanguage(%q) = %q %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "x", "english", "en_US!", "../en", "und"} {
		if _, ok := CanonicalLanguage(bad); ok {
			t.Errorf("CanonicalLanguage accepted %q", bad)
		}
	}
	if _, err := ParseCatalog([]byte(`["a"]`)); err == nil {
		t.Error("ParseCatalog accepted an array")
	}
	if _, err := ParseCatalog([]byte(`{"a": 1}`)); err == nil {
		t.Error("ParseCatalog accepted a number")
	}
	if _, err := ParseCatalog([]byte(`null`)); err == nil {
		t.Error("ParseCatalog accepted null")
	}
	if _, err := ParseCatalog(make([]byte, MaxCatalogSize+1)); err == nil {
		t.Error("ParseCatalog accepted an oversized catalog")
	}
}
