package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/authz/keys"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestProtocolErrors: each bad request gets the RFC's error and changes
// nothing.
func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}, FirstParty: true})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
		host := srv.Listener.Addr().String()

		t.Run("unregistered redirect_uri shows an error page and does not redirect", func(t *testing.T) {
			cfg := rp.oauth
			cfg.RedirectURL = "https://evil.example/callback"
			p := newBrowser(t, host).get(cfg.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			if p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q", p.status, p.resp.Header.Get("Location"))
			}
			if !strings.Contains(p.body, "invalid return address") {
				t.Fatalf("error page does not explain the problem:\n%s", p.body)
			}
		})

		t.Run("redirect_uri must match exactly", func(t *testing.T) {
			webID, _ := srv.client(t, authz.ClientSpec{Name: "Web", RedirectURIs: []string{"https://shop.example/callback"},
				GrantTypes: []string{"authorization_code"}, FirstParty: true})
			for _, uri := range []string{
				"https://shop.example/callback/", "https://shop.example/callback?x=1",
				"https://shop.example/Callback", "https://SHOP.example.evil/callback", "http://shop.example/callback",
			} {
				cfg := rp.oauth
				cfg.ClientID, cfg.RedirectURL = webID, uri
				p := newBrowser(t, host).get(cfg.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				if p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
					t.Errorf("redirect_uri %s: status %d, Location %q", uri, p.status, p.resp.Header.Get("Location"))
				}
			}
		})

		t.Run("wrong PKCE verifier is invalid_grant", func(t *testing.T) {
			b := newBrowser(t, host)
			v := oauth2.GenerateVerifier()
			cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
			_, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
			expectOAuthError(t, err, "invalid_grant")
			// the failed attempt used up the code: no second guess, and no
			// downgrade to an exchange without PKCE (RFC 9700 4.8.2)
			_, err = rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
			expectOAuthError(t, err, "invalid_grant")
			_, err = rp.oauth.Exchange(ctx, cb.Query().Get("code"))
			expectOAuthError(t, err, "invalid_grant")
		})

		t.Run("code used twice is invalid_grant and revokes its tokens", func(t *testing.T) {
			b := newBrowser(t, host)
			v := oauth2.GenerateVerifier()
			cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
			code := cb.Query().Get("code")
			tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			_, err = rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(v))
			expectOAuthError(t, err, "invalid_grant")
			if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
				t.Fatal("access token from a replayed code still works")
			}
			_, err = rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			expectOAuthError(t, err, "invalid_grant")
		})

		t.Run("wrong client secret is 401 invalid_client", func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"}}
			req, _ := http.NewRequest(http.MethodPost, srv.issuer+authz.TokenPath, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(clientID, secret+"x")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			p := readPage(t, resp)
			if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `"invalid_client"`) {
				t.Fatalf("got %d %s", p.status, p.body)
			}
		})

		t.Run("public client without PKCE is invalid_request", func(t *testing.T) {
			pubID, _ := srv.client(t, authz.ClientSpec{Name: "SPA", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code"}, Public: true, FirstParty: true})
			cfg := rp.oauth
			cfg.ClientID, cfg.ClientSecret = pubID, ""
			loc := newBrowser(t, host).get(cfg.AuthCodeURL("state-0001")).location(t)
			if loc.Query().Get("error") != "invalid_request" || !strings.HasPrefix(loc.String(), rpCallback) {
				t.Fatalf("redirect = %s", loc)
			}
		})

		t.Run("disabled account cannot sign in", func(t *testing.T) {
			bob := srv.account(t, "bob@example.com", alicePass)
			if err := srv.store.SetAccountStatus(ctx, bob.ID, storage.AccountDisabled); err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, host)
			p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			p = b.submit(p, map[string]string{"identifier": "bob@example.com"})
			p = b.submit(p, map[string]string{"password": alicePass})
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "This account is disabled.") {
				t.Fatalf("got %d:\n%s", p.status, p.body)
			}
			for _, c := range b.Jar.Cookies(p.url) {
				if c.Name == session.CookieName {
					t.Fatal("a session cookie was set for a disabled account")
				}
			}
		})

		t.Run("unknown identifier and wrong password look the same", func(t *testing.T) {
			attempt := func(identifier string) *page {
				b := newBrowser(t, host)
				p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				p = b.submit(p, map[string]string{"identifier": identifier})
				return b.submit(p, map[string]string{"password": "not the password"})
			}
			unknown, wrong := attempt("nobody@example.com"), attempt("alice@example.com")
			const msg = "Incorrect email, username or password."
			if unknown.status != wrong.status || !strings.Contains(unknown.body, msg) || !strings.Contains(wrong.body, msg) {
				t.Fatalf("unknown: %d, wrong password: %d; bodies differ in message", unknown.status, wrong.status)
			}
		})

		t.Run("expired interaction gets a clear page", func(t *testing.T) {
			now := time.Now().UTC()
			in := &storage.Interaction{ID: "expired-interaction-0001", ClientID: clientID,
				Request: "client_id=" + clientID, CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}
			if err := srv.store.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
			sig := session.NewStepSigner(keys.DeriveKey([]byte(testSecret), "flow-steps")).Sign(in.ID, "login")
			for _, u := range []string{
				srv.issuer + "/login?" + url.Values{"interaction": {in.ID}, "sig": {sig}}.Encode(),
				srv.issuer + "/login?" + url.Values{"interaction": {"no-such-interaction"}, "sig": {sig}}.Encode(),
			} {
				p := newBrowser(t, host).get(u)
				if p.status >= 500 || (!strings.Contains(p.body, "has expired") && !strings.Contains(p.body, "invalid")) {
					t.Fatalf("GET %s: %d\n%s", u, p.status, p.body)
				}
			}
			p := newBrowser(t, host).get(srv.issuer + "/login?" + url.Values{"interaction": {in.ID}, "sig": {sig}}.Encode())
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "This sign-in request has expired.") {
				t.Fatalf("expired interaction: %d\n%s", p.status, p.body)
			}
		})
	})
}

// TestConcurrentCodeExchange: of several simultaneous exchanges of one code
// exactly one succeeds, the others get invalid_grant (never a server
// error), and — a reuse — the winner's tokens are revoked.
func TestConcurrentCodeExchange(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
		v := oauth2.GenerateVerifier()
		cb := newBrowser(t, srv.Listener.Addr().String()).signIn(
			rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
		const n = 6
		type result struct {
			tok *oauth2.Token
			err error
		}
		results := make(chan result, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
				results <- result{tok, err}
			}()
		}
		wg.Wait()
		close(results)
		var won *oauth2.Token
		for res := range results {
			if res.err == nil {
				if won != nil {
					t.Fatal("two exchanges of one code succeeded")
				}
				won = res.tok
				continue
			}
			expectOAuthError(t, res.err, "invalid_grant")
		}
		if won == nil {
			t.Fatal("no exchange succeeded")
		}
		if _, err := rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(won)); err == nil {
			t.Fatal("the winner's access token survived the reuse of its code")
		}
	})
}

// TestAuthorizeRejectsBadParametersBeforeSignIn: malformed requests are
// answered at once, not after the user has signed in.
func TestAuthorizeRejectsBadParametersBeforeSignIn(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	pkce := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"prompt none with login": {pkce, oauth2.SetAuthURLParam("prompt", "none login")},
		"unknown prompt":         {pkce, oauth2.SetAuthURLParam("prompt", "bogus")},
		"negative max_age":       {pkce, oauth2.SetAuthURLParam("max_age", "-1")},
		"non-numeric max_age":    {pkce, oauth2.SetAuthURLParam("max_age", "soon")},
		"plain PKCE":             {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
	} {
		loc := newBrowser(t, srv.Listener.Addr().String()).get(rp.oauth.AuthCodeURL("state-0001", opts...)).location(t)
		if loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "state-0001" {
			t.Errorf("%s: redirected to %s, want error=invalid_request", name, loc)
		}
	}
	// a max_age too large to represent is no constraint, not an overflow
	srv.account(t, "alice@example.com", alicePass)
	b := newBrowser(t, srv.Listener.Addr().String())
	b.signIn(rp.oauth.AuthCodeURL("state-0001", pkce), "alice@example.com", alicePass)
	p := b.get(rp.oauth.AuthCodeURL("state-0002", pkce, oauth2.SetAuthURLParam("max_age", "9223372036854775807")))
	if p.location(t).Query().Get("code") == "" {
		t.Fatalf("huge max_age: %s", p.location(t))
	}
}

// TestOversizedRequestsAreRefused: what an unauthenticated browser can make
// Foyer store is bounded.
func TestOversizedRequestsAreRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	authURL, _ := url.Parse(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	form := authURL.Query()
	for name, size := range map[string]int{"larger than an interaction may hold": 10 << 10, "larger than any form": 100 << 10} {
		form.Set("padding", strings.Repeat("x", size))
		resp, err := newBrowser(t, srv.Listener.Addr().String()).PostForm(srv.issuer+authz.AuthorizePath, form)
		if err != nil {
			t.Fatal(err)
		}
		p := readPage(t, resp)
		if p.status >= 500 || strings.Contains(p.resp.Header.Get("Location"), "/login") {
			t.Fatalf("%s: status %d, Location %q; want a refusal, not a sign-in", name, p.status, p.resp.Header.Get("Location"))
		}
	}
}
