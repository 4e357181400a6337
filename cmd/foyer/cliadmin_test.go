package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	_ "github.com/glebarez/go-sqlite" // registers "sqlite", to tamper with the file

	"foyer/admin/manage"
)

func TestCLIAdminCreateAndList(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("admin", "create", "--email", "ops@example.com", "--role", "owner", "--password", "ops-password-1")
	if code != 0 || !strings.Contains(out, "created administrator") || strings.Contains(out, "ops-password-1") {
		t.Fatalf("admin create: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = c.run("admin", "create", "--email", "help@example.com", "--role", "support", "--store", "default")
	if code != 0 || !strings.Contains(out, "password: ") {
		t.Fatalf("admin create without a password: exit %d, %q, %q", code, out, errOut)
	}
	pw := strings.Fields(out[strings.Index(out, "password: "):])[1]
	if len(pw) < 20 {
		t.Errorf("generated password %q is short", pw)
	}
	code, out, _ = c.run("admin", "list")
	for _, want := range []string{"admin@localhost", "ops@example.com", "help@example.com", "support(default)", "owner", "enabled"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("admin list lacks %q: exit %d\n%s", want, code, out)
		}
	}
	code, out, _ = c.run("admin", "list", "--json")
	var list []manage.Administrator
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 3 || list[0].Email != "admin@localhost" {
		t.Fatalf("admin list --json: exit %d, %q", code, out)
	}

	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown role", []string{"--email", "x@example.com", "--role", "root"}, 2, "--role"},
		{"no role", []string{"--email", "x@example.com"}, 2, "--role"},
		{"bad e-mail", []string{"--email", "x", "--role", "admin"}, 2, "--email"},
		{"unknown store", []string{"--email", "x@example.com", "--role", "admin", "--store", "nowhere"}, 2, "--store"},
		{"short password", []string{"--email", "x@example.com", "--role", "admin", "--password", "short"}, 2, "--password"},
		{"taken e-mail", []string{"--email", "OPS@example.com", "--role", "admin"}, 1, "e-mail address exists"},
	} {
		code, _, errOut := c.run(append([]string{"admin", "create"}, tc.args...)...)
		if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d containing %q", tc.name, code, errOut, tc.wantCode, tc.wantErr)
		}
	}
}

func TestCLIAuditVerifyAndExport(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, email := range []string{"a@example.com", "b@example.com"} {
		if code, _, errOut := c.run("admin", "create", "--email", email, "--role", "auditor", "--password", "long-enough-pw"); code != 0 {
			t.Fatalf("admin create: %s", errOut)
		}
	}
	// Bootstrap's console store, application and client, its first admin,
	// then the two.
	code, out, errOut := c.run("audit", "verify")
	if code != 0 || !strings.Contains(out, "verified: 6 entries") {
		t.Fatalf("audit verify: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = c.run("audit", "export")
	lines := exportLines(t, out)
	if code != 0 || len(lines) != 6 || lines[0].Seq != 1 || lines[5].Action != "administrator.created" ||
		lines[1].PrevHash != lines[0].Hash || !strings.Contains(string(lines[5].After), "b@example.com") {
		t.Fatalf("audit export: exit %d\n%s", code, out)
	}
	if code, out, _ = c.run("audit", "export", "--since", "2999-01-01T00:00:00Z"); code != 0 || out != "" {
		t.Errorf("export since the future: exit %d, %q", code, out)
	}
	if code, _, errOut = c.run("audit", "export", "--since", "yesterday"); code != 2 || !strings.Contains(errOut, "RFC 3339") {
		t.Errorf("bad --since: exit %d, %q", code, errOut)
	}
}

func exportLines(t *testing.T, out string) []manage.AuditRecord {
	t.Helper()
	var recs []manage.AuditRecord
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r manage.AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs
}

// TestCLIAuditVerifyDetectsTampering edits and deletes rows of the
// database file directly, as someone with access to it could.
func TestCLIAuditVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, sql, wantSeq string
	}{
		{"edited", `UPDATE audit_entries SET after_json = '{"email":"evil@example.com"}' WHERE seq = 2`, "seq 2"},
		{"deleted", `DELETE FROM audit_entries WHERE seq = 2`, "seq 3"},
		{"reordered", `UPDATE audit_entries SET seq = 100 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 3; UPDATE audit_entries SET seq = 3 WHERE seq = 100`, "seq 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
				if code, _, errOut := c.run("admin", "create", "--email", email, "--role", "admin", "--password", "long-enough-pw"); code != 0 {
					t.Fatalf("admin create: %s", errOut)
				}
			}
			if code, out, _ := c.run("audit", "verify"); code != 0 || !strings.Contains(out, "verified: 7 entries") {
				t.Fatalf("untouched log: exit %d, %q", code, out)
			}
			tamper(t, c, tc.sql)
			code, out, errOut := c.run("audit", "verify")
			if code != 1 || !strings.Contains(errOut, tc.wantSeq) || !strings.Contains(errOut, "chain broken") || out != "" {
				t.Fatalf("verify after the log was %s: exit %d, stdout %q, stderr %q; want exit 1 naming %s", tc.name, code, out, errOut, tc.wantSeq)
			}
		})
	}
}

func tamper(t *testing.T, c *cli, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(c.env["FOYER_DATABASE_URL"], "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, one := range strings.Split(stmt, ";") {
		res, err := db.ExecContext(t.Context(), one)
		if err != nil {
			t.Fatalf("%s: %v", one, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s changed nothing", one)
		}
	}
}
