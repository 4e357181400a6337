package session

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/session/sessiontest"
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

// TestBrowserBindingSigned: the browser cookie is the random value signed
// with the time it was set; one signed a day ago or more, with another key
// or for another cookie, or tampered with binds nothing and is replaced.
// The bare value set before cookies were signed still binds (a sign-in
// started before an upgrade finishes after it) and is signed on renewal.
func TestBrowserBindingSigned(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	m := NewManager(nil, Config{Now: func() time.Time { return now }, Secure: true, Key: testKey})
	binding, cookie := bind(t, m, nil)
	token, err := readToken(m.browser, m.cookies(), withCookie(cookie), BrowserCookieName)
	if err != nil || cookie.Value == token || hashToken(token) != binding {
		t.Fatalf("cookie %q must carry the signed value whose digest is the binding: %q, %v", cookie.Value, token, err)
	}
	signed := func(key []byte, name string, at time.Time) *http.Cookie {
		return &http.Cookie{Name: cookie.Name, Value: sessiontest.SignedAt(key, name, []byte(token), at)}
	}
	if !m.StartedHere(withCookie(signed(testKey, BrowserCookieName, now.Add(-time.Hour))), binding) {
		t.Fatal("a cookie set an hour ago does not bind")
	}
	for name, c := range map[string]*http.Cookie{
		"a day old":        signed(testKey, BrowserCookieName, now.Add(-browserCookieLifetime-time.Minute)),
		"another key":      signed([]byte("another-key-another-key-another-k"), BrowserCookieName, now),
		"another cookie's": signed(testKey, CookieName, now),
		"tampered":         {Name: cookie.Name, Value: strings.Replace(cookie.Value, cookie.Value[20:30], "AAAAAAAAAA", 1)},
	} {
		if m.StartedHere(withCookie(c), binding) || m.KnowsBrowser(withCookie(c)) {
			t.Errorf("%s: the cookie binds", name)
		}
		if b, _ := bind(t, m, c); b == binding {
			t.Errorf("%s: BindBrowser kept the value", name)
		}
	}

	legacy := &http.Cookie{Name: cookie.Name, Value: token}
	if !m.StartedHere(withCookie(legacy), binding) {
		t.Fatal("a legacy unsigned cookie does not bind")
	}
	renewedBinding, renewed := bind(t, m, legacy)
	if renewedBinding != binding || renewed.Value == token || !m.StartedHere(withCookie(renewed), binding) {
		t.Fatalf("renewing a legacy cookie: binding %q, cookie %q", renewedBinding, renewed.Value)
	}
}
