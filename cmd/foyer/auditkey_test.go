package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// Someone with write access to the database edits an entry and recomputes
// every later hash as the documented algorithm says, but without
// FOYER_SECRET: `foyer audit verify` names the edited entry. The same
// rewrite under the real key verifies, so it is the key alone that stops
// the forgery.
func TestCLIAuditVerifyDetectsRehashWithoutTheKey(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if code, _, errOut := c.run("admin", "create", "--email", email, "--role", "admin", "--password", "long-enough-pw"); code != 0 {
			t.Fatalf("admin create: %s", errOut)
		}
	}
	dbPath := strings.TrimPrefix(c.env["FOYER_DATABASE_URL"], "sqlite:")
	forge(t, c.env["FOYER_DATABASE_URL"], dbPath, nil)
	code, out, errOut := c.run("audit", "verify")
	if code != 1 || !strings.Contains(errOut, "seq 2") || !strings.Contains(errOut, "chain broken") {
		t.Fatalf("verify after a keyless rehash: exit %d, %q, %q; want exit 1 naming seq 2", code, out, errOut)
	}
	secret, err := os.ReadFile(filepath.Join(filepath.Dir(dbPath), ".foyer-secret"))
	if err != nil {
		t.Fatal(err)
	}
	forge(t, c.env["FOYER_DATABASE_URL"], dbPath, auditChainKey([]byte(strings.TrimSpace(string(secret)))))
	if code, out, errOut := c.run("audit", "verify"); code != 0 || !strings.Contains(out, "verified: 7 entries") {
		t.Fatalf("verify after a rehash under the real key: exit %d, %q, %q", code, out, errOut)
	}
}

// forge rewrites entry 2 and rehashes it and every later entry under key.
func forge(t *testing.T, url, dbPath string, key []byte) {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	var entries []storage.AuditEntry
	err = s.WalkAuditEntries(t.Context(), func(e storage.AuditEntry) error { entries = append(entries, e); return nil })
	_ = s.Close()
	if err != nil || len(entries) != 7 {
		t.Fatalf("entries %d, %v", len(entries), err)
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries[1].After = `{"email":"evil@example.com"}`
	for i := 1; i < len(entries); i++ {
		entries[i].PrevHash = entries[i-1].Hash
		entries[i].Hash = entries[i].ComputeHash(key)
		if _, err := db.ExecContext(t.Context(), `UPDATE audit_entries SET after_json = ?, prev_hash = ?, hash = ? WHERE seq = ?`,
			entries[i].After, entries[i].PrevHash, entries[i].Hash, entries[i].Seq); err != nil {
			t.Fatal(err)
		}
	}
}
