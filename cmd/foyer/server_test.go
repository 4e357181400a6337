package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

func TestPagesCarrySecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	clientID, _ := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	authURL := srv.issuer + "/oauth2/auth?" + url.Values{"client_id": {clientID}, "response_type": {"code"},
		"redirect_uri": {rpCallback}, "scope": {"openid"}, "state": {"state-0001"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}.Encode()
	login := newBrowser(t, srv.Listener.Addr().String()).get(authURL)
	for _, p := range []*page{login, newBrowser(t, "").get(srv.issuer + "/oauth2/logout")} {
		h := p.resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", p.url.Path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: headers %v", p.url.Path, h)
		}
	}
	// the login form's post ends at the client: its origin is a form target
	if csp := login.resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9") {
		t.Errorf("login CSP does not allow the client's origin as a form target: %q", csp)
	}
	if strings.Contains(login.body, "<script>") || strings.Contains(login.body, " style=") {
		t.Error("login page has inline script or style")
	}
}

func TestCrossOriginFormPostIsRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	req, _ := http.NewRequest(http.MethodPost, srv.issuer+"/login", strings.NewReader("identifier=alice"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d, want 403", resp.StatusCode)
	}
}

func TestHealthAndDiscovery(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.issuer + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", path, err, resp)
		}
		resp.Body.Close()
	}
	metrics := newBrowser(t, "").get(srv.issuer + "/metrics")
	if !strings.Contains(metrics.body, `foyer_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`) {
		t.Fatalf("/metrics does not count requests by route:\n%s", metrics.body)
	}
	var doc struct {
		Issuer     string   `json:"issuer"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		Grants     []string `json:"grant_types_supported"`
		EndSession string   `json:"end_session_endpoint"`
		JWKS       string   `json:"jwks_uri"`
	}
	getJSON(t, srv.issuer+"/.well-known/openid-configuration", &doc)
	if doc.Issuer != srv.issuer || !slices.Equal(doc.PKCE, []string{"S256"}) || doc.EndSession != srv.issuer+"/oauth2/logout" ||
		!slices.Contains(doc.Grants, "client_credentials") {
		t.Fatalf("discovery = %+v", doc)
	}
	var jwks struct {
		Keys []struct{ Kid, Alg string } `json:"keys"`
	}
	getJSON(t, doc.JWKS, &jwks)
	var algs []string
	for _, k := range jwks.Keys {
		algs = append(algs, k.Alg)
	}
	slices.Sort(algs)
	if !slices.Equal(algs, []string{"ES256", "RS256"}) {
		t.Fatalf("JWKS algorithms = %v", algs)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// TestLogoutChecksItsInput: an unregistered post_logout_redirect_uri or a
// forged hint gets an error page and no redirect; without a hint the user
// confirms first.
func TestLogoutChecksItsInput(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		PostLogoutRedirectURIs: []string{rpLoggedOut}, GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, "openid")
	host := srv.Listener.Addr().String()
	b := newBrowser(t, host)
	b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", alicePass)

	bad := []url.Values{
		{"client_id": {clientID}, "post_logout_redirect_uri": {"https://evil.example/"}},
		{"post_logout_redirect_uri": {rpLoggedOut}}, // no way to tell which client
		// an unverifiable hint does not name the client either
		{"id_token_hint": {"not.a.jwt"}, "post_logout_redirect_uri": {rpLoggedOut}},
	}
	for _, q := range bad {
		p := b.get(srv.issuer + "/oauth2/logout?" + q.Encode())
		if p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
			t.Fatalf("logout %v: %d, Location %q", q, p.status, p.resp.Header.Get("Location"))
		}
	}
	// an unverifiable hint is ignored: the user is asked
	if p := b.get(srv.issuer + "/oauth2/logout?" + url.Values{"id_token_hint": {"not.a.jwt"}}.Encode()); p.status != http.StatusOK || !strings.Contains(p.body, `name="confirm"`) {
		t.Fatalf("logout with a garbage hint: %d, want the confirmation page", p.status)
	}
	// without a hint: a confirmation page; confirming ends the session
	p := b.get(srv.issuer + "/oauth2/logout?" + url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {rpLoggedOut}}.Encode())
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="confirm"`) {
		t.Fatalf("expected a confirmation page, got %d\n%s", p.status, p.body)
	}
	if loc := b.submit(p, nil).location(t); loc.String() != rpLoggedOut {
		t.Fatalf("after confirming: %s", loc)
	}
	again := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if !strings.Contains(again.body, `name="identifier"`) {
		t.Fatal("session survived logout")
	}
}

// TestLanguageNegotiation: ui_locales first, then the account's language
// (once the account is known), then Accept-Language.
func TestLanguageNegotiation(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	hans := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountEnabled, Email: "hans@example.com", Language: "de"}
	if err := srv.store.CreateAccount(ctx, hans); err != nil {
		t.Fatal(err)
	}
	hash, _ := password.NewHasher(password.OWASP).Hash(ctx, alicePass)
	if err := srv.store.SetPassword(ctx, hans.ID, hash); err != nil {
		t.Fatal(err)
	}
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, "openid")
	host := srv.Listener.Addr().String()
	authURL := func(uiLocales string) string {
		opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(oauth2.GenerateVerifier())}
		if uiLocales != "" {
			opts = append(opts, oauth2.SetAuthURLParam("ui_locales", uiLocales))
		}
		return rp.oauth.AuthCodeURL("state-0001", opts...)
	}
	get := func(b *browser, u, acceptLanguage string) *page {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return readPage(t, resp)
	}
	for _, tc := range []struct {
		uiLocales, acceptLanguage, want string
	}{
		{"", "", "Email or username"},
		{"de", "", "E-Mail oder Benutzername"},
		{"", "de-AT,de;q=0.9,en;q=0.5", "E-Mail oder Benutzername"},
		{"sv en", "de", "Email or username"}, // first supported ui_locales entry wins
	} {
		p := get(newBrowser(t, host), authURL(tc.uiLocales), tc.acceptLanguage)
		if !strings.Contains(p.body, tc.want) {
			t.Errorf("ui_locales=%q Accept-Language=%q: page lacks %q", tc.uiLocales, tc.acceptLanguage, tc.want)
		}
	}
	// signed in, the account's language beats Accept-Language
	b := newBrowser(t, host)
	b.signIn(authURL(""), "hans@example.com", alicePass)
	logout := srv.issuer + "/oauth2/logout"
	if p := get(b, logout, "en"); !strings.Contains(p.body, "Möchten Sie sich von Foyer abmelden?") {
		t.Errorf("logout page for a German account is not German:\n%s", p.body)
	}
	if p := get(b, logout+"?ui_locales=en", "de"); !strings.Contains(p.body, "Do you want to sign out of Foyer?") {
		t.Errorf("ui_locales=en did not win over the account's language:\n%s", p.body)
	}
}
