package main

import (
	"strings"
	"testing"
)

func TestCLIGroupListRenameDelete(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, g := range []string{"gold", "silver"} {
		if code, _, errOut := c.run("group", "create", g); code != 0 {
			t.Fatalf("group create %s: exit %d, %q", g, code, errOut)
		}
	}
	if code, out, _ := c.run("group", "list"); code != 0 || out != "gold\nsilver\n" {
		t.Fatalf("group list: exit %d, %q", code, out)
	}
	if code, out, errOut := c.run("group", "rename", "gold", "platinum"); code != 0 || !strings.Contains(out, "renamed group gold") {
		t.Fatalf("group rename: exit %d, %q, %q", code, out, errOut)
	}
	refused := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"group", "rename", "platinum", "silver"}, 1, "taken"},
		{[]string{"group", "rename", "platinum", "two words"}, 2, "name:"},
		{[]string{"group", "rename", "nothing", "x"}, 1, "no group"},
		{[]string{"group", "delete", "nothing"}, 1, "no group"},
		{[]string{"group", "list", "--store", "nowhere"}, 1, "no identity store"},
		{[]string{"group", "delete"}, 2, "usage"},
	}
	for _, r := range refused {
		if code, _, errOut := c.run(r.args...); code != r.code || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", r.args, code, errOut, r.code, r.says)
		}
	}
	if code, _, errOut := c.run("app", "portal", "set", "default", "--groups", "silver"); code != 0 {
		t.Fatalf("restrict the default application: exit %d, %q", code, errOut)
	}
	if code, _, errOut := c.run("group", "delete", "silver"); code != 1 || !strings.Contains(errOut, "restriction") {
		t.Errorf("delete a group a restriction names: exit %d, %q", code, errOut)
	}
	if code, out, errOut := c.run("group", "delete", "platinum"); code != 0 || !strings.Contains(out, "deleted group platinum") {
		t.Fatalf("group delete: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, _ := c.run("group", "list"); code != 0 || out != "silver\n" {
		t.Errorf("group list after delete: exit %d, %q", code, out)
	}
}
