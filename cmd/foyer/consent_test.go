package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/authz/keys"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// consentFixture is a server with alice and a third-party client.
type consentFixture struct {
	srv      *testServer
	alice    *storage.Account
	clientID string
	rp       *relyingParty
	b        *browser
}

func newConsentFixture(t *testing.T, store storage.Store) *consentFixture {
	t.Helper()
	srv := startServer(t, store)
	alice := srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Partner Travel", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess)
	return &consentFixture{srv: srv, alice: alice, clientID: clientID, rp: rp, b: newBrowser(t, srv.Listener.Addr().String())}
}

// authURL is an authorization request for scopes with extra parameters
// (name, value pairs).
func (f *consentFixture) authURL(state string, scopes []string, extra ...string) string {
	cfg := f.rp.oauth
	cfg.Scopes = scopes
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(oauth2.GenerateVerifier())}
	for i := 0; i+1 < len(extra); i += 2 {
		opts = append(opts, oauth2.SetAuthURLParam(extra[i], extra[i+1]))
	}
	return cfg.AuthCodeURL(state, opts...)
}

// signInToConsent signs alice in and expects the consent page.
func (f *consentFixture) signInToConsent(t *testing.T, authURL string) *page {
	t.Helper()
	p := f.b.get(authURL)
	p = f.b.submit(p, map[string]string{"identifier": "alice@example.com"})
	p = f.b.submit(p, map[string]string{"password": alicePass})
	return expectConsentPage(t, p)
}

func expectConsentPage(t *testing.T, p *page) *page {
	t.Helper()
	if p.status != http.StatusOK || p.url.Path != authz.ConsentPath || !strings.Contains(p.body, `value="allow"`) {
		t.Fatalf("expected the consent page, got %d at %s (Location %s):\n%s", p.status, p.url, p.resp.Header.Get("Location"), p.body)
	}
	return p
}

// expectCode checks a redirect to the client carries a code and the state.
func expectCode(t *testing.T, p *page, state string) string {
	t.Helper()
	loc := p.location(t)
	if loc.Query().Get("code") == "" || loc.Query().Get("state") != state {
		t.Fatalf("redirect = %s, want a code and state %s", loc, state)
	}
	return loc.Query().Get("code")
}

// TestConsentForThirdPartyClients: asked once per scope set, remembered,
// asked again for new scopes and prompt=consent; a grant revoked through
// the store takes the client's tokens with it.
func TestConsentForThirdPartyClients(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newConsentFixture(t, newStore(t))
		ctx := context.Background()

		// first login: sign-in, then the consent page in words
		p := f.signInToConsent(t, f.authURL("state-0001", []string{"openid", "email", "offline_access"}))
		for _, want := range []string{"Partner Travel", "Your account identifier", "Your email address",
			"Access while you are not using the app", ">Allow</button>", ">Deny</button>", "alice@example.com"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("consent page lacks %q:\n%s", want, p.body)
			}
		}
		if csp := p.resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9;") &&
			!strings.HasSuffix(csp, "form-action 'self' http://127.0.0.1:9") {
			t.Errorf("consent page CSP = %q, want form-action 'self' and the client's origin only", csp)
		}
		expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0001")
		grant, err := f.srv.store.GetGrant(ctx, f.alice.ID, f.clientID)
		if err != nil || strings.Join(grant.Scopes, " ") != "email offline_access openid" {
			t.Fatalf("grant after allow = %+v, %v", grant, err)
		}

		// the same scopes again: no consent page, a code at once
		expectCode(t, f.b.get(f.authURL("state-0002", []string{"openid", "email"})), "state-0002")

		// a new scope: asked again, the new one listed apart from the granted ones
		p = expectConsentPage(t, f.b.get(f.authURL("state-0003", []string{"openid", "email", "profile"})))
		if strings.Contains(p.body, "not been verified") {
			t.Error("an operator-registered client is marked unverified")
		}
		asked, already, _ := strings.Cut(p.body, "You have already allowed")
		if !strings.Contains(asked, "Your name and profile details") || strings.Contains(asked, "Your email address") ||
			!strings.Contains(already, "Your email address") {
			t.Errorf("consent for a new scope should ask for profile and show email as granted:\n%s", p.body)
		}
		expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0003")

		// prompt=consent asks even though everything is granted
		p = expectConsentPage(t, f.b.get(f.authURL("state-0004", []string{"openid"}, "prompt", "consent")))
		expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0004")

		// prompt=login consent: sign-in, then consent; the code still counts
		// as issued after a fresh sign-in (the request time survives the detour)
		p = f.signInToConsent(t, f.authURL("state-0005", []string{"openid"}, "prompt", "login consent"))
		expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0005")
	})
}

// TestConsentDeniedAndPromptNone: a denial answers access_denied with the
// state; prompt=none without a grant answers consent_required.
func TestConsentDeniedAndPromptNone(t *testing.T) {
	t.Parallel()
	f := newConsentFixture(t, sqltest.SQLite(t))
	p := f.signInToConsent(t, f.authURL("state-deny", []string{"openid", "email"}))
	loc := f.b.submit(p, map[string]string{"decision": "deny"}).location(t)
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "state-deny" || loc.Query().Get("code") != "" {
		t.Fatalf("deny redirect = %s, want error=access_denied with the state", loc)
	}
	if _, err := f.srv.store.GetGrant(context.Background(), f.alice.ID, f.clientID); err == nil {
		t.Error("a denial stored a grant")
	}
	loc = f.b.get(f.authURL("state-none", []string{"openid"}, "prompt", "none")).location(t)
	if loc.Query().Get("error") != "consent_required" || loc.Query().Get("state") != "state-none" {
		t.Fatalf("prompt=none without a grant = %s, want error=consent_required", loc)
	}
}

// TestFirstPartyClientsSkipConsent: the same request from a first-party
// client never shows the consent page.
func TestFirstPartyClientsSkipConsent(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Own app", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess)
	b := newBrowser(t, srv.Listener.Addr().String())
	cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", alicePass)
	if cb.Query().Get("code") == "" {
		t.Fatalf("first-party sign-in = %s, want a code", cb)
	}
	consent := oauth2.SetAuthURLParam("prompt", "consent")
	expectCode(t, b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), consent)), "state-0002")
}

// TestRevokingAGrantRevokesItsTokens: after RevokeGrant the refresh token
// is invalid_grant and the access token no longer opens UserInfo.
func TestRevokingAGrantRevokesItsTokens(t *testing.T) {
	t.Parallel()
	f := newConsentFixture(t, sqltest.SQLite(t))
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	cfg := f.rp.oauth
	authURL := cfg.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier))
	p := f.signInToConsent(t, authURL)
	code := expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0001")
	tok, err := f.rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	if _, err := f.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatalf("userinfo before revocation: %v", err)
	}
	grants, err := f.srv.store.ListGrants(ctx, f.alice.ID)
	if err != nil || len(grants) != 1 || grants[0].ClientID != f.clientID {
		t.Fatalf("ListGrants = %+v, %v", grants, err)
	}
	if err := f.srv.store.RevokeGrant(ctx, f.alice.ID, f.clientID); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	_, err = f.rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	expectOAuthError(t, err, "invalid_grant")
	if _, err := f.rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("access token still opens UserInfo after its grant was revoked")
	}
	// and the next authorization asks again
	expectConsentPage(t, f.b.get(f.authURL("state-0002", []string{"openid"})))
}

// TestConsentLinksAreChecked: a forged signature, another browser, a reused
// interaction, an unknown decision and a cross-origin post all get a clear
// error page and change nothing.
func TestConsentLinksAreChecked(t *testing.T) {
	t.Parallel()
	f := newConsentFixture(t, sqltest.SQLite(t))
	p := f.signInToConsent(t, f.authURL("state-0001", []string{"openid", "email"}))
	_, fields := parseForm(t, p.body)
	consentURL := f.srv.issuer + authz.ConsentPath
	// A valid signature of the same interaction for another step.
	resumeSig := session.NewStepSigner(keys.DeriveKey([]byte(testSecret), "flow-steps")).Sign(fields.Get("interaction"), "resume")

	post := func(b *http.Client, values url.Values, origin string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, consentURL, strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		if origin != f.srv.issuer {
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	with := func(k, v string) url.Values {
		vs := url.Values{"decision": {"allow"}}
		for name, val := range fields {
			vs[name] = val
		}
		vs.Set(k, v)
		return vs
	}
	cases := []struct {
		name   string
		client *http.Client
		values url.Values
		origin string
		want   int
	}{
		{"forged sig", f.b.Client, with("sig", "AAAA"), f.srv.issuer, http.StatusBadRequest},
		{"sig of another step", f.b.Client, with("sig", resumeSig), f.srv.issuer, http.StatusBadRequest},
		{"unknown decision", f.b.Client, with("decision", "maybe"), f.srv.issuer, http.StatusBadRequest},
		{"another browser", newBrowser(t, f.srv.Listener.Addr().String()).Client, with("decision", "allow"), f.srv.issuer, http.StatusBadRequest},
		{"cross-origin post", f.b.Client, with("decision", "allow"), "https://evil.example", http.StatusForbidden},
	}
	for _, c := range cases {
		if status := post(c.client, c.values, c.origin); status != c.want {
			t.Errorf("%s: status %d, want %d", c.name, status, c.want)
		}
	}
	// another browser's GET of the page is refused too
	if other := newBrowser(t, f.srv.Listener.Addr().String()).get(p.url.String()); other.status != http.StatusBadRequest ||
		!strings.Contains(other.body, "expired") {
		t.Errorf("another browser's consent page: %d\n%s", other.status, other.body)
	}
	if _, err := f.srv.store.GetGrant(context.Background(), f.alice.ID, f.clientID); err == nil {
		t.Fatal("a refused post stored a grant")
	}

	// the real decision works once; the same interaction again is refused
	expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0001")
	again := f.b.submit(p, map[string]string{"decision": "allow"})
	if again.status != http.StatusBadRequest || !strings.Contains(again.body, "expired") {
		t.Errorf("reused consent interaction: %d\n%s", again.status, again.body)
	}
	if again := f.b.get(p.url.String()); again.status != http.StatusBadRequest {
		t.Errorf("consent page of a used interaction: %d", again.status)
	}
}

// TestConsentPageInGerman: ui_locales=de gives the page in German.
func TestConsentPageInGerman(t *testing.T) {
	t.Parallel()
	f := newConsentFixture(t, sqltest.SQLite(t))
	p := f.signInToConsent(t, f.authURL("state-0001", []string{"openid", "email", "offline_access"}, "ui_locales", "de"))
	for _, want := range []string{`lang="de"`, "Partner Travel möchte Zugriff auf:", "Ihre E-Mail-Adresse", "Ihre Kontokennung",
		">Erlauben</button>", ">Ablehnen</button>"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("German consent page lacks %q:\n%s", want, p.body)
		}
	}
}

// TestConsentNotYou: the consent page names the signed-in account with a
// "Not you?" link that asks for the same authorization again with
// prompt=login; another person signs in there, sees their own address on
// the consent page, and the client gets its code with its own state.
func TestConsentNotYou(t *testing.T) {
	t.Parallel()
	f := newConsentFixture(t, sqltest.SQLite(t))
	f.srv.account(t, "bob@example.com", alicePass)
	p := f.signInToConsent(t, f.authURL("state-not-you", []string{"openid", "email"}))
	m := regexp.MustCompile(`Signed in as alice@example.com <a class="identity-change" href="([^"]+)">Not you\?</a>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("consent page without the account and a Not you? link:\n%s", p.body)
	}
	again, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil || again.Path != authz.AuthorizePath || again.Query().Get("prompt") != "login" ||
		again.Query().Get("state") != "state-not-you" || again.Query().Get("code_challenge") == "" {
		t.Fatalf("Not you? leads to %s (%v), want the same request with prompt=login", m[1], err)
	}
	p = f.b.get(f.srv.issuer + again.String())
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("Not you? did not ask who is signing in (%d at %s):\n%s", p.status, p.url, p.body)
	}
	p = f.b.submit(p, map[string]string{"identifier": "bob@example.com"})
	p = expectConsentPage(t, f.b.submit(p, map[string]string{"password": alicePass}))
	if !strings.Contains(p.body, "Signed in as bob@example.com") {
		t.Fatalf("after Not you? the consent page is not bob's:\n%s", p.body)
	}
	expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-not-you")
}
