package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// forwardedFrom makes a test browser's requests come from addr, as a
// trusted load balancer says (FOYER_TRUST_PROXY_HEADERS).
type forwardedFrom string

func (f forwardedFrom) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", string(f))
	return http.DefaultTransport.RoundTrip(req)
}

// TestSignInLimitsThroughTheServer: the whole node, behind a trusted
// proxy, on a moved clock. Ten wrong passwords from one address hold it
// (429, Retry-After), the owner signs in from another and the relying
// party gets its tokens, and the hold ends with its window although the
// guesser kept knocking.
func TestSignInLimitsThroughTheServer(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		clock := &offsetClock{start: time.Now().Truncate(time.Microsecond)}
		srv := startServerWith(t, newStore(t), func(c *Config) { c.TrustProxyHeaders = true }, withClock(clock.now))
		srv.account(t, "alice@example.com", alicePass)
		id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, FirstParty: true,
			GrantTypes: []string{"authorization_code"}})
		rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
		verifier := oauth2.GenerateVerifier()
		authURL := rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier))
		try := func(from, pw string) *page {
			t.Helper()
			b := newBrowser(t, srv.Listener.Addr().String())
			b.Transport = forwardedFrom(from)
			p := b.submit(b.get(authURL), map[string]string{"identifier": "alice@example.com"})
			return b.submit(p, map[string]string{"password": pw})
		}
		for i := range 10 {
			if p := try("198.51.100.7", "wrong password"); p.status != http.StatusBadRequest {
				t.Fatalf("guess %d: %d", i+1, p.status)
			}
		}
		for _, want := range []string{"900", "600", "300"} {
			p := try("198.51.100.7", alicePass)
			if got := p.resp.Header.Get("Retry-After"); p.status != http.StatusTooManyRequests || got != want {
				t.Fatalf("the guesser's address: %d Retry-After %q, want 429 %s", p.status, got, want)
			}
			clock.advance(5 * time.Minute)
		}
		code := try("203.0.113.20", alicePass).location(t).Query().Get("code")
		if _, err := rp.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("the owner's code: %v", err)
		}
		clock.advance(time.Second)
		if loc := try("198.51.100.7", alicePass).location(t); !strings.HasPrefix(loc.String(), rpCallback) || loc.Query().Get("code") == "" {
			t.Fatalf("after the window: %s", loc)
		}
	})
}
