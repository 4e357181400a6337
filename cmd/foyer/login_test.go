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
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestPasswordRehashedWhenParametersChange: a hash made with older
// parameters is replaced by an OWASP-parameter hash at the next sign-in.
func TestPasswordRehashedWhenParametersChange(t *testing.T) {
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	alice := srv.account(t, "alice@example.com", alicePass)
	weak, err := password.NewHasher(password.Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}).Hash(ctx, alicePass)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.store.SetPassword(ctx, alice.ID, weak); err != nil {
		t.Fatal(err)
	}
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	cb := newBrowser(t, srv.Listener.Addr().String()).signIn(
		rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", alicePass)
	if cb.Query().Get("code") == "" {
		t.Fatalf("sign-in with an old-parameter hash failed: %s", cb)
	}
	cred, err := srv.store.GetPassword(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cred.Hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %s", cred.Hash)
	}
}

// TestLockoutAfterRepeatedFailures: ten attempts without success lock the
// identifier for the window — an existing account (even with the right
// password now) and an unknown identifier alike, so the lockout reveals
// nothing — and parallel guesses get no more than ten tries.
func TestLockoutAfterRepeatedFailures(t *testing.T) {
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	srv.account(t, "bob@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	host := srv.Listener.Addr().String()
	passwordPage := func(identifier string) (*browser, *page) {
		b := newBrowser(t, host)
		p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		return b, b.submit(p, map[string]string{"identifier": identifier})
	}
	try := func(identifier, pw string) *page {
		b, p := passwordPage(identifier)
		return b.submit(p, map[string]string{"password": pw})
	}
	var locked []*page
	for _, id := range []string{"alice@example.com", "nobody@example.com"} {
		for i := range 10 {
			if p := try(id, "wrong password"); p.status != http.StatusBadRequest {
				t.Fatalf("%s attempt %d: status %d", id, i+1, p.status)
			}
		}
		p := try(id, alicePass)
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many") {
			t.Fatalf("%s after 10 failures: %d", id, p.status)
		}
		locked = append(locked, p)
	}
	if locked[0].status != locked[1].status || extractAlert(locked[0].body) != extractAlert(locked[1].body) {
		t.Fatal("the lockout of an existing account looks different from an unknown identifier's")
	}

	// parallel guesses for bob: at most ten are checked
	const parallel = 24
	pages := make([]*page, parallel)
	browsers := make([]*browser, parallel)
	for i := range parallel {
		browsers[i], pages[i] = passwordPage("bob@example.com")
	}
	statuses := make(chan int, parallel)
	var wg sync.WaitGroup
	for i := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- browsers[i].submit(pages[i], map[string]string{"password": "wrong password"}).status
		}()
	}
	wg.Wait()
	close(statuses)
	checked := 0
	for st := range statuses {
		if st == http.StatusBadRequest {
			checked++
		}
	}
	if checked > 10 {
		t.Fatalf("%d of %d parallel guesses were checked, want at most 10", checked, parallel)
	}
}

// extractAlert is the page-level message of a page.
func extractAlert(body string) string {
	i := strings.Index(body, `role="alert"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</div>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// TestConcurrentRefreshWithOneToken: of several refreshes racing with the
// same refresh token exactly one wins.
func TestConcurrentRefreshWithOneToken(t *testing.T) {
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
		const n = 8
		var wg sync.WaitGroup
		results := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := rp.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			if err == nil {
				won++
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent refreshes succeeded, want exactly 1", won, n)
		}
	})
}

// TestNoSecretsInLogs: a whole flow at debug level logs no password, code,
// token or client secret.
func TestNoSecretsInLogs(t *testing.T) {
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

// TestNewSignInReplacesTheSession: signing in again in the same browser
// (another account, or prompt=login) ends the previous SSO session.
func TestNewSignInReplacesTheSession(t *testing.T) {
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	alice := srv.account(t, "alice@example.com", alicePass)
	bob := srv.account(t, "bob@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "alice@example.com", alicePass)
	b.signIn(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("prompt", "login")), "bob@example.com", alicePass)
	if left, err := srv.store.ListSessionsByAccount(ctx, alice.ID); err != nil || len(left) != 0 {
		t.Fatalf("alice's session survived bob's sign-in in the same browser: %d sessions, %v", len(left), err)
	}
	if now, err := srv.store.ListSessionsByAccount(ctx, bob.ID); err != nil || len(now) != 1 {
		t.Fatalf("bob has %d sessions, %v; want 1", len(now), err)
	}
}

// One sign-in request takes ten wrong answers; after that it tells the
// user to start again from the application, since waiting will not help.
func TestSignInRequestEndsAfterTenFailures(t *testing.T) {
	srv := startServer(t, sqltest.SQLite(t))
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	for i := range 10 {
		if got := b.submit(p, map[string]string{"identifier": ""}); got.status != http.StatusBadRequest {
			t.Fatalf("empty identifier %d: %d\n%s", i+1, got.status, got.body)
		}
	}
	got := b.submit(p, map[string]string{"identifier": "alice@example.com"})
	if got.status != http.StatusTooManyRequests || !strings.Contains(got.body, "Go back to the application and start signing in again") {
		t.Fatalf("after ten failures: %d\n%s", got.status, got.body)
	}
}
