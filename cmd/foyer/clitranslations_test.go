package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// "foyer translations": export the built-in German catalog, import a
// changed one as the store's package, list it, refuse a catalog with an
// unknown key and a changed placeholder (every problem named), delete.
func TestCLITranslations(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	de := filepath.Join(dir, "de.json")
	if code, _, errOut := c.run("translations", "export", "--lang", "de", "--file", de); code != 0 {
		t.Fatalf("export: exit %d, %q", code, errOut)
	}
	var cat map[string]string
	b, err := os.ReadFile(de)
	if err != nil || json.Unmarshal(b, &cat) != nil || cat["login.title"] != "Anmelden" {
		t.Fatalf("exported %d bytes: %v", len(b), err)
	}
	cat["login.title"] = "Einloggen"
	b, _ = json.Marshal(cat)
	if err := os.WriteFile(de, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("translations", "import", "--store", defaultStoreID, "--lang", "de", "--file", de)
	if code != 0 || !strings.Contains(out, "imported de:") || !strings.Contains(out, " 0 of English's missing") {
		t.Fatalf("import: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = c.run("translations", "export", "--lang", "de")
	if code != 0 || !strings.Contains(out, `"login.title": "Einloggen"`) {
		t.Errorf("export of the package: exit %d, %q", code, out[:min(len(out), 200)])
	}
	code, out, _ = c.run("translations", "list")
	if code != 0 || !strings.Contains(out, "Deutsch") || !strings.Contains(out, "English") {
		t.Errorf("list: exit %d, %q", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"no.such.key": "x", "logout.confirm": "Abmelden?"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = c.run("translations", "import", "--lang", "sv", "--file", bad)
	if code != 2 || !strings.Contains(errOut, "catalog.no.such.key") || !strings.Contains(errOut, "catalog.logout.confirm") {
		t.Errorf("bad import: exit %d, %q", code, errOut)
	}
	code, _, errOut = c.run("translations", "import", "--lang", "!!", "--file", de)
	if code != 2 || !strings.Contains(errOut, "language") {
		t.Errorf("bad tag: exit %d, %q", code, errOut)
	}
	if code, out, _ = c.run("translations", "delete", "--lang", "de"); code != 0 || !strings.Contains(out, "deleted") {
		t.Errorf("delete: exit %d, %q", code, out)
	}
	if code, _, errOut = c.run("translations", "delete", "--lang", "de"); code != 1 || !strings.Contains(errOut, "no such") {
		t.Errorf("delete twice: exit %d, %q", code, errOut)
	}
	if code, _, _ = c.run("translations", "import", "--lang", "de"); code != 2 {
		t.Errorf("import without --file: exit %d", code)
	}
}
