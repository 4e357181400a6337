package session

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// BrowserCookieName is the base name (session.Cookies: "__Host-foyer_browser"
// on https) of the cookie that tells the browser which started a
// sign-in apart from any other. It holds a random value; an interaction
// keeps only its SHA-256 (Interaction.Browser). One value serves every
// sign-in the browser starts, so requests started side by side in two tabs
// each finish in that browser.
const BrowserCookieName = "foyer_browser"

// browserCookieLifetime covers the longest interaction a browser may still
// finish (they last 30 minutes) with room to spare; each new sign-in
// renews it.
const browserCookieLifetime = 24 * time.Hour

// BindBrowser returns the binding of this browser, a value to keep with an
// interaction the authorization endpoint creates, and sets or renews the
// browser's cookie. It is called only there: a page shown from a link
// never binds, so a half-finished sign-in sent to someone else (login
// CSRF) cannot be finished in their browser.
func (m *Manager) BindBrowser(w http.ResponseWriter, r *http.Request) (string, error) {
	value := m.browserValue(r)
	if value == "" {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return "", fmt.Errorf("session: random: %w", err)
		}
		value = base64.RawURLEncoding.EncodeToString(raw)
	}
	c := m.cookies().New(BrowserCookieName, value)
	c.Expires = m.now().Add(browserCookieLifetime)
	http.SetCookie(w, c)
	return hashToken(value), nil
}

// StartedHere reports whether this browser is the one bound to an
// interaction (binding is what BindBrowser returned then). An interaction
// without a binding was started nowhere and matches no browser.
func (m *Manager) StartedHere(r *http.Request, binding string) bool {
	value := m.browserValue(r)
	if value == "" || binding == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashToken(value)), []byte(binding)) == 1
}

// KnowsBrowser reports whether the request carries this browser's binding
// cookie (a cross-site POST does not: the cookie is SameSite=Lax).
func (m *Manager) KnowsBrowser(r *http.Request) bool { return m.browserValue(r) != "" }

// browserValue is the request's browser cookie when it is well formed.
func (m *Manager) browserValue(r *http.Request) string {
	v := m.cookies().Value(r, BrowserCookieName)
	if len(v) != 43 {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(v); err != nil {
		return ""
	}
	return v
}
