// Package sessiontest helps tests of code that reads cookies signed by
// securecookie (session.NewStateCodec, the SSO and browser-binding
// cookies). securecookie stamps and checks a cookie's age against the wall
// clock, which a test cannot move, so a test of expiry builds a cookie
// stamped in the past instead of sleeping.
package sessiontest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"
)

// SignedAt is the cookie value securecookie.New(key, nil).Encode(name, v)
// would have given at time at, where serialized is v as the codec's
// serializer writes it (JSON with a trailing newline for NewStateCodec,
// the bytes themselves for the random-value cookies). The format is
// securecookie's documented one: base64url(date|value|mac) with value =
// base64url(serialized) and mac = HMAC-SHA256(key, name|date|value).
func SignedAt(key []byte, name string, serialized []byte, at time.Time) string {
	value := base64.URLEncoding.EncodeToString(serialized)
	date := strconv.FormatInt(at.UTC().Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(name + "|" + date + "|" + value))
	return base64.URLEncoding.EncodeToString(append([]byte(date+"|"+value+"|"), m.Sum(nil)...))
}
