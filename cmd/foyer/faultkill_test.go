package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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
	killWorkers   = 16
	killAfter     = 300              // tokens received before the kill
	killLoadLimit = 20 * time.Second // the load stops at this even if killAfter was not reached
)

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
	var client struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	out := runCLI(t, bin, env, "client", "create", "--name", "Batch", "--grant", "client_credentials", "--scope", "read", "--json")
	if err := json.Unmarshal(out, &client); err != nil || client.ID == "" || client.Secret == "" {
		t.Fatalf("client create output %q: %v", out, err)
	}
	cc := clientcredentials.Config{ClientID: client.ID, ClientSecret: client.Secret, TokenURL: issuer + authz.TokenPath,
		Scopes: []string{"read"}, AuthStyle: oauth2.AuthStyleInHeader}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: killWorkers}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, httpClient)

	tokens, inFlight := loadUntilKill(t, ctx, cc, node.Process.Signal)
	_ = node.Wait()
	killed = true
	t.Logf("killed with %d tokens received and %d requests failed by the kill", len(tokens), inFlight)
	if inFlight == 0 {
		t.Log("no request was in flight at the kill this time")
	}
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
	if lost := inactiveTokens(t, issuer, client.ID, client.Secret, tokens); len(lost) > 0 {
		t.Fatalf("%d of %d tokens received before the kill are not active after the restart, e.g. %.12s…", len(lost), len(tokens), lost[0])
	}
	after, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("a token after the restart: %v", err)
	}
	if lost := inactiveTokens(t, issuer, client.ID, client.Secret, []string{after.AccessToken}); len(lost) > 0 {
		t.Fatal("a token issued after the restart is not active")
	}
}

// loadUntilKill runs the workers until killAfter tokens were received (or
// killLoadLimit passed), sends SIGKILL while they are still asking, and
// returns every token whose 200 arrived and how many requests failed.
func loadUntilKill(t *testing.T, ctx context.Context, cc clientcredentials.Config, signal func(os.Signal) error) ([]string, int) {
	t.Helper()
	var (
		mu      sync.Mutex
		tokens  []string
		failed  int
		enough  = make(chan struct{})
		once    sync.Once
		stop    = make(chan struct{})
		workers sync.WaitGroup
	)
	for range killWorkers {
		workers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				reqCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
				tok, err := cc.Token(reqCtx)
				cancel()
				mu.Lock()
				if err != nil {
					failed++
				} else {
					tokens = append(tokens, tok.AccessToken)
					if len(tokens) >= killAfter {
						once.Do(func() { close(enough) })
					}
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(killLoadLimit):
	}
	mu.Lock()
	before, failedBefore := len(tokens), failed
	mu.Unlock()
	if failedBefore > 0 {
		t.Errorf("%d token requests failed before the kill", failedBefore)
	}
	if before < killAfter/4 {
		t.Fatalf("only %d tokens in %s: too few for the kill to mean anything", before, killLoadLimit)
	}
	if err := signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(stop)
	workers.Wait()
	mu.Lock()
	defer mu.Unlock()
	return tokens, failed - failedBefore
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
