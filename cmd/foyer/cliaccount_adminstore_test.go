package main

import (
	"strings"
	"testing"
)

// TestCLIAccountCreateRefusesAdministratorsStore: administrators are made
// by "foyer admin create", through the administrators service with an
// audit entry; "account create --store administrators" would put an
// account with a known password into that store with neither.
func TestCLIAccountCreateRefusesAdministratorsStore(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("account", "create", "--email", "sneaky@example.com", "--password", "long-enough-1", "--store", "administrators")
	if code != 2 || !strings.Contains(errOut, "admin create") {
		t.Fatalf("account create in the administrators store: exit %d, %q %q", code, out, errOut)
	}
	// Nothing was made: the address is free for "admin create".
	if code, _, errOut := c.run("admin", "create", "--email", "sneaky@example.com", "--role", "auditor", "--password", "long-enough-1"); code != 0 {
		t.Fatalf("admin create after the refusal: exit %d, %q", code, errOut)
	}
	// The store that is meant still works.
	if code, _, errOut := c.run("account", "create", "--email", "fine@example.com", "--password", "long-enough-1"); code != 0 {
		t.Fatalf("account create: exit %d, %q", code, errOut)
	}
}
