package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
)

// TestCLIAppMFA: show prints the defaults; set changes the named parts and
// keeps the rest; bad values exit 2 and change nothing.
func TestCLIAppMFA(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "mfa", "show")
	if code != 0 || !strings.Contains(out, "mode:          off") || !strings.Contains(out, "passwordless:  off") {
		t.Fatalf("show: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = c.run("app", "mfa", "set", "--mode", "required", "--methods", "totp, passkey", "--json")
	var got storage.MFAPolicy
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("set: exit %d %q %q", code, out, errOut)
	}
	if got.Mode != storage.MFARequired || !slices.Equal(got.Methods, []string{"totp", "passkey"}) || got.Passwordless {
		t.Fatalf("set printed %+v", got)
	}
	if code, _, errOut = c.run("app", "mfa", "set", "--passwordless", "on"); code != 0 {
		t.Fatalf("passwordless on: exit %d: %s", code, errOut)
	}
	for _, bad := range [][]string{
		{"--mode", "sometimes"},
		{"--methods", "carrier-pigeon"},
		{"--methods", "totp", "--passwordless", "on"},
		{"--passwordless", "maybe"},
		{},
	} {
		code, _, errOut := c.run(append([]string{"app", "mfa", "set"}, bad...)...)
		if code != 2 || errOut == "" {
			t.Errorf("set %v: exit %d, stderr %q; want 2 and a message", bad, code, errOut)
		}
	}
	_, out, _ = c.run("app", "mfa", "show", "--json")
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Mode != storage.MFARequired ||
		!slices.Equal(got.Methods, []string{"totp", "passkey"}) || !got.Passwordless {
		t.Fatalf("after refused changes the stored policy is %+v (%v)", got, err)
	}
}
