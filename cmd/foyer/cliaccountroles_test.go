package main

import (
	"context"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

func TestCLIAccountRoles(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("account", "create", "--email", "alice@example.com", "--password", "correct-horse-1"); code != 0 {
		t.Fatalf("account create: exit %d, %q", code, errOut)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"Acme", "Globex"} {
		if err := s.CreateOrganization(ctx, &storage.Organization{StoreID: defaultStoreID, Name: o}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateStoreRole(ctx, &storage.StoreRole{StoreID: defaultStoreID, Name: "Admin"}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()

	for _, org := range []string{"globex", "Acme"} {
		if code, out, errOut := c.run("account", "roles", "assign", "alice@example.com", org, "admin"); code != 0 || !strings.Contains(out, "assigned") {
			t.Fatalf("assign in %s: exit %d, %q, %q", org, code, out, errOut)
		}
	}
	if code, out, _ := c.run("account", "roles", "list", "alice@example.com"); code != 0 || out != "Acme\tAdmin\nGlobex\tAdmin\n" {
		t.Fatalf("list: exit %d, %q", code, out)
	}
	refused := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"account", "roles", "assign", "alice@example.com", "Acme", "Admin"}, 1, "already"},
		{[]string{"account", "roles", "assign", "alice@example.com", "Initech", "Admin"}, 1, "no organization"},
		{[]string{"account", "roles", "assign", "alice@example.com", "Acme", "Owner"}, 1, "no role"},
		{[]string{"account", "roles", "assign", "bob@example.com", "Acme", "Admin"}, 1, "no account"},
		{[]string{"account", "roles", "assign", "alice@example.com"}, 2, "usage"},
		{[]string{"account", "roles", "grant", "alice@example.com"}, 2, "usage"},
	}
	for _, r := range refused {
		if code, _, errOut := c.run(r.args...); code != r.code || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", r.args, code, errOut, r.code, r.says)
		}
	}
	if code, out, errOut := c.run("account", "roles", "remove", "alice@example.com", "Acme", "Admin"); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := c.run("account", "roles", "remove", "alice@example.com", "Acme", "Admin"); code != 1 || !strings.Contains(errOut, "holds no role") {
		t.Errorf("remove again: exit %d, %q", code, errOut)
	}
	if code, out, _ := c.run("account", "roles", "list", "alice@example.com"); code != 0 || out != "Globex\tAdmin\n" {
		t.Errorf("list after removal: exit %d, %q", code, out)
	}
}
