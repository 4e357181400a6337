package main

import (
	"strings"
	"testing"
)

// TestCLIPortalSetRefusedGroupChangesNothing: a group the store lacks is
// refused (exit 1) before anything is written, so the slug given with it
// is not saved either.
func TestCLIPortalSetRefusedGroupChangesNothing(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "portal", "set", defaultApplicationID, "--slug", "shop", "--groups", "no-such-group")
	if code != 1 || !strings.Contains(errOut, `no group "no-such-group"`) {
		t.Fatalf("portal set with an unknown group: exit %d, %q %q", code, out, errOut)
	}
	if _, shown, _ := c.run("app", "portal", "show", defaultApplicationID, "--json"); strings.Contains(shown, "shop") {
		t.Errorf("the slug given with the refused group was saved: %s", shown)
	}
	if code, _, errOut := c.run("app", "portal", "set", defaultApplicationID, "--slug", "shop"); code != 0 {
		t.Fatalf("portal set --slug: exit %d, %q", code, errOut)
	}
}
