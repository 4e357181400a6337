package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIPolicyBodyAndBodyFile: --body and --body-file are one or the
// other (README: [--body JSON | --body-file F]); given both, the command
// says so and exits 2 instead of silently taking the file.
func TestCLIPolicyBodyAndBodyFile(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(file, []byte(`{"mode":"optional","methods":["totp"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("policy", "create", "--kind", "mfa", "--name", "Both",
		"--body", `{"mode":"required","methods":["totp"]}`, "--body-file", file)
	if code != 2 || !strings.Contains(errOut, "--body-file") {
		t.Fatalf("policy create with --body and --body-file: exit %d, %q %q", code, out, errOut)
	}
	if _, out, _ := c.run("policy", "list", "--json"); strings.Contains(out, `"Both"`) {
		t.Fatalf("the policy was made: %s", out)
	}
	code, out, errOut = c.run("policy", "create", "--kind", "mfa", "--name", "File", "--body-file", file)
	if code != 0 || !strings.Contains(out, `"optional"`) {
		t.Fatalf("policy create --body-file: exit %d, %q %q", code, out, errOut)
	}
}
