package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// reply is an HTTP answer without its body.
type reply struct {
	StatusCode int
	Header     http.Header
}

// TestCORS: a browser app at the origin of a registered redirect URI may
// call token, UserInfo, revocation, JWKS and discovery (preflight
// included); another origin gets no CORS headers.
func TestCORS(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "SPA", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "client_credentials"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	tok := signedInTokens(t, srv, rp)
	const allowed, unknown = "http://127.0.0.1:9", "https://evil.example"

	// send returns the answer's status and headers (the body is closed).
	send := func(method, path, origin string, body url.Values, prepare func(*http.Request)) reply {
		t.Helper()
		req, _ := http.NewRequest(method, srv.issuer+path, strings.NewReader(body.Encode()))
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Origin", origin)
		if prepare != nil {
			prepare(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return reply{StatusCode: resp.StatusCode, Header: resp.Header}
	}
	basic := func(r *http.Request) { r.SetBasicAuth(clientID, secret) }
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) }
	calls := []struct {
		name, method, path string
		body               url.Values
		prepare            func(*http.Request)
	}{
		{"discovery", http.MethodGet, authz.DiscoveryPath, nil, nil},
		{"jwks", http.MethodGet, authz.JWKSPath, nil, nil},
		{"token", http.MethodPost, authz.TokenPath, url.Values{"grant_type": {"client_credentials"}}, basic},
		{"userinfo", http.MethodGet, authz.UserInfoPath, nil, bearer},
		{"revocation", http.MethodPost, authz.RevocationPath, url.Values{"token": {"unknown"}}, basic},
	}
	for _, c := range calls {
		resp := send(c.method, c.path, allowed, c.body, c.prepare)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != allowed ||
			!strings.Contains(resp.Header.Get("Vary"), "Origin") || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("%s from a registered origin: %d %v", c.name, resp.StatusCode, resp.Header)
		}
		resp = send(c.method, c.path, unknown, c.body, c.prepare)
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s from an unknown origin got CORS headers: %v", c.name, resp.Header)
		}
	}

	preflight := func(r *http.Request) {
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	}
	resp := send(http.MethodOptions, authz.TokenPath, allowed, nil, preflight)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != allowed ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") || resp.Header.Get("Access-Control-Max-Age") == "" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp = send(http.MethodOptions, authz.TokenPath, unknown, nil, preflight)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("preflight from an unknown origin: %v", resp.Header)
	}
}
