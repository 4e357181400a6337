package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestConcurrentRefresh: of several simultaneous refreshes with one
// refresh token at most one succeeds, the others get invalid_grant, and —
// a used refresh token presented again — the family is revoked, the
// winner's new tokens included (RFC 9700 section 4.14.2).
func TestConcurrentRefresh(t *testing.T) {
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
		tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		type result struct {
			tok *oauth2.Token
			err error
		}
		results := make(chan result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := rp.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
				results <- result{got, err}
			}()
		}
		close(start)
		wg.Wait()
		close(results)
		var won *oauth2.Token
		for res := range results {
			if res.err == nil {
				if won != nil {
					t.Fatal("two refreshes with one refresh token succeeded")
				}
				won = res.tok
				continue
			}
			expectOAuthError(t, res.err, "invalid_grant")
		}
		if won == nil {
			t.Fatal("no refresh succeeded")
		}
		if _, err := rp.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: won.RefreshToken}).Token(); err == nil {
			t.Fatal("the winner's refresh token survived the reuse of its predecessor")
		}
	})
}

// TestNoSecretsInLogs: a whole flow at debug level logs no password, code,
// token or client secret.
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
	v := oauth2.GenerateVerifier()
	b := newBrowser(t, srv.Listener.Addr().String())
	cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	code := cb.Query().Get("code")
	tok, err := rp.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	p := b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("prompt", "login")))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	if p = b.submit(p, map[string]string{"password": "wrong password"}); p.status != http.StatusBadRequest {
		t.Fatalf("wrong password: %d", p.status)
	}
	logs := srv.logs.String()
	if !strings.Contains(logs, "request_id=") || !strings.Contains(logs, "remote=") {
		t.Fatalf("log lines lack request id and remote address:\n%s", logs)
	}
	for name, s := range map[string]string{"password": alicePass, "wrong password": "wrong password", "code": code,
		"access token": tok.AccessToken, "refresh token": tok.RefreshToken, "client secret": secret, "verifier": v} {
		if strings.Contains(logs, s) {
			t.Errorf("the %s appears in the logs", name)
		}
	}
}

// TestSignInPageAfterSignInContinues: reloading the sign-in page (or
// submitting it again) after signing in continues to the client instead of
// failing.
func TestSignInPageAfterSignInContinues(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	passwordPage := p
	p = b.submit(p, map[string]string{"password": alicePass})
	if p.location(t).Query().Get("code") == "" {
		t.Fatal("sign-in did not reach the client")
	}
	again := b.get(passwordPage.url.String())
	if again.status >= 500 {
		t.Fatalf("reloading the sign-in page after signing in: %d", again.status)
	}
	if again.status != http.StatusBadRequest || !strings.Contains(again.body, "has expired") {
		t.Fatalf("reloading a used sign-in page: %d (the interaction was used; want the clear expired page)", again.status)
	}
}
