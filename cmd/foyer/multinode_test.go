package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/storage/sqlstore/sqltest"
)

// buildFoyer compiles the binary once per test run.
func buildFoyer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "foyer")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startNode runs "foyer serve" and returns once it logs that it is ready.
func startNode(t *testing.T, bin string, env []string) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Graceful shutdown: SIGTERM drains and exits with status 0.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("foyer serve did not exit cleanly on SIGTERM: %v", err)
		}
	})
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var log []string
		for sc.Scan() {
			log = append(log, sc.Text())
			if strings.Contains(sc.Text(), "foyer is ready") {
				ready <- nil
				for sc.Scan() { // keep draining so the process never blocks
				}
				return
			}
		}
		ready <- fmt.Errorf("%s", strings.Join(log, "\n"))
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("node exited before ready:\n%v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("node not ready within 30s")
	}
}

func runCLI(t *testing.T, bin string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("foyer %v: %v", args, err)
	}
	return out
}

// TestTwoNodesShareOnePostgres: an authorization started on one node is
// finished on another: interactions, sessions, keys and codes are all in
// the database.
func TestTwoNodesShareOnePostgres(t *testing.T) {
	t.Parallel()
	dbURL := sqltest.PostgresURL(t)
	bin := buildFoyer(t)
	addr1, addr2 := freeAddr(t), freeAddr(t)
	issuer := "http://" + addr1
	base := []string{
		"PATH=" + os.Getenv("PATH"),
		"FOYER_ISSUER=" + issuer,
		"FOYER_DATABASE_URL=" + dbURL,
		"FOYER_SECRET=" + testSecret,
		"FOYER_BOOTSTRAP_ADMIN_PASSWORD=admin-password-123",
	}
	// Both nodes start at once: migrations and bootstrap must not collide.
	done := make(chan struct{}, 2)
	for _, addr := range []string{addr1, addr2} {
		go func() {
			defer func() { done <- struct{}{} }()
			startNode(t, bin, append(base, "FOYER_LISTEN="+addr))
		}()
	}
	<-done
	<-done
	if t.Failed() {
		t.FailNow()
	}

	var created struct{ ClientID, ClientSecret string }
	out := runCLI(t, bin, base, "client", "create", "--name", "Shop", "--redirect-uri", rpCallback,
		"--grant", "authorization_code,refresh_token", "--first-party", "--json")
	if err := json.Unmarshal(out, &struct {
		ClientID     *string `json:"client_id"`
		ClientSecret *string `json:"client_secret"`
	}{&created.ClientID, &created.ClientSecret}); err != nil {
		t.Fatalf("client create output %q: %v", out, err)
	}
	runCLI(t, bin, base, "account", "create", "--email", "alice@example.com", "--password", alicePass, "--verified")

	rp := newRelyingParty(t, issuer, created.ClientID, created.ClientSecret, oidc.ScopeOpenID, "email")
	b := newBrowser(t, addr1)
	b.CheckRedirect = func(req *http.Request, _ []*http.Request) error { return http.ErrUseLastResponse }
	v := oauth2.GenerateVerifier()

	// node 1: authorize → redirect to the login page
	login := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v), oidc.Nonce("nonce-0001"))).location(t)
	// node 2: every sign-in page, the resume, and the code
	onNode2 := func(u *url.URL) string { u.Host = addr2; return u.String() }
	p := b.get(onNode2(login))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.get(onNode2(p.location(t)))
	p = b.submit(p, map[string]string{"password": alicePass})
	p = b.get(onNode2(p.location(t)))
	cb := p.location(t)
	if cb.Query().Get("code") == "" {
		t.Fatalf("node 2 did not finish the flow: %s", cb)
	}
	// the code is exchanged at node 2's token endpoint too
	rp.oauth.Endpoint.TokenURL = strings.Replace(rp.oauth.Endpoint.TokenURL, addr1, addr2, 1)
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange on node 2: %v", err)
	}
	idToken, err := rp.verifier.Verify(context.Background(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatalf("ID token from node 2 does not verify with node 1's JWKS: %v", err)
	}
	if idToken.Subject == "" || idToken.Issuer != issuer {
		t.Fatalf("ID token sub=%q iss=%q", idToken.Subject, idToken.Issuer)
	}
}
