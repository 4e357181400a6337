package main

import (
	"encoding/json"
	"strings"
	"testing"

	"foyer/admin/manage"
)

func TestCLIAppCreateListDelete(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "create", "--id", "shop", "--name", "Shop", "--color", "#112233", "--json")
	if code != 0 {
		t.Fatalf("app create: exit %d: %s", code, errOut)
	}
	var created manage.ApplicationView
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID != "shop" || created.StoreID != defaultStoreID ||
		created.Policies["mfa"] == "" {
		t.Fatalf("app create printed %q (%v)", out, err)
	}
	code, out, _ = c.run("app", "list")
	if code != 0 || !strings.Contains(out, "shop") || !strings.Contains(out, "Shop") || !strings.Contains(out, defaultApplicationID) {
		t.Errorf("app list: exit %d:\n%s", code, out)
	}
	code, _, errOut = c.run("app", "create", "--name", "", "--color", "red")
	if code != 2 || !strings.Contains(errOut, "name") || !strings.Contains(errOut, "primary_color") {
		t.Errorf("bad app create: exit %d: %s", code, errOut)
	}
	if code, _, errOut = c.run("app", "delete", defaultApplicationID); code != 1 || !strings.Contains(errOut, "refused") {
		t.Errorf("deleting the default application: exit %d: %s", code, errOut)
	}
	if code, _, _ = c.run("app", "delete"); code != 2 {
		t.Errorf("app delete without APP: exit %d", code)
	}
	if code, out, errOut = c.run("app", "delete", "shop"); code != 0 || !strings.Contains(out, "deleted application shop") {
		t.Errorf("app delete: exit %d: %s %s", code, out, errOut)
	}
	if code, _, _ = c.run("app", "delete", "shop"); code != 1 {
		t.Errorf("deleting it again: exit %d", code)
	}
}

func TestCLIPolicyLifecycle(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("policy", "create", "--kind", "mfa", "--name", "Strict", "--body", `{"mode":"required","methods":["totp"]}`)
	if code != 0 {
		t.Fatalf("policy create: exit %d: %s", code, errOut)
	}
	var p manage.PolicyView
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.MFA == nil || p.MFA.Mode != "required" {
		t.Fatalf("policy create printed %q (%v)", out, err)
	}
	for _, bad := range [][]string{
		{"policy", "create", "--kind", "colour", "--name", "x"},
		{"policy", "create", "--kind", "mfa", "--name", "x", "--body", `{"mode":"sometimes"}`},
		{"policy", "create", "--kind", "mfa", "--name", "x", "--body", `not json`},
		{"policy", "show"},
		{"policy", "frobnicate"},
	} {
		if code, _, _ := c.run(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	if code, _, errOut = c.run("policy", "create", "--kind", "mfa", "--name", "STRICT"); code != 1 || !strings.Contains(errOut, "refused") {
		t.Errorf("a taken name: exit %d: %s", code, errOut)
	}
	if code, _, errOut = c.run("policy", "assign", p.ID, "--application", defaultApplicationID); code != 0 {
		t.Fatalf("policy assign: exit %d: %s", code, errOut)
	}
	// The application follows the policy, and so does "app mfa show".
	if code, _, errOut = c.run("policy", "set", p.ID, "--name", "Optional", "--body", `{"mode":"optional","methods":["totp","passkey"]}`); code != 0 {
		t.Fatalf("policy set: exit %d: %s", code, errOut)
	}
	if _, out, _ = c.run("app", "mfa", "show"); !strings.Contains(out, "optional") {
		t.Errorf("app mfa show after policy set:\n%s", out)
	}
	if _, out, _ = c.run("policy", "list", "--kind", "mfa"); !strings.Contains(out, "Optional") || !strings.Contains(out, defaultApplicationID) {
		t.Errorf("policy list:\n%s", out)
	}
	if code, _, errOut = c.run("policy", "delete", p.ID); code != 1 || !strings.Contains(errOut, "refused") {
		t.Errorf("deleting an assigned policy: exit %d: %s", code, errOut)
	}
	if code, out, _ = c.run("policy", "default", p.ID); code != 0 || !strings.Contains(out, "Default") {
		t.Errorf("policy default: exit %d: %s", code, out)
	}
	if code, out, errOut = c.run("policy", "show", p.ID); code != 0 || !strings.Contains(out, `"is_default": true`) {
		t.Errorf("policy show: exit %d: %s %s", code, out, errOut)
	}
	if code, _, _ = c.run("policy", "show", "missing"); code != 1 {
		t.Errorf("policy show missing: exit %d", code)
	}
}

// "app mfa set" on an application whose policy is shared gives it a
// policy of its own and leaves the shared one (and its other users) alone.
func TestCLIAppSetCopiesASharedPolicy(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("app", "create", "--id", "other", "--name", "Other"); code != 0 {
		t.Fatalf("app create: %s", errOut)
	}
	if code, _, errOut := c.run("app", "mfa", "set", "--mode", "required"); code != 0 {
		t.Fatalf("app mfa set: %s", errOut)
	}
	if _, out, _ := c.run("app", "mfa", "show", "--application", "other"); !strings.Contains(out, "off") {
		t.Errorf("the other application, on the Default, changed:\n%s", out)
	}
	_, out, _ := c.run("policy", "list", "--kind", "mfa", "--json")
	var ps []manage.PolicyView
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatal(err)
	}
	var own, def *manage.PolicyView
	for i := range ps {
		switch {
		case ps[i].IsDefault:
			def = &ps[i]
		case strings.Contains(strings.Join(ps[i].Applications, ","), defaultApplicationID):
			own = &ps[i]
		}
	}
	if own == nil || def == nil || def.MFA.Mode != "off" || own.MFA.Mode != "required" || !strings.Contains(own.Name, "("+defaultApplicationID+")") {
		t.Errorf("policies after app mfa set: %s", out)
	}
}
