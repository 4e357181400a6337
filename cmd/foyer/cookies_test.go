package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"foyer/selfservice/session"
	"foyer/storage/sqlstore/sqltest"
)

// setCookieRecorder keeps every Set-Cookie header a browser received.
type setCookieRecorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	headers []string
}

func (r *setCookieRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.headers = append(r.headers, resp.Header.Values("Set-Cookie")...)
		r.mu.Unlock()
	}
	return resp, err
}

// cookieSignIn signs alice in to the account portal (SSO session, sign-in
// flow binding, portal flow and portal cookies all set on the way) and
// returns the Set-Cookie headers, by cookie name.
func cookieSignIn(t *testing.T, srv *testServer) map[string]string {
	t.Helper()
	srv.account(t, "alice@example.com", alicePass)
	b := newBrowser(t, srv.Listener.Addr().String())
	rec := &setCookieRecorder{next: srv.Client().Transport}
	b.Transport = rec
	portalSignIn(t, srv, b, "alice@example.com", alicePass)
	b.get(srv.issuer + "/account/apps?app=" + defaultApplicationID)
	byName := map[string]string{}
	for _, h := range rec.headers {
		name, _, _ := strings.Cut(h, "=")
		byName[name] = h
	}
	return byName
}

// On an https issuer every cookie is __Host-: Secure, Path=/, no Domain,
// so a sibling subdomain cannot plant one (a session fixation or a swapped
// flow binding); the whole sign-in works with those names.
func TestHostPrefixedCookiesOnHTTPS(t *testing.T) {
	t.Parallel()
	srv := startServerWith(t, sqltest.SQLite(t), func(c *Config) {
		c.Issuer = "https://" + strings.TrimPrefix(c.Issuer, "http://")
	})
	if !strings.HasPrefix(srv.issuer, "https://") {
		t.Fatalf("issuer %s", srv.issuer)
	}
	got := cookieSignIn(t, srv)
	for _, base := range []string{session.CookieName, session.BrowserCookieName, "foyer_portal_flow", "foyer_portal", "foyer_portal_app"} {
		h, ok := got["__Host-"+base]
		if !ok {
			t.Errorf("no __Host-%s cookie was set; got %v", base, got)
			continue
		}
		if !strings.Contains(h, "; Path=/") || strings.Contains(h, "; Path=/a") || !strings.Contains(h, "; Secure") ||
			!strings.Contains(h, "; HttpOnly") || !strings.Contains(h, "; SameSite=Lax") || strings.Contains(h, "Domain=") {
			t.Errorf("cookie attributes: %s", h)
		}
	}
	for name, h := range got {
		if !strings.HasPrefix(name, "__Host-") {
			t.Errorf("a cookie without the __Host- prefix on https: %s", h)
		}
	}
}

// On http (a developer's machine) the cookies keep their plain names and
// are not Secure, which browsers would drop over http.
func TestPlainCookiesOnHTTP(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	got := cookieSignIn(t, srv)
	for _, base := range []string{session.CookieName, session.BrowserCookieName, "foyer_portal_flow", "foyer_portal", "foyer_portal_app"} {
		if h, ok := got[base]; !ok || strings.Contains(h, "; Secure") || !strings.Contains(h, "; Path=/") {
			t.Errorf("%s: %q (all: %v)", base, h, got)
		}
	}
}
