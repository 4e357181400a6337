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
		{"https://id.example.com", "__Host-foyer_flow", true},
		{"HTTPS://id.example.com", "__Host-foyer_flow", true},
		{"http://localhost:8080", "foyer_flow", false},
	} {
		c := CookiesFor(tc.issuer)
		k := c.New("foyer_flow", "v")
		if k.Name != tc.name || k.Secure != tc.secure || k.Path != "/" || k.Domain != "" || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode {
			t.Errorf("%s: %+v", tc.issuer, k)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(&http.Cookie{Name: "foyer_flow", Value: "plain"})
		req.AddCookie(&http.Cookie{Name: "__Host-foyer_flow", Value: "host"})
		if want := map[bool]string{true: "host", false: "plain"}[tc.secure]; c.Value(req, "foyer_flow") != want {
			t.Errorf("%s: Value = %q, want %q", tc.issuer, c.Value(req, "foyer_flow"), want)
		}
		rec := httptest.NewRecorder()
		c.Clear(rec, "foyer_flow")
		if got := rec.Result().Cookies(); len(got) != 1 || got[0].Name != tc.name || got[0].MaxAge != -1 || got[0].Secure != tc.secure {
			t.Errorf("%s: Clear set %+v", tc.issuer, got)
		}
	}
}
