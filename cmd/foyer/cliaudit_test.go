package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// auditOf returns the audit entries with the action, failing the test on
// a storage error.
func auditOf(t *testing.T, c *cli, action string) []storage.AuditEntry {
	t.Helper()
	var entries []storage.AuditEntry
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		var err error
		if entries, err = s.ListAuditEntries(ctx, storage.AuditFilter{Action: action}); err != nil {
			t.Fatal(err)
		}
	})
	return entries
}

// TestCLIAccountCreateAudited: "account create" is an administrative
// change made as the system, so it is in the audit log, without the
// password.
func TestCLIAccountCreateAudited(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	const pass = "a-secret-password-1"
	code, out, errOut := c.run("account", "create", "--email", "carol@example.com", "--password", pass, "--username", "carol", "--verified")
	if code != 0 {
		t.Fatalf("account create: exit %d %q %q", code, out, errOut)
	}
	entries := auditOf(t, c, "account.created")
	if len(entries) != 1 {
		t.Fatalf("account.created entries: %+v", entries)
	}
	e := entries[0]
	if e.ActorKind != storage.PrincipalSystem || e.TargetType != "account" || e.TargetID == "" || !strings.Contains(out, e.TargetID) ||
		e.StoreID != defaultStoreID || !strings.Contains(e.After, `"verified":true`) || !strings.Contains(e.After, `"email":true`) ||
		strings.Contains(e.After, pass) || strings.Contains(e.After, "carol@example.com") {
		t.Fatalf("account.created entry: %+v", e)
	}
	// A refused one leaves no entry.
	if code, _, _ := c.run("account", "create", "--email", "carol@example.com", "--password", pass); code != 1 {
		t.Fatalf("duplicate: exit %d", code)
	}
	if entries := auditOf(t, c, "account.created"); len(entries) != 1 {
		t.Fatalf("after a refused create: %+v", entries)
	}
}

// TestCLIAccountLinkAudited: linking an upstream identity to an account
// is an administrative change: audited as account.identity_linked.
func TestCLIAccountLinkAudited(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("account", "create", "--email", "dave@example.com", "--password", "long-enough-1"); code != 0 {
		t.Fatalf("account create: exit %d %q", code, errOut)
	}
	if code, out, errOut := c.run("account", "link", "dave@example.com", "--provider", "google", "--subject", "sub-42"); code != 0 {
		t.Fatalf("account link: exit %d %q %q", code, out, errOut)
	}
	entries := auditOf(t, c, "account.identity_linked")
	if len(entries) != 1 {
		t.Fatalf("account.identity_linked entries: %+v", entries)
	}
	e := entries[0]
	if e.ActorKind != storage.PrincipalSystem || e.TargetType != "account" || e.TargetID == "" || e.StoreID != defaultStoreID ||
		!strings.Contains(e.After, `"provider":"google"`) || !strings.Contains(e.After, `"subject":"sub-42"`) {
		t.Fatalf("account.identity_linked entry: %+v", e)
	}
	// A link refused (taken already) leaves no entry.
	if code, _, _ := c.run("account", "link", "dave@example.com", "--provider", "google", "--subject", "sub-42"); code != 1 {
		t.Fatalf("second link: exit %d", code)
	}
	if entries := auditOf(t, c, "account.identity_linked"); len(entries) != 1 {
		t.Fatalf("after a refused link: %+v", entries)
	}
}

// TestCLIKeysRotateAudited: a key rotation is audited as keys.rotated
// with the new key ids and algorithms, never key material.
func TestCLIKeysRotateAudited(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("keys", "rotate")
	if code != 0 {
		t.Fatalf("keys rotate: exit %d %q %q", code, out, errOut)
	}
	entries := auditOf(t, c, "keys.rotated")
	if len(entries) != 1 {
		t.Fatalf("keys.rotated entries: %+v", entries)
	}
	e := entries[0]
	if e.ActorKind != storage.PrincipalSystem || e.TargetType != "keys" || !strings.Contains(e.After, "RS256") || !strings.Contains(e.After, "ES256") {
		t.Fatalf("keys.rotated entry: %+v", e)
	}
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		rows, err := s.ListSigningKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, k := range rows {
			if k.Status != storage.KeyActive {
				continue
			}
			active++
			if !strings.Contains(out, k.ID) || !strings.Contains(e.After, `"`+k.ID+`"`) {
				t.Errorf("new key %s missing from the output or the entry %s", k.ID, e.After)
			}
			if strings.Contains(e.After, string(k.PublicJWK)) || strings.Contains(e.After, "private") {
				t.Errorf("key material in the entry: %s", e.After)
			}
		}
		if active != 2 {
			t.Errorf("%d active keys", active)
		}
	})
}

// TestCLIRefusesUpstreamIdentitiesForAdministrators: an upstream identity
// linked to an administrator, or an identity provider in the
// administrators store, would open the console by a way in the
// administrators service knows nothing of; both are refused (exit 2,
// naming --store) and nothing is made.
func TestCLIRefusesUpstreamIdentitiesForAdministrators(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["GITHUB_SECRET"] = "env-secret-value"
	if code, _, errOut := c.run("admin", "create", "--email", "root@example.com", "--role", "owner", "--password", "long-enough-1"); code != 0 {
		t.Fatalf("admin create: exit %d %q", code, errOut)
	}
	code, out, errOut := c.run("account", "link", "root@example.com", "--provider", "google", "--subject", "boss", "--store", storage.AdministratorsStoreID)
	if code != 2 || !strings.Contains(errOut, "--store") {
		t.Fatalf("account link in the administrators store: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = c.run("idp", "create", "--store", storage.AdministratorsStoreID, "--preset", "github", "--client-id", "gh",
		"--client-secret-env", "GITHUB_SECRET")
	if code != 2 || !strings.Contains(errOut, "--store") {
		t.Fatalf("idp create in the administrators store: exit %d %q %q", code, out, errOut)
	}
	withCLIStore(t, c, func(ctx context.Context, s *sqlstore.Store) {
		a, err := s.FindAccountByIdentifier(ctx, storage.AdministratorsStoreID, storage.IdentifierEmail, "root@example.com")
		if err != nil {
			t.Fatal(err)
		}
		ids, err := s.ListExternalIdentities(ctx, a.ID)
		if err != nil || len(ids) != 0 {
			t.Errorf("the administrator's external identities: %+v, %v", ids, err)
		}
	})
	if code, out, _ := c.run("idp", "list", "--store", storage.AdministratorsStoreID); code != 0 || strings.Contains(out, "gh") || strings.Contains(out, "GitHub") {
		t.Errorf("providers of the administrators store: exit %d %q", code, out)
	}
	// The customer stores are unaffected.
	if code, _, errOut := c.run("idp", "create", "--preset", "github", "--client-id", "gh", "--client-secret-env", "GITHUB_SECRET"); code != 0 {
		t.Fatalf("idp create: exit %d %q", code, errOut)
	}
}

// TestCLIAppBrandingImageOnlyWritesNoEmptyUpdate: "app branding set
// --logo F" changes the logo only: its audit entry is the logo's, with no
// application.branding_updated entry whose before equals its after; the
// same colours given again change nothing either.
func TestCLIAppBrandingImageOnlyWritesNoEmptyUpdate(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 40, 20))); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(file, logo.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := c.run("app", "branding", "set", "--app", defaultApplicationID, "--logo", file); code != 0 {
		t.Fatalf("set --logo: exit %d %q %q", code, out, errOut)
	}
	if entries := auditOf(t, c, "application.branding_logo_set"); len(entries) != 1 {
		t.Fatalf("application.branding_logo_set entries: %+v", entries)
	}
	if entries := auditOf(t, c, "application.branding_updated"); len(entries) != 0 {
		t.Fatalf("an image-only set wrote application.branding_updated: %+v", entries)
	}
	if code, out, errOut := c.run("app", "branding", "set", "--color", "bg=#fafafa"); code != 0 {
		t.Fatalf("set --color: exit %d %q %q", code, out, errOut)
	}
	if code, out, errOut := c.run("app", "branding", "set", "--color", "bg=#fafafa", "--remove-logo"); code != 0 {
		t.Fatalf("set --color again --remove-logo: exit %d %q %q", code, out, errOut)
	}
	if entries := auditOf(t, c, "application.branding_updated"); len(entries) != 1 || entries[0].Before == entries[0].After {
		t.Fatalf("application.branding_updated entries: %+v", entries)
	}
	if entries := auditOf(t, c, "application.branding_logo_removed"); len(entries) != 1 {
		t.Fatalf("application.branding_logo_removed entries: %+v", entries)
	}
}

// TestCLIAuditedChangesOnPostgres: the audited account create, account
// link and keys rotate commit (and a refused link rolls back) on
// PostgreSQL too.
func TestCLIAuditedChangesOnPostgres(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["FOYER_DATABASE_URL"] = sqltest.PostgresURL(t)
	c.env["FOYER_SECRET"] = strings.Repeat("s", 32)
	for _, step := range []struct {
		args []string
		code int
	}{
		{[]string{"account", "create", "--email", "erin@example.com", "--password", "long-enough-1"}, 0},
		{[]string{"account", "link", "erin@example.com", "--provider", "acme", "--subject", "e-1"}, 0},
		{[]string{"account", "link", "erin@example.com", "--provider", "acme", "--subject", "e-1"}, 1},
		{[]string{"keys", "rotate"}, 0},
	} {
		if code, out, errOut := c.run(step.args...); code != step.code {
			t.Fatalf("%v: exit %d (want %d) %q %q", step.args, code, step.code, out, errOut)
		}
	}
	for _, action := range []string{"account.created", "account.identity_linked", "keys.rotated"} {
		if entries := auditOf(t, c, action); len(entries) != 1 {
			t.Errorf("%s entries: %+v", action, entries)
		}
	}
	if code, out, errOut := c.run("audit", "verify"); code != 0 {
		t.Errorf("audit verify: exit %d %q %q", code, out, errOut)
	}
}
