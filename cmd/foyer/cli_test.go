package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the foyer command in-process against a SQLite file.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	dir := t.TempDir()
	return &cli{t: t, env: map[string]string{
		"FOYER_DATABASE_URL":             "sqlite:" + filepath.Join(dir, "foyer.db"),
		"FOYER_BOOTSTRAP_ADMIN_PASSWORD": "admin-password-123",
	}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut, func(k string) string { return c.env[k] })
	return code, out.String(), errOut.String()
}

func TestCLIClientLifecycle(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Shop", "--redirect-uri", "https://shop.example/cb",
		"--redirect-uri", "http://127.0.0.1:3000/cb", "--post-logout-redirect-uri", "https://shop.example/",
		"--grant", "authorization_code,refresh_token,client_credentials", "--scope", "openid profile email", "--first-party", "--json")
	if code != 0 {
		t.Fatalf("client create: exit %d: %s", code, errOut)
	}
	var created map[string]string
	if err := json.Unmarshal([]byte(out), &created); err != nil || created["client_id"] == "" || len(created["client_secret"]) < 43 {
		t.Fatalf("client create --json printed %q", out)
	}
	code, out, _ = c.run("client", "create", "--name", "SPA", "--redirect-uri", "https://spa.example/cb", "--public", "--json")
	var public map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &public) != nil || public["client_secret"] != "" {
		t.Fatalf("public client create: exit %d, %q", code, out)
	}
	code, out, _ = c.run("client", "list")
	if code != 0 || !strings.Contains(out, created["client_id"]) || !strings.Contains(out, "Shop") || !strings.Contains(out, "public") {
		t.Fatalf("client list: exit %d\n%s", code, out)
	}
	if code, _, _ = c.run("client", "delete", created["client_id"]); code != 0 {
		t.Fatalf("client delete: exit %d", code)
	}
	_, out, _ = c.run("client", "list", "--json")
	if strings.Contains(out, created["client_id"]) {
		t.Fatal("deleted client still listed")
	}
	if code, _, errOut = c.run("client", "delete", created["client_id"]); code != 1 || !strings.Contains(errOut, "no client") {
		t.Fatalf("deleting a missing client: exit %d, %q", code, errOut)
	}
}

func TestCLIRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", []string{"client", "create", "--nope"}, 2, "flag provided but not defined"},
		{"missing name", []string{"client", "create", "--redirect-uri", "https://a.example/cb"}, 2, "a name is required"},
		{"http redirect not on loopback", []string{"client", "create", "--name", "x", "--redirect-uri", "http://shop.example/cb"}, 2, "only allowed on loopback"},
		{"fragment", []string{"client", "create", "--name", "x", "--redirect-uri", "https://a.example/cb#x"}, 2, "fragment"},
		{"wildcard", []string{"client", "create", "--name", "x", "--redirect-uri", "https://*.example/cb"}, 2, "wildcard"},
		{"unknown grant", []string{"client", "create", "--name", "x", "--grant", "password"}, 2, `unsupported grant type "password"`},
		{"public client credentials", []string{"client", "create", "--name", "x", "--grant", "client_credentials", "--public"}, 2, "cannot use client_credentials"},
		{"account without email", []string{"account", "create", "--password", "long-enough-pw"}, 2, "--email"},
		{"short password", []string{"account", "create", "--email", "a@example.com", "--password", "short"}, 2, "at least 8"},
		{"stray argument", []string{"keys", "rotate", "now"}, 2, "unexpected argument"},
		{"delete without id", []string{"client", "delete"}, 2, "usage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := newCLI(t).run(tc.args...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}
}

func TestCLIBadConfigurationReportsEveryProblem(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["FOYER_ISSUER"] = "ftp://x"
	c.env["FOYER_SECRET"] = "short"
	c.env["FOYER_DATABASE_URL"] = "mysql://x"
	code, _, errOut := c.run("migrate")
	for _, want := range []string{"FOYER_ISSUER", "FOYER_SECRET", "FOYER_DATABASE_URL"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %s: %q", want, errOut)
		}
	}
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
}

func TestCLIAccountsMigrateAndKeys(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, out, errOut := c.run("migrate"); code != 0 || !strings.Contains(out, "applied migrations") {
		t.Fatalf("first migrate: exit %d %q %q", code, out, errOut)
	}
	if code, out, _ := c.run("migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: exit %d %q", code, out)
	}
	if code, out, errOut := c.run("account", "create", "--email", "alice@example.com", "--password", alicePass, "--verified"); code != 0 || !strings.Contains(out, "created account") {
		t.Fatalf("account create: exit %d %q %q", code, out, errOut)
	}
	code, _, errOut := c.run("account", "create", "--email", "ALICE@example.com", "--password", alicePass)
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate account: exit %d %q", code, errOut)
	}
	code, out, _ := c.run("keys", "rotate")
	if code != 0 || strings.Count(out, "new active") != 2 || !strings.Contains(out, "RS256") || !strings.Contains(out, "ES256") {
		t.Fatalf("keys rotate: exit %d\n%s", code, out)
	}
}
