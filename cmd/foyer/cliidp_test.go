package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// "foyer idp": create from a preset with the secret from a file, update
// only what the flags give (the secret from an environment variable),
// list, show, delete refused while an account is linked; the secrets are
// never printed.
func TestCLIIdp(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["FOYER_ISSUER"] = "https://id.example.com"
	c.env["GITHUB_SECRET"] = "env-secret-value"
	secretFile := filepath.Join(t.TempDir(), "google.secret")
	if err := os.WriteFile(secretFile, []byte("file-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("idp", "create", "--store", defaultStoreID, "--preset", "google", "--client-id", "cid",
		"--client-secret-file", secretFile, "--claim", "email=email", "--json")
	var g manage.Upstream
	if code != 0 || json.Unmarshal([]byte(out), &g) != nil || g.Name != "Google" || !g.ClientSecretSet || !g.Enabled ||
		g.RedirectURI != "https://id.example.com/login/external/"+g.ID+"/callback" {
		t.Fatalf("idp create: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = c.run("idp", "create", "--name", "GitHub", "--preset", "github", "--client-id", "gh",
		"--client-secret-env", "GITHUB_SECRET", "--disabled")
	if code != 0 || !strings.Contains(out, "client secret:") || !strings.Contains(out, "set (stored encrypted)") {
		t.Fatalf("idp create github: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = c.run("idp", "update", g.ID, "--name", "Google Workspace", "--scope", "openid", "--scope", "email", "--json")
	var u manage.Upstream
	if code != 0 || json.Unmarshal([]byte(out), &u) != nil || u.Name != "Google Workspace" || u.ClientID != "cid" ||
		!u.ClientSecretSet || u.ClaimMapping["email"] != "email" || len(u.Scopes) != 2 || !u.Enabled {
		t.Fatalf("idp update: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = c.run("idp", "list")
	if code != 0 || !strings.Contains(out, "Google Workspace") || !strings.Contains(out, "GitHub") {
		t.Fatalf("idp list: exit %d, %q", code, out)
	}
	code, out, _ = c.run("idp", "show", g.ID)
	if code != 0 || !strings.Contains(out, "redirect uri:") || !strings.Contains(out, "linked accounts:") {
		t.Fatalf("idp show: exit %d, %q", code, out)
	}

	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	acct := &storage.Account{StoreID: defaultStoreID, Email: "m@example.com", Status: storage.AccountEnabled}
	if err := s.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: g.ID, Subject: "1"}); err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"idp", "delete", g.ID}, 1, "1 account signs in"},
		{[]string{"idp", "create", "--name", "X", "--client-secret", "on-the-command-line"}, 2, "flag provided but not defined"},
		{[]string{"idp", "create", "--name", "Corp", "--issuer", "http://corp.example", "--claim", "shoe=size"}, 2, "claim_mapping"},
		{[]string{"idp", "create", "--preset", "github", "--client-id", "x", "--client-secret-env", "UNSET_VAR"}, 2, "UNSET_VAR is not set"},
		{[]string{"idp", "show", "nope"}, 1, `no identity provider "nope"`},
		{[]string{"idp", "update", g.ID, "--enabled", "--disabled"}, 2, "usage: foyer idp"},
		{[]string{"idp", "list", "--store", "nowhere"}, 1, `no identity store "nowhere"`},
	}
	for _, r := range refused {
		code, out, errOut := c.run(r.args...)
		if code != r.code || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d with %q", r.args, code, errOut, r.code, r.says)
		}
		if strings.Contains(out+errOut, "secret-value") {
			t.Errorf("%v printed a secret", r.args)
		}
	}
	if err := s.UnlinkExternalIdentity(ctx, acct.ID, g.ID, "1"); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := c.run("idp", "delete", g.ID); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("idp delete: exit %d, %q, %q", code, out, errOut)
	}
	entries, err := s.ListAuditEntries(ctx, storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Before+e.After, "secret-value") {
			t.Errorf("audit entry %s holds a secret", e.Action)
		}
	}
}
