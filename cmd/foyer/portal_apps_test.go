package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCLIAppPortalAndGroups(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("account", "create", "--email", "alice@example.com", "--password", alicePass); code != 0 {
		t.Fatalf("account create: %d %s", code, errOut)
	}
	if code, _, errOut := c.run("app", "portal", "set", "default", "--groups", "gold"); code != 1 || !strings.Contains(errOut, "no group") {
		t.Errorf("a restriction to a group that does not exist: %d %q", code, errOut)
	}
	for _, g := range []string{"gold", "staff"} {
		if code, _, errOut := c.run("group", "create", g); code != 0 {
			t.Fatalf("group create %s: %d %s", g, code, errOut)
		}
	}
	code, out, errOut := c.run("app", "portal", "set", "default", "--launcher=true", "--slug", "Acme", "--groups", "gold,staff", "--json")
	var got map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got["slug"] != "acme" || got["launcher"] != true {
		t.Fatalf("app portal set: %d %q %s", code, out, errOut)
	}
	code, out, _ = c.run("app", "portal", "show", "default")
	if code != 0 || !strings.Contains(out, "/a/acme") || !strings.Contains(out, "gold, staff") {
		t.Errorf("app portal show: %d %q", code, out)
	}
	for _, bad := range []struct {
		args []string
		code int
	}{
		{[]string{"app", "portal", "set", "default", "--slug", "no spaces"}, 2},
		{[]string{"app", "portal", "set", "default", "--launcher", "maybe"}, 2},
		{[]string{"app", "portal", "set", "default", "--groups", " , "}, 2},
		{[]string{"app", "portal", "set", "missing-app", "--launcher=true"}, 1},
		{[]string{"app", "portal", "set", "default"}, 2},
		{[]string{"group", "create", ""}, 2},
		{[]string{"group", "create", "a,b"}, 2},
		{[]string{"group", "create", "x", "--store", "nostore"}, 1},
	} {
		if code, _, errOut := c.run(bad.args...); code != bad.code || errOut == "" {
			t.Errorf("%v: exit %d %q, want %d and a message", bad.args, code, errOut, bad.code)
		}
	}
	if _, out, _ := c.run("app", "portal", "show", "default"); !strings.Contains(out, "gold, staff") {
		t.Errorf("refused changes changed the settings: %q", out)
	}
	for _, step := range [][]string{
		{"group", "add", "gold", "alice@example.com"}, {"group", "remove", "gold", "alice@example.com"},
	} {
		if code, _, errOut := c.run(step...); code != 0 {
			t.Fatalf("%v: %d %s", step, code, errOut)
		}
	}
	if code, _, _ := c.run("group", "create", "gold"); code == 0 {
		t.Error("duplicate group created")
	}
	if code, _, _ := c.run("group", "remove", "gold", "alice@example.com"); code == 0 {
		t.Error("removing a non-member succeeded")
	}
	if code, _, _ := c.run("group", "add", "gold", "nobody@example.com"); code == 0 {
		t.Error("adding an unknown account succeeded")
	}
}
