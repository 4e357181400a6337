package session

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
)

// tokenLen is the length of a random value as cookies carry it: 32 bytes,
// base64url without padding.
const tokenLen = 43

// NewStateCodec returns the securecookie codec of a short-lived state
// cookie (the account portal's sign-in state, for instance). It signs the
// value (as JSON) together with the time it was made and refuses it once
// maxAge has passed: Max-Age only asks the browser to drop a cookie, a
// copy kept or replayed later must be refused, so the age is checked
// inside the signature. The cookie's name is signed too, so one state
// cookie cannot pass for another. securecookie reads the wall clock for
// both stamps, not an injected one; a test of expiry crafts a cookie
// stamped in the past (see sessiontest.SignedAt).
func NewStateCodec(key []byte, maxAge time.Duration) *securecookie.SecureCookie {
	return securecookie.New(key, nil).MaxAge(int(maxAge / time.Second)).SetSerializer(securecookie.JSONEncoder{})
}

// newTokenCodec signs a random value (the SSO session's, the browser
// binding's) with the time it was set; maxAge bounds a cookie's life even
// if its database row or interaction outlived it.
func newTokenCodec(key []byte, maxAge time.Duration) *securecookie.SecureCookie {
	return securecookie.New(key, nil).MaxAge(int(maxAge / time.Second)).SetSerializer(securecookie.NopEncoder{})
}

// newToken is a fresh random value: only its SHA-256 is ever stored.
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("session: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// isToken reports whether v has the shape newToken gives.
func isToken(v string) bool {
	if len(v) != tokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil
}

// signToken is the cookie value carrying token, signed for the cookie of
// that base name.
func signToken(codec *securecookie.SecureCookie, base, token string) (string, error) {
	v, err := codec.Encode(base, []byte(token))
	if err != nil {
		return "", fmt.Errorf("session: sign cookie: %w", err)
	}
	return v, nil
}

// readToken is the random value the request's cookie of that base name
// carries, or "" with the reason. A bare value (no signature) is what
// Foyer set before its cookies were signed: it is still read so that a
// rolling upgrade signs nobody out and strands no sign-in; it proves no
// less than before, since only a value whose digest is stored opens
// anything. Those cookies end with their session (Config.Lifetime) or
// binding (a day), after which this branch can go.
func readToken(codec *securecookie.SecureCookie, c Cookies, r *http.Request, base string) (string, error) {
	v := c.Value(r, base)
	if v == "" {
		return "", ErrNoSession
	}
	if isToken(v) {
		return v, nil // legacy unsigned value
	}
	var raw []byte
	if err := codec.Decode(base, v, &raw); err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoSession, err)
	}
	if !isToken(string(raw)) {
		return "", ErrNoSession
	}
	return string(raw), nil
}
