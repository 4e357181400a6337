package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// pgProxy stands between Foyer and PostgreSQL on loopback so a test can
// take the database away (every connection cut, new ones refused) and
// bring it back, as an outage or a failover does.
type pgProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		upstream, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, upstream)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(upstream, c); _ = upstream.Close() }()
		go func() { _, _ = io.Copy(c, upstream); _ = c.Close() }()
	}
}

// cut closes every connection and refuses new ones until restore.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *pgProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// startBehindPGProxy starts a node on a new PostgreSQL database reached
// through a pgProxy, for the test to cut.
func startBehindPGProxy(t *testing.T) (*testServer, *pgProxy) {
	t.Helper()
	u, err := url.Parse(sqltest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, u.String(), sqlstore.WithMaxOpenConns(4))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return startServer(t, store), proxy
}

// TestDatabaseOutage: with PostgreSQL unreachable, no endpoint answers as
// if a client, token or account were unknown. The token, introspection,
// revocation and UserInfo endpoints answer 503 temporarily_unavailable
// with Retry-After; the authorization endpoint shows a 503 page or
// redirects temporarily_unavailable, never "invalid return address"; the
// JWKS keeps serving from memory. Once the database is back, so is
// everything, with no restart and the tokens issued before still good.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	srv, proxy := startBehindPGProxy(t)
	srv.account(t, "alice@example.com", alicePass)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "client_credentials"}, FirstParty: true, Scopes: []string{"openid", "read"}})
	rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
	userToken := signedInTokens(t, srv, rp)
	ccForm := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	if status, body := postForm(t, srv.issuer+authz.TokenPath, ccForm, id, secret); status != http.StatusOK {
		t.Fatalf("token endpoint before the outage: %d %v", status, body)
	}

	proxy.cut()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	expect503 := func(what string, req *http.Request) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(string(body), "temporarily_unavailable") {
			t.Errorf("%s during the outage: %d Retry-After=%q %s; want 503 temporarily_unavailable with Retry-After",
				what, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	form := func(path string, v url.Values) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, srv.issuer+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		return req
	}
	expect503("client credentials", form(authz.TokenPath, ccForm))
	expect503("introspection", form(authz.IntrospectionPath, url.Values{"token": {userToken.AccessToken}}))
	expect503("revocation", form(authz.RevocationPath, url.Values{"token": {userToken.RefreshToken}}))
	userinfo, _ := http.NewRequest(http.MethodGet, srv.issuer+authz.UserInfoPath, nil)
	userinfo.Header.Set("Authorization", "Bearer "+userToken.AccessToken)
	expect503("UserInfo", userinfo)

	authURL := rp.oauth.AuthCodeURL("state-outage-1", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	loc, _ := resp.Location()
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
	case loc != nil && strings.HasPrefix(loc.String(), rpCallback) && loc.Query().Get("error") == "temporarily_unavailable":
	case resp.StatusCode == http.StatusFound && loc != nil && strings.HasPrefix(loc.String(), srv.issuer+"/login?"):
		// An anonymous request stores nothing (its interaction waits in
		// a cookie), so the client cache may let it through: the sign-in
		// page it leads to must then say the service is unavailable, not
		// that the request expired.
		login, _ := http.NewRequest(http.MethodGet, loc.String(), nil)
		for _, c := range resp.Cookies() {
			login.AddCookie(c)
		}
		lr, err := noRedirect.Do(login)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(lr.Body)
		_ = lr.Body.Close()
		if lr.StatusCode != http.StatusServiceUnavailable || lr.Header.Get("Retry-After") == "" {
			t.Errorf("sign-in page of an authorization request during the outage: %d\n%.300s", lr.StatusCode, body)
		}
	default:
		t.Errorf("authorization request during the outage: %d %v\n%.300s", resp.StatusCode, loc, page)
	}

	resp, err = http.Get(srv.issuer + authz.JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(jwks), `"kid"`) {
		t.Errorf("JWKS during the outage: %d %s", resp.StatusCode, jwks)
	}

	proxy.restore()
	// The pool finds its connections dead and dials again; a request that
	// met a dead one may fail, the next ones not (bounded, no sleeping).
	var status int
	for range 5 {
		if status, _ = postForm(t, srv.issuer+authz.TokenPath, ccForm, id, secret); status == http.StatusOK {
			break
		}
	}
	if status != http.StatusOK {
		t.Fatalf("token endpoint after the outage: %d", status)
	}
	if !introspects(t, srv, userToken.AccessToken, id, secret) {
		t.Fatal("a token issued before the outage is no longer active")
	}
}
