package session

import (
	"crypto/subtle"
	"net/http"
	"time"
)

// BrowserCookieName is the base name (session.Cookies: "__Host-foyer_browser"
// on https) of the cookie that tells the browser which started a
// sign-in apart from any other. It holds a random value, signed with the
// time it was set (securecookie, refused after browserCookieLifetime); an
// interaction keeps only the value's SHA-256 (Interaction.Browser). One
// value serves every sign-in the browser starts, so requests started side
// by side in two tabs each finish in that browser.
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
		var err error
		if value, err = newToken(); err != nil {
			return "", err
		}
	}
	signed, err := signToken(m.browser, BrowserCookieName, value)
	if err != nil {
		return "", err
	}
	c := m.cookies().New(BrowserCookieName, signed)
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

// browserValue is the random value of the request's browser cookie when
// its signature and age check (or it is a legacy unsigned value, see
// readToken), else "".
func (m *Manager) browserValue(r *http.Request) string {
	v, err := readToken(m.browser, m.cookies(), r, BrowserCookieName)
	if err != nil {
		return ""
	}
	return v
}
