package themes

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func newTestRenderer(t *testing.T, opts Options) *Renderer {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func TestNegotiate(t *testing.T) {
	r := newTestRenderer(t, Options{})
	tests := []struct {
		name                  string
		ui, account, acceptLn string
		want                  string
	}{
		{"nothing", "", "", "", "en"},
		{"ui_locales beats account", "de", "en", "en", "de"},
		{"ui_locales order", "ko de en", "", "", "de"},
		{"ui_locales unknown falls to account", "ko", "de", "en", "de"},
		{"account beats accept-language", "", "de", "en-US,en", "de"},
		{"accept-language only", "", "", "de-DE,de;q=0.9,en;q=0.8", "de"},
		{"accept-language q-values reorder", "", "", "en;q=0.5, de;q=0.9", "de"},
		{"accept-language q=0 excluded", "", "", "de;q=0, en;q=0.1", "en"},
		{"accept-language wildcard ignored", "", "", "*, de;q=0.5", "de"},
		{"accept-language unknown", "", "", "ko-KR, sv", "en"},
		{"region fallback", "de-AT", "", "", "de"},
		{"region fallback case", "DE-at", "", "", "de"},
		{"underscore region", "", "de_CH", "", "de"},
		{"garbage", "<script>", "../../etc", "q=;;,", "en"},
		{"malformed q", "", "", "de;q=abc, en;q=0.2", "en"},
		{"malformed entry costs only itself", "", "", "ko;q=x, de;q=0.4, en;q=0.3", "de"},
		{"wildcard alone", "", "", "*", "en"},
		{"accept-language region", "", "", "de-AT;q=0.9, en;q=0.8", "de"},
		{"equal weights keep header order", "", "", "de;q=0.5, en;q=0.5", "de"},
		{"english variant", "en-GB", "de", "", "en"},
		{"close language", "gsw", "", "", "de"},
		{"script subtag", "", "", "de-Latn-DE", "de"},
		{"unrelated language with script", "zh-Hant", "", "de", "de"},
		{"neither understood", "nb", "", "", "en"},
		{"extension ignored", "de-DE-u-co-phonebk", "", "", "de"},
		{"empty ui_locales entries", "   ", "", "de", "de"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Negotiate(tt.ui, tt.account, tt.acceptLn); got != tt.want {
				t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tt.ui, tt.account, tt.acceptLn, got, tt.want)
			}
		})
	}
}

func TestNegotiateRegionalCatalog(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "locales", "sw-ke.json"), `{"login.title": "Ingia"}`)
	r := newTestRenderer(t, Options{OverrideDir: dir})
	if got := r.Languages(); !slices.Contains(got, "sw-KE") || !slices.Contains(got, "en") || !slices.IsSorted(got) {
		t.Fatalf("Languages() = %v", got)
	}
	for in, want := range map[string]string{"sw": "sw-KE", "sw-TZ": "sw-KE", "sw-KE": "sw-KE", "sw_ke": "sw-KE"} {
		if got := r.Negotiate(in, "", ""); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", in, got, want)
		}
	}
	// A partial catalog falls back to English key by key.
	if got := r.T("sw-KE", "login.submit"); got != "Sign in" {
		t.Errorf("fallback = %q", got)
	}
}

func TestT(t *testing.T) {
	r := newTestRenderer(t, Options{})
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "login.title", nil, "Sign in"},
		{"de", "login.title", nil, "Anmelden"},
		{"de-AT", "login.title", nil, "Anmelden"},
		{"ko", "login.title", nil, "Sign in"},
		{"de", "logout.confirm", []any{"Shop"}, "Möchten Sie sich von Shop abmelden?"},
		{"en", "no.such.key", nil, "no.such.key"},
		{"", "login.password_label", nil, "Password"},
	}
	for _, tt := range tests {
		if got := r.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

func TestDefaultLanguageOption(t *testing.T) {
	r := newTestRenderer(t, Options{DefaultLanguage: "de"})
	if got := r.Negotiate("", "", "ko"); got != "de" {
		t.Errorf("Negotiate = %q, want de", got)
	}
	if _, err := New(Options{DefaultLanguage: "xx"}); err == nil {
		t.Error("New accepted a default language without a catalog")
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
