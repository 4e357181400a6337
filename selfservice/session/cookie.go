package session

import (
	"net/http"
	"strings"
)

// hostPrefix makes browsers accept a cookie only when it is Secure, has
// Path=/ and no Domain (RFC 6265bis section 4.1.3.2), so a sibling
// subdomain (another-app.example.com next to id.example.com) can neither
// plant nor overwrite it: no session fixation, no swapped flow binding.
const hostPrefix = "__Host-"

// Cookies is the one place that decides the name and attributes of every
// cookie Foyer sets: the SSO session, the sign-in flow binding and the
// account portal's. On an https issuer each is "__Host-" + its base name,
// Secure, Path=/, no Domain; on http (a developer's machine) it keeps its
// plain name, since browsers refuse __Host- cookies that are not Secure.
// All are HttpOnly and SameSite=Lax.
type Cookies struct {
	Secure bool
}

// CookiesFor is the policy for an issuer URL.
func CookiesFor(issuer string) Cookies {
	return Cookies{Secure: strings.HasPrefix(strings.ToLower(issuer), "https://")}
}

// Name is the name the cookie with this base name goes by.
func (c Cookies) Name(base string) string {
	if c.Secure {
		return hostPrefix + base
	}
	return base
}

// New is the cookie base=value with every attribute but its lifetime,
// which the caller sets (Expires or MaxAge; neither: a browser session).
func (c Cookies) New(base, value string) *http.Cookie {
	return &http.Cookie{Name: c.Name(base), Value: value, Path: "/", HttpOnly: true,
		Secure: c.Secure, SameSite: http.SameSiteLaxMode}
}

// Clear tells the browser to drop the cookie.
func (c Cookies) Clear(w http.ResponseWriter, base string) {
	k := c.New(base, "")
	k.MaxAge = -1
	http.SetCookie(w, k)
}

// Value is the request's cookie of that base name, or "".
func (c Cookies) Value(r *http.Request, base string) string {
	k, err := r.Cookie(c.Name(base))
	if err != nil {
		return ""
	}
	return k.Value
}
