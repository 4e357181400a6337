package session

import (
	"net/http"
	"testing"
)

func TestClientIP(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.7:4431":  "203.0.113.7",
		"203.0.113.7:0":     "203.0.113.7", // cmd/foyer's middleware, from X-Forwarded-For
		"[2001:db8::1]:443": "2001:db8::1",
		"203.0.113.7":       "203.0.113.7",
		"":                  "",
	} {
		if got := ClientIP(&http.Request{RemoteAddr: addr}); got != want {
			t.Errorf("ClientIP(%q) = %q, want %q", addr, got, want)
		}
	}
}
