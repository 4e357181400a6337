package main

import (
	"strings"
	"testing"
)

// TestCLIClientRolesBadInputExits2: an unknown role or store is bad input
// (README: bad flags exit 2), named by its flag as "admin create" names
// it; an unknown client stays a failure (exit 1).
func TestCLIClientRolesBadInputExits2(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Ops", "--redirect-uri", "https://ops.example/cb",
		"--grant", "authorization_code,client_credentials", "--json")
	if code != 0 {
		t.Fatalf("client create: exit %d %q", code, errOut)
	}
	id := out[strings.Index(out, `"client_id":"`)+len(`"client_id":"`):]
	id = id[:strings.Index(id, `"`)]
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--role", "king"}, "--role"},
		{[]string{"--role", "admin", "--store", "no-such-store"}, "--store"},
	} {
		args := append([]string{"client", "roles", "set", "--id", id}, tc.args...)
		if code, _, errOut := c.run(args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want 2 naming %s", tc.args, code, errOut, tc.want)
		}
	}
	for _, args := range [][]string{{"client", "roles", "set", "--id", "no-such-client", "--role", "admin"},
		{"client", "secret", "rotate", "--id", "no-such-client"}} {
		if code, _, errOut := c.run(args...); code != 1 || !strings.Contains(errOut, `no client with id "no-such-client"`) {
			t.Errorf("%v: exit %d %q, want 1 saying there is no such client", args, code, errOut)
		}
	}
}
