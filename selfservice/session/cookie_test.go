package session

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCookiesNamesAndAttributes(t *testing.T) {
	for _, tc := range []struct {
		issuer, name string
		secure       bool
	}{
		{"https://id.example.com", "__Host-foyer_browser", true},
		{"HTTPS://id.example.com", "__Host-foyer_browser", true},
		{"http://localhost:8080", "foyer_browser", false},
	} {
		c := CookiesFor(tc.issuer)
		k := c.New("foyer_browser", "v")
		if k.Name != tc.name || k.Secure != tc.secure || k.Path != "/" || k.Domain != "" || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode {
			t.Errorf("%s: %+v", tc.issuer, k)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(&http.Cookie{Name: "foyer_browser", Value: "plain"})
		req.AddCookie(&http.Cookie{Name: "__Host-foyer_browser", Value: "host"})
		if want := map[bool]string{true: "host", false: "plain"}[tc.secure]; c.Value(req, "foyer_browser") != want {
			t.Errorf("%s: Value = %q, want %q", tc.issuer, c.Value(req, "foyer_browser"), want)
		}
		rec := httptest.NewRecorder()
		c.Clear(rec, "foyer_browser")
		if got := rec.Result().Cookies(); len(got) != 1 || got[0].Name != tc.name || got[0].MaxAge != -1 || got[0].Secure != tc.secure {
			t.Errorf("%s: Clear set %+v", tc.issuer, got)
		}
	}
}
