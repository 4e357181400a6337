package session

import (
	"crypto/hmac"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// sealStep prefixes the purpose of a sealed value, so no step signature
// (whose steps are fixed names) can pass for one.
const sealStep = "sealed\x00"

// SealUntil signs value together with its expiry, for a short-lived state
// cookie. A cookie's Max-Age is only advice to the browser: a copy kept
// (or replayed) after it must still be refused, so the end of its life is
// part of what is signed. purpose keeps one cookie's value from passing
// as another's.
func (s *StepSigner) SealUntil(purpose, value string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	mac := s.mac(exp+"\x00"+value, sealStep+purpose)
	return base64.RawURLEncoding.EncodeToString([]byte(value)) + "." + exp + "." +
		base64.RawURLEncoding.EncodeToString(mac)
}

// OpenAt returns the value SealUntil sealed for purpose, if the signature
// checks (in constant time) and the expiry is after now.
func (s *StepSigner) OpenAt(purpose, sealed string, now time.Time) (string, bool) {
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 {
		return "", false
	}
	raw, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "", false
	}
	if !hmac.Equal(sig, s.mac(parts[1]+"\x00"+string(raw), sealStep+purpose)) {
		return "", false
	}
	if !now.Before(time.Unix(exp, 0)) {
		return "", false
	}
	return string(raw), true
}
