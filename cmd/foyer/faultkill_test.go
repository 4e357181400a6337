package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/glebarez/go-sqlite" // registers "sqlite" for the integrity check
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestTokensSurviveKill: foyer serve is killed (-9) while sixteen clients
// ask it for tokens. A 200 that reached the client is a promise: after a
// restart on the same database every token so received introspects
// active. The contract pinned here is "a token response is sent only
// after its row is committed", whatever batching of inserts comes later.
func TestTokensSurviveKill(t *testing.T) {
	t.Parallel()
	bin := buildFoyer(t)
	t.Run("postgres", func(t *testing.T) { tokensSurviveKill(t, bin, sqltest.PostgresURL(t), func() {}) })
	t.Run("sqlite", func(t *testing.T) {
		dbURL := sqltest.SQLiteURL(t)
		tokensSurviveKill(t, bin, dbURL, func() { checkSQLiteIntegrity(t, strings.TrimPrefix(dbURL, "sqlite:")) })
	})
}

const (
	killWorkers    = 16               // client-credentials workers, plus killRefreshers
	killRefreshers = 2                // workers refreshing the chains, each once
	killChains     = 48               // refresh-token chains set up before the load
	killAfter      = 300              // client-credentials tokens received before the kill
	killLoadLimit  = 20 * time.Second // the load stops at this even if killAfter was not reached
)

// killClient is a client's credentials as "foyer client create --json"
// prints them.
type killClient struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

// tokensSurviveKill runs the load, the kill and the restart on one
// database; afterKill inspects it while no process has it open.
func tokensSurviveKill(t *testing.T, bin, dbURL string, afterKill func()) {
	addr := freeAddr(t)
	issuer := "http://" + addr
	env := []string{"PATH=" + os.Getenv("PATH"), "FOYER_ISSUER=" + issuer, "FOYER_LISTEN=" + addr,
		"FOYER_DATABASE_URL=" + dbURL, "FOYER_SECRET=" + testSecret, "FOYER_BOOTSTRAP_ADMIN_PASSWORD=admin-password-123"}
	node := startServe(t, bin, env)
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = node.Process.Kill()
			_ = node.Wait()
		}
	})
	batch := createKillClient(t, bin, env, "--name", "Batch", "--grant", "client_credentials", "--scope", "read")
	shop := createKillClient(t, bin, env, "--name", "Shop", "--redirect-uri", rpCallback,
		"--grant", "authorization_code,refresh_token", "--scope", "openid offline_access", "--first-party")
	runCLI(t, bin, env, "account", "create", "--email", "alice@example.com", "--password", alicePass, "--verified")
	rp := newRelyingParty(t, issuer, shop.ID, shop.Secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
	chains := refreshChains(t, addr, rp)

	cc := clientcredentials.Config{ClientID: batch.ID, ClientSecret: batch.Secret, TokenURL: issuer + authz.TokenPath,
		Scopes: []string{"read"}, AuthStyle: oauth2.AuthStyleInHeader}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: killWorkers + killRefreshers}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, httpClient)
	load := &killLoad{cc: cc, rp: rp, chains: chains}
	load.run(t, ctx, node.Process.Signal)
	_ = node.Wait()
	killed = true
	t.Logf("killed with %d tokens and %d refreshes received, %d requests failed by the kill, %d chains untouched",
		len(load.tokens), len(load.refreshed)/2, load.failed, len(load.untouched()))
	afterKill()

	start := time.Now()
	restarted := startServe(t, bin, env)
	t.Logf("ready again %s after the restart began", time.Since(start))
	t.Cleanup(func() {
		_ = restarted.Process.Signal(syscall.SIGTERM)
		if err := restarted.Wait(); err != nil {
			t.Errorf("foyer serve did not exit cleanly on SIGTERM: %v", err)
		}
	})
	for _, c := range []struct {
		what   string
		client killClient
		tokens []string
	}{
		{"client-credentials tokens received before the kill", batch, load.tokens},
		{"access and refresh tokens of refreshes received before the kill", shop, load.refreshed},
		{"refresh tokens no refresh used before the kill", shop, load.untouched()},
	} {
		if lost := inactiveTokens(t, issuer, c.client.ID, c.client.Secret, c.tokens); len(lost) > 0 {
			t.Errorf("%d of %d %s are not active after the restart, e.g. %.12s…", len(lost), len(c.tokens), c.what, lost[0])
		}
	}
	after, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("a token after the restart: %v", err)
	}
	if lost := inactiveTokens(t, issuer, batch.ID, batch.Secret, []string{after.AccessToken}); len(lost) > 0 {
		t.Fatal("a token issued after the restart is not active")
	}
}

func createKillClient(t *testing.T, bin string, env []string, args ...string) killClient {
	t.Helper()
	var c killClient
	out := runCLI(t, bin, env, append(append([]string{"client", "create"}, args...), "--json")...)
	if err := json.Unmarshal(out, &c); err != nil || c.ID == "" || c.Secret == "" {
		t.Fatalf("client create output %q: %v", out, err)
	}
	return c
}

// refreshChains signs alice in once and collects killChains refresh
// tokens, each of its own grant (an authorization through the SSO
// session and a code exchange).
func refreshChains(t *testing.T, addr string, rp *relyingParty) []string {
	t.Helper()
	b := newBrowser(t, addr)
	var chains []string
	for i := range killChains {
		v := oauth2.GenerateVerifier()
		authURL := rp.oauth.AuthCodeURL(fmt.Sprintf("state-%04d", i), oauth2.S256ChallengeOption(v))
		var cb *url.URL
		if i == 0 {
			cb = b.signIn(authURL, "alice@example.com", alicePass)
		} else {
			cb = b.get(authURL).location(t)
		}
		tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("chain %d: %v (refresh token %q)", i, err, tok.RefreshToken)
		}
		chains = append(chains, tok.RefreshToken)
	}
	return chains
}

// killLoad is the load a kill interrupts: killWorkers workers asking for
// client-credentials tokens and killRefreshers refreshing each chain once.
// What it records is what the clients were promised: a token is recorded
// only when its 200 arrived. A chain whose refresh failed at the kill is
// neither refreshed nor untouched: whether that rotation was committed is
// unknown, so nothing is asserted of it.
type killLoad struct {
	cc     clientcredentials.Config
	rp     *relyingParty
	chains []string

	mu        sync.Mutex
	tokens    []string        // client-credentials access tokens received
	refreshed []string        // access and refresh tokens of refreshes received
	started   map[string]bool // chains a refresher took up
	failed    int             // requests that got no 200
}

// run loads the node until killAfter tokens were received (or
// killLoadLimit passed), then sends SIGKILL while the workers are still
// asking, and returns once they stopped.
func (l *killLoad) run(t *testing.T, ctx context.Context, signal func(os.Signal) error) {
	t.Helper()
	l.started = map[string]bool{}
	enough, stop := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var workers sync.WaitGroup
	for range killWorkers {
		workers.Go(func() {
			for !closed(stop) {
				reqCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
				tok, err := l.cc.Token(reqCtx)
				cancel()
				if l.record(err, func() { l.tokens = append(l.tokens, tok.AccessToken) }) >= killAfter {
					once.Do(func() { close(enough) })
				}
			}
		})
	}
	next := make(chan string, len(l.chains))
	for _, c := range l.chains {
		next <- c
	}
	close(next)
	for range killRefreshers {
		workers.Go(func() {
			for rt := range next {
				if closed(stop) {
					return
				}
				l.mu.Lock()
				l.started[rt] = true
				l.mu.Unlock()
				reqCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
				tok, err := l.rp.oauth.TokenSource(reqCtx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
				cancel()
				l.record(err, func() { l.refreshed = append(l.refreshed, tok.AccessToken, tok.RefreshToken) })
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(killLoadLimit):
	}
	l.mu.Lock()
	received, failedBefore := len(l.tokens), l.failed
	l.mu.Unlock()
	if failedBefore > 0 {
		t.Errorf("%d requests failed before the kill", failedBefore)
	}
	if received < killAfter/4 {
		t.Fatalf("only %d tokens in %s: too few for the kill to mean anything", received, killLoadLimit)
	}
	if err := signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(stop)
	workers.Wait()
}

// record notes a request's outcome (keep runs on success) and returns how
// many client-credentials tokens were received.
func (l *killLoad) record(err error, keep func()) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
	} else {
		keep()
	}
	return len(l.tokens)
}

// untouched are the refresh tokens no refresher took up.
func (l *killLoad) untouched() []string {
	var out []string
	for _, c := range l.chains {
		if !l.started[c] {
			out = append(out, c)
		}
	}
	return out
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// inactiveTokens introspects each token (RFC 7662) with its client's
// credentials, eight at a time, and returns those not active.
func inactiveTokens(t *testing.T, issuer, id, secret string, tokens []string) []string {
	t.Helper()
	var (
		mu       sync.Mutex
		inactive []string
		errs     []error
		next     = make(chan string)
		wg       sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for tok := range next {
				active, err := introspectActive(issuer, id, secret, tok)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if !active {
					inactive = append(inactive, tok)
				}
				mu.Unlock()
			}
		})
	}
	for _, tok := range tokens {
		next <- tok
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("introspection: %v", err)
	}
	return inactive
}

func introspectActive(issuer, id, secret, token string) (bool, error) {
	req, err := http.NewRequest(http.MethodPost, issuer+authz.IntrospectionPath, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var body struct {
		Active bool `json:"active"`
	}
	if resp.StatusCode != http.StatusOK {
		return false, errors.New("introspection answered " + resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return false, err
	}
	return body.Active, nil
}

// checkSQLiteIntegrity opens the database file as SQLite itself would
// after a crash (replaying the write-ahead log) and runs its integrity
// check.
func checkSQLiteIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil {
		t.Fatalf("integrity check: %v", err)
	}
	if result != "ok" {
		t.Fatalf("integrity check after the kill: %s", result)
	}
}
