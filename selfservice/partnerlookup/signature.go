package partnerlookup

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the request's signature:
//
//	Foyer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The receiver recomputes the HMAC over the timestamp, a dot and the raw
// body exactly as received, compares it in constant time, and refuses
// timestamps too far from its clock so that a captured request cannot be
// replayed later. Signing the timestamp with the body is what makes that
// check meaningful. More v1 entries may follow one day (secret rotation);
// a receiver accepts the request when any of them matches.
const SignatureHeader = "Foyer-Signature"

// ErrSignature means a Foyer-Signature header does not match the body.
var ErrSignature = errors.New("partnerlookup: signature does not match")

// Sign returns the Foyer-Signature header value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify is the receiver's check, for Go receivers and for the tests: the
// header's timestamp is within tolerance of now and one of its v1
// signatures is the HMAC of "<t>.<body>". It returns the signed time.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) (time.Time, error) {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return time.Time{}, ErrSignature
	}
	signed := time.Unix(unix, 0)
	if d := now.Sub(signed); d > tolerance || d < -tolerance {
		return time.Time{}, ErrSignature
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return signed, nil
		}
	}
	return time.Time{}, ErrSignature
}
