package session

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// bind calls BindBrowser for a request carrying cookie (or none) and
// returns the binding and the cookie set.
func bind(t *testing.T, m *Manager, cookie *http.Cookie) (string, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	binding, err := m.BindBrowser(rec, withCookie(cookie))
	if err != nil {
		t.Fatal(err)
	}
	set := rec.Result().Cookies()
	if len(set) != 1 || set[0].Name != m.cookies().Name(BrowserCookieName) {
		t.Fatalf("BindBrowser set %v", set)
	}
	return binding, set[0]
}

func TestBrowserBinding(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	m := NewManager(nil, Config{Now: c.now, Secure: true})

	first, cookie := bind(t, m, nil)
	if cookie.Name != "__Host-"+BrowserCookieName || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" ||
		!cookie.Expires.Equal(c.t.Add(browserCookieLifetime)) {
		t.Fatalf("cookie attributes: %+v", cookie)
	}
	if strings.Contains(first, cookie.Value) || len(first) != 64 {
		t.Fatalf("binding %q must be the cookie's digest, not the cookie", first)
	}
	if !m.StartedHere(withCookie(cookie), first) {
		t.Fatal("the binding browser is not recognised")
	}

	// A second sign-in in the same browser keeps the value: both finish.
	second, renewed := bind(t, m, cookie)
	if second != first || renewed.Value != cookie.Value {
		t.Fatalf("a second binding changed the browser's value: %q vs %q", second, first)
	}

	other, otherCookie := bind(t, m, nil)
	for name, tc := range map[string]struct {
		cookie  *http.Cookie
		binding string
	}{
		"no cookie":             {nil, first},
		"another browser":       {otherCookie, first},
		"no binding":            {cookie, ""},
		"malformed cookie":      {&http.Cookie{Name: cookie.Name, Value: "short"}, first},
		"the digest as cookie":  {&http.Cookie{Name: cookie.Name, Value: first}, first},
		"plain name on https":   {&http.Cookie{Name: BrowserCookieName, Value: cookie.Value}, first},
		"other browser binding": {cookie, other},
	} {
		if m.StartedHere(withCookie(tc.cookie), tc.binding) {
			t.Errorf("%s: StartedHere = true", name)
		}
	}
	// A malformed cookie is replaced, not kept.
	if b, fresh := bind(t, m, &http.Cookie{Name: cookie.Name, Value: "short"}); fresh.Value == "short" || b == "" {
		t.Fatalf("a malformed cookie was kept: %q", fresh.Value)
	}
}
