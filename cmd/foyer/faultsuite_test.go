package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/admin"
	"foyer/authz"
	"foyer/selfservice/portal"
)

// TestDatabaseOutageLosesNothing covers the doors TestDatabaseOutage does
// not: with PostgreSQL cut, the code exchange, refresh, PAR, dynamic
// registration and the admin API answer 503 with Retry-After (JSON
// temporarily_unavailable, or a problem document) and never 401; the
// logout, sign-in and account portal pages answer 503 with Retry-After,
// not an error about the visitor's link, a 500, or a sign-in page for a
// signed-in customer; /readyz says 503 while /healthz and discovery
// answer from memory. Once the database is back, nothing the outage
// touched is lost: the code, the refresh token, the sign-in underway,
// the portal session and the initial access token all still work.
func TestDatabaseOutageLosesNothing(t *testing.T) {
	t.Parallel()
	srv, proxy := startBehindPGProxy(t)
	ctx := context.Background()
	srv.account(t, "alice@example.com", alicePass)
	srv.account(t, "bob@example.com", alicePass)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, PostLogoutRedirectURIs: []string{rpLoggedOut},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
	api, _ := newAdminAPI(t, srv)
	initial := srv.initialToken(t, 1, time.Hour)
	host := srv.Listener.Addr().String()
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	// Before the outage: alice signed in at the shop (tokens, and a second
	// code not yet exchanged), bob halfway through signing in, carol in
	// the account portal.
	rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
	alice := newBrowser(t, host)
	v := oauth2.GenerateVerifier()
	cb := alice.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	v2 := oauth2.GenerateVerifier()
	code2 := alice.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v2))).location(t).Query().Get("code")
	alice.CheckRedirect = noRedirects
	bob := newBrowser(t, host)
	identifierPage := bob.get(rp.oauth.AuthCodeURL("state-0003", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	follow := bob.CheckRedirect
	bob.CheckRedirect = noRedirects
	carol := newPortalUser(t, srv, "carol@example.com")
	carol.b.CheckRedirect = noRedirects

	codeForm := url.Values{"grant_type": {"authorization_code"}, "code": {code2}, "code_verifier": {v2}, "redirect_uri": {rpCallback}}
	refreshForm := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
	parForm := url.Values{"response_type": {"code"}, "redirect_uri": {rpCallback}, "scope": {"openid"}, "state": {"state-0004"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(v)}, "code_challenge_method": {"S256"}}
	registration := `{"client_name":"App","redirect_uris":["https://app.example/cb"]}`
	clientPath := admin.APIPrefix + "/clients/" + id

	proxy.cut()
	for _, c := range []struct {
		what string
		p    *page
	}{
		{"code exchange", outagePost(t, srv, authz.TokenPath, codeForm, id, secret)},
		{"refresh", outagePost(t, srv, authz.TokenPath, refreshForm, id, secret)},
		{"PAR", outagePost(t, srv, authz.PARPath, parForm, id, secret)},
		{"registration", bearerCall(t, http.MethodPost, srv.issuer+authz.RegistrationPath, initial, registration)},
	} {
		expectOutageJSON(t, c.what, c.p, "temporarily_unavailable")
	}
	expectOutageJSON(t, "admin API", bearerCall(t, http.MethodGet, srv.issuer+clientPath, api.token, ""), "")
	pages := []struct {
		what string
		p    *page
	}{
		{"logout", alice.get(srv.issuer + authz.LogoutPath + "?" +
			url.Values{"client_id": {id}, "post_logout_redirect_uri": {rpLoggedOut}}.Encode())},
		{"logout with a hint", alice.get(srv.issuer + authz.LogoutPath + "?" +
			url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {rpLoggedOut}}.Encode())},
		{"the identifier posted", bob.submit(identifierPage, map[string]string{"identifier": "bob@example.com"})},
		{"the sign-in page again", bob.get(identifierPage.url.String())},
		{"the portal's launcher", carol.get(portal.BasePath + "/apps")},
		{"the portal's security page", carol.get(portal.BasePath + "/security")},
		{"the portal's sign-out", carol.post(portal.BasePath + "/logout")},
	}
	for _, c := range pages {
		if c.p.status != http.StatusServiceUnavailable || c.p.resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s during the outage: %d Retry-After=%q Location=%q; want 503 with Retry-After",
				c.what, c.p.status, c.p.resp.Header.Get("Retry-After"), c.p.resp.Header.Get("Location"))
		}
		// A sign-out that could not end the session must leave the
		// browser able to end it once the database is back.
		for _, k := range c.p.resp.Cookies() {
			if strings.Contains(k.Name, "foyer_session") && k.MaxAge < 0 {
				t.Errorf("%s during the outage cleared the session cookie %s", c.what, k.Name)
			}
		}
	}
	for path, want := range map[string]int{"/readyz": http.StatusServiceUnavailable, "/healthz": http.StatusOK, authz.DiscoveryPath: http.StatusOK} {
		if p := bob.get(srv.issuer + path); p.status != want {
			t.Errorf("%s during the outage: %d, want %d", path, p.status, want)
		}
	}

	proxy.restore()
	// The pool finds its connections dead and dials again; a request that
	// met a dead one may fail, the next ones not (bounded, no sleeping).
	for i := 0; bob.get(srv.issuer+"/readyz").status != http.StatusOK; i++ {
		if i == 5 {
			t.Fatal("/readyz after the outage: still not ready")
		}
	}
	if p := outagePost(t, srv, authz.TokenPath, codeForm, id, secret); p.status != http.StatusOK {
		t.Errorf("the code issued before the outage: %d %s", p.status, p.body)
	}
	if p := outagePost(t, srv, authz.TokenPath, refreshForm, id, secret); p.status != http.StatusOK {
		t.Errorf("the refresh token issued before the outage: %d %s", p.status, p.body)
	}
	bob.CheckRedirect = follow
	if p := bob.submit(identifierPage, map[string]string{"identifier": "bob@example.com"}); !strings.Contains(p.body, `name="password"`) {
		t.Errorf("the sign-in underway at the outage: %d, want the password page", p.status)
	}
	if p := carol.get(portal.BasePath + "/apps"); p.status != http.StatusOK || !strings.Contains(p.body, "carol@example.com") {
		t.Errorf("the portal session after the outage: %d Location=%q", p.status, p.resp.Header.Get("Location"))
	}
	if p := bearerCall(t, http.MethodGet, srv.issuer+clientPath, api.token, ""); p.status != http.StatusOK {
		t.Errorf("the admin API token after the outage: %d %s", p.status, p.body)
	}
	if p := bearerCall(t, http.MethodPost, srv.issuer+authz.RegistrationPath, initial, registration); p.status != http.StatusCreated {
		t.Errorf("the initial access token after the outage: %d %s (the outage must not have used it up)", p.status, p.body)
	}
}

// expectOutageJSON: a JSON answer of 503 with Retry-After and, when code
// is given, that OAuth error code; never the {"error":"error"} of a
// storage error passed to fosite raw.
func expectOutageJSON(t *testing.T, what string, p *page, code string) {
	t.Helper()
	var body map[string]any
	_ = json.Unmarshal([]byte(p.body), &body)
	if p.status != http.StatusServiceUnavailable || p.resp.Header.Get("Retry-After") == "" ||
		(code != "" && body["error"] != code) || body["error"] == "error" {
		t.Errorf("%s during the outage: %d Retry-After=%q %s; want 503 %s with Retry-After",
			what, p.status, p.resp.Header.Get("Retry-After"), p.body, code)
	}
}

// outagePost posts a form with the client's credentials.
func outagePost(t *testing.T, srv *testServer, path string, v url.Values, id, secret string) *page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.issuer+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return readPage(t, resp)
}

// bearerCall sends a bearer token and, when body is not empty, JSON.
func bearerCall(t *testing.T, method, u, token, body string) *page {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return readPage(t, resp)
}
