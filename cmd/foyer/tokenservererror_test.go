package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/ory/fosite"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// switchableClaims is a claim source naming its claim (so a refresh asks
// it again) that fails while down is set, as one whose own backend (not
// Foyer's database) is unreachable.
type switchableClaims struct{ down *atomic.Bool }

func (s switchableClaims) Claims(_ context.Context, acct *storage.Account, _ string, scopes fosite.Arguments) (map[string]any, error) {
	if !scopes.Has("x_test") {
		return nil, nil
	}
	if s.down.Load() {
		return nil, errors.New("claims backend unreachable")
	}
	return map[string]any{"x_test": acct.ID}, nil
}

func (switchableClaims) ClaimNames() []string { return []string{"x_test"} }

// TestTokenEndpointInternalErrorIsServerError: an internal failure at the
// token endpoint that is not a storage failure (a claim source failing
// during a refresh) is 500 with {"error":"server_error"} — never fosite's
// {"error":"error"}, nor a 503 that would say the database is down, nor
// an invalid_grant that would make the client drop a good refresh token —
// and the same refresh token works once the source is back.
func TestTokenEndpointInternalErrorIsServerError(t *testing.T) {
	t.Parallel()
	down := &atomic.Bool{}
	srv := startServer(t, sqltest.SQLite(t), withClaimSource(switchableClaims{down: down}))
	srv.accountWithAttributes(t, "alice@example.com", alicePass, nil)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true, Scopes: []string{"openid", "offline_access", "x_test"}})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess, "x_test")
	tok := signedInTokens(t, srv, rp)
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}

	down.Store(true)
	status, body := postForm(t, srv.issuer+authz.TokenPath, refresh, clientID, secret)
	if status != http.StatusInternalServerError || body["error"] != "server_error" {
		t.Fatalf("refresh with the claim source failing: %d %v; want 500 server_error", status, body)
	}

	down.Store(false)
	status, body = postForm(t, srv.issuer+authz.TokenPath, refresh, clientID, secret)
	if status != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("the same refresh once the source is back: %d %v", status, body)
	}
}
