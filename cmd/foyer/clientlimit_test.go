package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestTokenEndpointClientAuthBudget: twenty failed client authentications
// from one address hold that client and address back with 429 and
// Retry-After (the right secret too, without judging it), knocking does
// not extend the hold, the client from another address is not held, and
// the hold ends with its window.
func TestTokenEndpointClientAuthBudget(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		clock := &offsetClock{start: time.Now().Truncate(time.Microsecond)}
		srv := startServerWith(t, newStore(t), func(c *Config) { c.TrustProxyHeaders = true }, withClock(clock.now))
		id, secret := srv.client(t, authz.ClientSpec{Name: "Batch", GrantTypes: []string{"client_credentials"}})
		type answer struct {
			status     int
			retryAfter string
			body       map[string]string
		}
		post := func(from, secret string) answer {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, srv.issuer+authz.TokenPath,
				strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", from)
			req.SetBasicAuth(id, secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
			_ = json.NewDecoder(resp.Body).Decode(&a.body)
			return a
		}
		const guesser, owner = "198.51.100.7", "203.0.113.20"
		for i := range 20 {
			if a := post(guesser, "wrong-secret"); a.status != http.StatusUnauthorized {
				t.Fatalf("wrong secret %d: %d", i+1, a.status)
			}
		}
		clock.advance(time.Minute)
		for range 3 {
			if a := post(guesser, secret); a.status != http.StatusTooManyRequests || a.retryAfter != "240" || a.body["error"] != "temporarily_unavailable" {
				t.Fatalf("held: %+v", a)
			}
		}
		if a := post(owner, secret); a.status != http.StatusOK {
			t.Fatalf("the client from its own address: %+v", a)
		}
		clock.advance(4*time.Minute + time.Second)
		if a := post(guesser, secret); a.status != http.StatusOK {
			t.Fatalf("after the window: %+v", a)
		}
	})
}
