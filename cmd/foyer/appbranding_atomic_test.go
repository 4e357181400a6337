package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIAppBrandingBadImageChangesNothing: README: "bad values or files
// exit 2 and change nothing". A refused logo must not leave the colours
// given with it saved (nor an audit entry of a change).
func TestCLIAppBrandingBadImageChangesNothing(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	svg := filepath.Join(t.TempDir(), "logo.svg")
	if err := os.WriteFile(svg, []byte(`<svg><script>alert(1)</script></svg>`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, before, _ := c.run("audit", "export")
	code, out, errOut := c.run("app", "branding", "set", "--app", defaultApplicationID, "--color", "bg=#123456", "--logo", svg)
	if code != 2 || !strings.Contains(errOut, "logo") {
		t.Fatalf("set with a refused logo: exit %d, %q %q", code, out, errOut)
	}
	if _, shown, _ := c.run("app", "branding", "show", "--app", defaultApplicationID, "--json"); strings.Contains(shown, "#123456") {
		t.Errorf("the colour given with the refused logo was saved: %s", shown)
	}
	if _, after, _ := c.run("audit", "export"); after != before {
		t.Errorf("the refused command left audit entries:\n%s", strings.TrimPrefix(after, before))
	}
}
