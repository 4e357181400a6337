//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The accounts the tests sign in with; TestMain creates them with the CLI.
const (
	aliceEmail    = "alice@example.com"
	alicePassword = "correct horse battery staple"
	bobEmail      = "bob@example.com"
	bobPassword   = "Tr0ub4dor&3-but-longer"
	// carol resets her password, so no other test signs in with her.
	carolEmail    = "carol@example.com"
	carolPassword = "lilac-copper-window-19"
)

// testEnv is what TestMain sets up once for every test: one Foyer server on a
// temporary SQLite database and one relying party registered with it.
type testEnv struct {
	issuer string        // Foyer's issuer URL, http://127.0.0.1:PORT
	rp     *relyingParty // the test application the browser signs in to
	bin    string        // the foyer binary, for tests that need a server of their own
	// environ is the shared server's environment, for CLI calls (clients,
	// accounts) from tests; the CLI is safe while the server runs.
	environ []string
}

// env is set by TestMain before any test runs and read only afterwards.
var env testEnv

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain builds and starts Foyer, registers the relying party and the
// accounts, runs the tests and stops Foyer again. Its deferred calls run before
// the process exits, which os.Exit in TestMain itself would skip.
func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	tmp, err := os.MkdirTemp("", "foyer-e2e-")
	if err != nil {
		return setupFailed(err)
	}
	defer os.RemoveAll(tmp)

	bin, err := buildFoyer(ctx, tmp)
	if err != nil {
		return setupFailed(err)
	}
	port, err := freePort()
	if err != nil {
		return setupFailed(err)
	}
	env.issuer = "http://127.0.0.1:" + port
	env.bin = bin
	environ := foyerEnviron(env.issuer, "127.0.0.1:"+port, filepath.Join(tmp, "foyer.db"))
	env.environ = environ

	srv, err := startFoyer(ctx, bin, environ)
	if err != nil {
		return setupFailed(err)
	}
	defer srv.stop()

	rp := newRelyingParty()
	defer rp.srv.Close()
	env.rp = rp

	if err := register(ctx, bin, environ, env.issuer, rp); err != nil {
		fmt.Fprintf(os.Stderr, "--- foyer log ---\n%s\n", srv.log.String())
		return setupFailed(err)
	}

	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- foyer log ---\n%s\n", srv.log.String())
	}
	return code
}

func setupFailed(err error) int {
	fmt.Fprintf(os.Stderr, "e2e setup: %v\n", err)
	return 1
}

// buildFoyer compiles ./cmd/foyer of the module one level above this
// directory into dir and returns the path of the binary.
func buildFoyer(ctx context.Context, dir string) (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", fmt.Errorf("module root not found next to the e2e directory: %w", err)
	}
	bin := filepath.Join(dir, "foyer")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/foyer")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/foyer: %w\n%s", err, out)
	}
	return bin, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// foyerEnviron is the environment of the server and of the CLI: the caller's
// environment without any FOYER_ variable of its own, plus the test's.
func foyerEnviron(issuer, listen, dbPath string) []string {
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOYER_") {
			environ = append(environ, kv)
		}
	}
	return append(environ,
		"FOYER_ISSUER="+issuer,
		"FOYER_LISTEN="+listen,
		"FOYER_DATABASE_URL=sqlite:"+dbPath,
		"FOYER_SECRET="+randomString(32),
		"FOYER_BOOTSTRAP_ADMIN_EMAIL=admin@example.com",
		"FOYER_DEV_OUTBOX=true", // the tests read activation and reset links there
		"FOYER_BOOTSTRAP_ADMIN_PASSWORD="+randomString(16),
	)
}

// foyerProcess is a running `foyer serve`.
type foyerProcess struct {
	cmd    *exec.Cmd
	log    *syncBuffer   // everything the server wrote
	exited chan struct{} // closed once the process has been waited for
}

// startFoyer starts `foyer serve` and returns once it logged "foyer is ready".
func startFoyer(ctx context.Context, bin string, environ []string) (*foyerProcess, error) {
	p := &foyerProcess{
		cmd:    exec.Command(bin, "serve"),
		log:    &syncBuffer{},
		exited: make(chan struct{}),
	}
	p.cmd.Env = environ
	p.cmd.Stdout = p.log
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start foyer serve: %w", err)
	}

	ready := make(chan struct{})
	go func() {
		// Keep draining stderr after the ready line so the server never
		// blocks on a full pipe; Wait only after the pipe is at EOF.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.log, line)
			if !seen && strings.Contains(line, "foyer is ready") {
				seen = true
				close(ready)
			}
		}
		_, _ = io.Copy(p.log, stderr)
		_ = p.cmd.Wait()
		close(p.exited)
	}()

	select {
	case <-ready:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("foyer serve exited before it was ready (%v):\n%s", p.cmd.ProcessState, p.log.String())
	case <-ctx.Done():
		p.stop()
		return nil, fmt.Errorf("foyer serve was not ready in time: %w\n%s", ctx.Err(), p.log.String())
	}
}

// stop sends SIGTERM, waits for a graceful exit and kills the server if it
// takes too long.
func (p *foyerProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		fmt.Fprintln(os.Stderr, "e2e: foyer did not stop within 15s after SIGTERM; killing it")
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// register creates the relying party's client and the test accounts with the
// CLI, then points the relying party at Foyer's discovery document.
func register(ctx context.Context, bin string, environ []string, issuer string, rp *relyingParty) error {
	out, err := runCLI(ctx, bin, environ, "client", "create",
		"--name", "E2E relying party",
		"--redirect-uri", rp.srv.URL+"/callback",
		"--post-logout-redirect-uri", rp.srv.URL+"/",
		"--grant", "authorization_code,refresh_token",
		"--scope", "openid profile email",
		"--first-party", "--json")
	if err != nil {
		return err
	}
	var client struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &client); err != nil {
		return fmt.Errorf("foyer client create --json printed %q: %w", out, err)
	}
	if client.ClientID == "" || client.ClientSecret == "" {
		return fmt.Errorf("foyer client create --json printed %q, want client_id and client_secret", out)
	}
	for _, acct := range [][2]string{{aliceEmail, alicePassword}, {bobEmail, bobPassword}, {carolEmail, carolPassword}, {daveEmail, davePassword}} {
		if _, err := runCLI(ctx, bin, environ, "account", "create",
			"--email", acct[0], "--password", acct[1], "--verified"); err != nil {
			return err
		}
	}
	return rp.configure(ctx, issuer, client.ClientID, client.ClientSecret)
}

// runCLI runs one foyer sub-command and returns its standard output.
func runCLI(ctx context.Context, bin string, environ []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = environ
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("foyer %s: %w\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out, nil
}

// relyingParty is a minimal OpenID Connect web application: /start begins an
// authorization code flow with PKCE and a nonce, /callback finishes it and
// shows who signed in.
type relyingParty struct {
	srv      *httptest.Server
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier

	mu      sync.Mutex
	pending map[string]pendingLogin // by state
}

// pendingLogin is what /start remembers for /callback.
type pendingLogin struct {
	nonce, codeVerifier string
}

func newRelyingParty() *relyingParty {
	rp := &relyingParty{pending: map[string]pendingLogin{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /start", rp.start)
	mux.HandleFunc("GET /callback", rp.callback)
	rp.srv = httptest.NewServer(mux)
	return rp
}

// configure reads Foyer's discovery document and sets up the client.
func (rp *relyingParty) configure(ctx context.Context, issuer, clientID, clientSecret string) error {
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return fmt.Errorf("discovery at %s: %w", issuer, err)
	}
	rp.provider = provider
	rp.oauth = oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  rp.srv.URL + "/callback",
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
	rp.verifier = provider.Verifier(&oidc.Config{ClientID: clientID})
	return nil
}

func (rp *relyingParty) start(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := randomString(16), randomString(16), oauth2.GenerateVerifier()
	rp.mu.Lock()
	rp.pending[state] = pendingLogin{nonce: nonce, codeVerifier: verifier}
	rp.mu.Unlock()
	http.Redirect(w, r, rp.oauth.AuthCodeURL(state,
		oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
}

func (rp *relyingParty) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		rp.fail(w, fmt.Errorf("authorization error %q: %s", e, q.Get("error_description")))
		return
	}
	state := q.Get("state")
	rp.mu.Lock()
	p, ok := rp.pending[state]
	delete(rp.pending, state)
	rp.mu.Unlock()
	if !ok {
		rp.fail(w, fmt.Errorf("unknown or reused state %q", state))
		return
	}
	tok, err := rp.oauth.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(p.codeVerifier))
	if err != nil {
		rp.fail(w, fmt.Errorf("code exchange: %w", err))
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		rp.fail(w, errors.New("the token response has no id_token"))
		return
	}
	idt, err := rp.verifier.Verify(r.Context(), raw)
	if err != nil {
		rp.fail(w, fmt.Errorf("ID token verification: %w", err))
		return
	}
	if idt.Nonce != p.nonce {
		rp.fail(w, fmt.Errorf("ID token nonce %q, want %q", idt.Nonce, p.nonce))
		return
	}
	// The UserInfo endpoint must agree with the ID token.
	info, err := rp.provider.UserInfo(r.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		rp.fail(w, fmt.Errorf("userinfo: %w", err))
		return
	}
	if info.Subject != idt.Subject {
		rp.fail(w, fmt.Errorf("userinfo sub %q, ID token sub %q", info.Subject, idt.Subject))
		return
	}
	// In the code flow the scope claims come from UserInfo (OpenID Connect
	// Core 5.4); the ID token carries them only when asked for by the
	// claims parameter.
	if info.Email == "" || !info.EmailVerified {
		rp.fail(w, fmt.Errorf("userinfo email %q (verified %v); want the account's confirmed address (scope %q)",
			info.Email, info.EmailVerified, tok.Extra("scope")))
		return
	}
	var claims struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	if err := idt.Claims(&claims); err != nil {
		rp.fail(w, fmt.Errorf("ID token claims: %w", err))
		return
	}
	render(w, `<h1 id="result">Signed in as {{.Email}}</h1><p id="amr">{{.AMR}}</p><p id="acr">{{.ACR}}</p>`,
		map[string]string{"Email": info.Email, "AMR": strings.Join(claims.AMR, " "), "ACR": claims.ACR})
}

// fail shows an error page the test reports verbatim.
func (rp *relyingParty) fail(w http.ResponseWriter, err error) {
	render(w, `<h1 id="result-error">Sign-in failed</h1><pre id="details">{{.}}</pre>`, err.Error())
}

func render(w http.ResponseWriter, body string, data any) {
	t := template.Must(template.New("page").Parse(
		`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>E2E relying party</title></head><body>` +
			body + `</body></html>`))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = t.Execute(w, data)
}

// randomString returns n random bytes, hex-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// syncBuffer is a strings.Builder safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ownFoyer starts a Foyer of the test's own at http://HOST:PORT (a free
// port) after running the CLI commands in setup on its fresh database,
// and registers a relying party with it. Tests that change the default
// application, or need another host (WebAuthn), use it instead of the
// shared server.
func ownFoyer(ctx context.Context, t *testing.T, host string, setup ...[]string) (issuer string, environ []string, rp *relyingParty) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	issuer = "http://" + host + ":" + port
	environ = foyerEnviron(issuer, "127.0.0.1:"+port, filepath.Join(t.TempDir(), "foyer.db"))
	for _, args := range setup {
		if out, err := runCLI(ctx, env.bin, environ, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	srv, err := startFoyer(ctx, env.bin, environ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	rp = newRelyingParty()
	t.Cleanup(rp.srv.Close)
	if err := register(ctx, env.bin, environ, issuer, rp); err != nil {
		t.Fatal(err)
	}
	return issuer, environ, rp
}
