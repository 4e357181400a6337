package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPeerScriptEmbedded(t *testing.T) {
	// What the bench's scenario and the brief of issue 18 rely on: the
	// grant on, the client authenticated with client_secret_basic, Foyer's
	// token path, no quick-start interactions, the ready line, the exit on
	// a closed stdin.
	for _, want := range []string{
		"clientCredentials: { enabled: true }",
		"token_endpoint_auth_method: 'client_secret_basic'",
		"grant_types: ['client_credentials']",
		"routes: { token: '/oauth2/token' }",
		"devInteractions: { enabled: false }",
		"console.log(`ready ${issuer}`)",
		"process.stdin.on('end'",
	} {
		if !bytes.Contains(peerScript, []byte(want)) {
			t.Errorf("embedded script lacks %q", want)
		}
	}
}

func TestStartPeerWritesScript(t *testing.T) {
	// No node here: PATH empty, so the start fails after the script is
	// written, and says so.
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	_, err := startPeer(dir, filepath.Join(dir, "peer.log"), "bench", "secret")
	if err == nil || !strings.Contains(err.Error(), "start node") {
		t.Fatalf("startPeer without node: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, peerScriptName))
	if err != nil || !bytes.Equal(got, peerScript) {
		t.Fatalf("script written as %d bytes (%v), want the embedded %d", len(got), err, len(peerScript))
	}
}

func TestParsePeerReady(t *testing.T) {
	got, err := parsePeerReady("ready http://127.0.0.1:41234\n")
	if err != nil || got != "http://127.0.0.1:41234" {
		t.Fatalf("parsePeerReady = %q, %v", got, err)
	}
	for _, line := range []string{
		"",
		"listening on http://127.0.0.1:41234",
		"ready ",
		"ready http://127.0.0.1",             // no port
		"ready http://example.com:41234",     // not loopback
		"ready https://127.0.0.1:41234",      // not what the script serves
		"ready http://127.0.0.1:41234/oidc",  // a path would move the token endpoint
		"ready http://127.0.0.1:41234 extra", // not a URL
	} {
		if got, err := parsePeerReady(line); err == nil {
			t.Errorf("parsePeerReady(%q) = %q, want an error", line, got)
		}
	}
}

func TestPeerDirFollowsXDGCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir, err := peerDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "foyer-bench", "oidc-provider@"+peerVersion); dir != want {
		t.Fatalf("peerDir = %s, want %s", dir, want)
	}
}

func TestPeerInstalledChecksTheVersion(t *testing.T) {
	dir := t.TempDir()
	if peerInstalled(dir) {
		t.Fatal("an empty directory counts as installed")
	}
	pkg := filepath.Join(dir, "node_modules", peerPackage)
	if err := os.MkdirAll(pkg, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(version string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(pkg, "package.json"), []byte(`{"version": "`+version+`"}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("8.0.0")
	if peerInstalled(dir) {
		t.Fatal("another version counts as installed")
	}
	write(peerVersion)
	if !peerInstalled(dir) {
		t.Fatal("the pinned version does not count as installed")
	}
}

func TestPeerSkippedWithoutNode(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	o := options{peer: true, conns: 1, duration: time.Second}
	p := startBenchPeer(context.Background(), o, t.TempDir(), &bytes.Buffer{})
	defer p.stop(context.Background())
	if p == nil || p.skipped != "node/npm not found" || p.failed() {
		t.Fatalf("without node: %+v", p)
	}
	p.measure(context.Background(), o, &bytes.Buffer{}) // nothing to measure, no panic
	var out bytes.Buffer
	printPeer(&out, o, nil, p)
	if !strings.Contains(out.String(), "skipped: node/npm not found") {
		t.Fatalf("table:\n%s", out.String())
	}
	if startBenchPeer(context.Background(), options{}, t.TempDir(), &bytes.Buffer{}) != nil {
		t.Fatal("-peer=false still prepared the peer")
	}
}

func TestPrintPeerRatios(t *testing.T) {
	o := options{conns: 64, duration: 10 * time.Second}
	cc := func(backend string, n, errs int) result {
		r := result{backend: backend, scenario: "client_credentials", conns: 64, elapsed: 10 * time.Second, errors: errs}
		for range n {
			r.latencies = append(r.latencies, time.Millisecond)
		}
		return r
	}
	reports := []backendReport{
		{name: "sqlite", results: []result{cc("sqlite", 30000, 0)}},
		{name: "postgres", results: []result{cc("postgres", 60000, 0)}},
	}
	peerCC := cc(peerPackage, 50000, 3)
	p := &peerReport{node: "v22.0.0", cc: &peerCC}
	var out bytes.Buffer
	printPeer(&out, o, reports, p)
	lines := strings.Split(out.String(), "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no line %q in:\n%s", prefix, out.String())
		return ""
	}
	if l := find("foyer postgres"); !strings.Contains(l, "6000.0") || !strings.HasSuffix(strings.TrimSpace(l), "1.200") {
		t.Errorf("postgres row: %q", l)
	}
	if l := find("foyer sqlite"); !strings.HasSuffix(strings.TrimSpace(l), "0.600") {
		t.Errorf("sqlite row: %q", l)
	}
	if l := find("oidc-provider (Node v22.0.0"); !strings.Contains(l, "50003") || !strings.Contains(l, " 3 ") {
		t.Errorf("peer row (requests, non-200s): %q", l)
	}
	if strings.Index(out.String(), "foyer postgres") > strings.Index(out.String(), "foyer sqlite") {
		t.Error("PostgreSQL is not the first row")
	}
	if !p.failed() {
		t.Error("a peer run with non-200 responses does not fail the bench")
	}
}

func TestVerifyPeer(t *testing.T) {
	const id, secret = "bench", "s3cret"
	token := `{"access_token":"abc","token_type":"Bearer","expires_in":600}`
	for name, tc := range map[string]struct {
		handler http.HandlerFunc
		wantErr string
	}{
		"a real peer": {handler: func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != id || p != secret {
				http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(token))
		}},
		"any secret accepted": {handler: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(token))
		}, wantErr: "issued a token for a wrong client secret"},
		"no access token": {handler: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"token_type":"Bearer"}`))
		}, wantErr: "not a token response"},
		"refused": {handler: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		}, wantErr: "status 400"},
		"wrong secret answered with 400": {handler: func(w http.ResponseWriter, r *http.Request) {
			if _, p, _ := r.BasicAuth(); p != secret {
				http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
				return
			}
			_, _ = w.Write([]byte(token))
		}, wantErr: "a wrong client secret"},
	} {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("POST /oauth2/token", tc.handler)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			tg := &target{backend: peerPackage, issuer: srv.URL, clientID: id, clientSecret: secret, transport: newTransport(1)}
			defer tg.transport.CloseIdleConnections()
			err := verifyPeer(context.Background(), tg)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("verifyPeer: %v, want %q", err, tc.wantErr)
			}
		})
	}
}
