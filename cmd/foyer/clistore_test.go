package main

import (
	"encoding/json"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

func TestCLIStoreLifecycle(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("store", "create", "EU customers", "--id", "eu", "--identifiers", "email,username",
		"--attributes", `[{"name":"tier","type":"enum","options":["gold","silver"],"visible":true}]`)
	if code != 0 || !strings.Contains(out, "created identity store eu") {
		t.Fatalf("store create: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := c.run("store", "create", "Again", "--id", "eu"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("store create with a taken id: exit %d, %q", code, errOut)
	}
	code, _, errOut = c.run("store", "create", " ", "--identifiers", "fax", "--attributes", `[{"name":"x","pattern":"("}]`)
	for _, field := range []string{"name:", "identifier_types[0]:", "attributes[0].pattern:"} {
		if code != 2 || !strings.Contains(errOut, field) {
			t.Errorf("store create with bad input: exit %d, want 2 naming %s: %q", code, field, errOut)
		}
	}
	if code, _, _ := c.run("store", "create", "X", "--attributes", "{"); code != 2 {
		t.Errorf("store create with bad JSON: exit %d, want 2", code)
	}

	if code, out, errOut := c.run("store", "rename", "eu", "Europe"); code != 0 || !strings.Contains(out, "renamed") {
		t.Fatalf("store rename: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := c.run("store", "rename", "nowhere", "X"); code != 1 || !strings.Contains(errOut, "no identity store") {
		t.Errorf("store rename unknown: exit %d, %q", code, errOut)
	}
	code, out, _ = c.run("store", "list", "--json")
	var list []struct {
		ID, Name        string
		IdentifierTypes []string `json:"identifier_types"`
		Attributes      []storage.AttributeDef
		Version         int64
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("store list --json: exit %d, %q", code, out)
	}
	var eu bool
	for _, s := range list {
		if s.ID == "eu" {
			eu = s.Name == "Europe" && s.Version == 2 && len(s.IdentifierTypes) == 2 &&
				len(s.Attributes) == 1 && s.Attributes[0].Type == storage.AttrEnum
		}
	}
	if !eu {
		t.Errorf("store list after rename (types and schema kept): %s", out)
	}
	if code, out, _ := c.run("store", "list"); code != 0 || !strings.Contains(out, "eu\tEurope\temail,username\t1 attributes") {
		t.Errorf("store list: exit %d\n%s", code, out)
	}

	if code, _, errOut := c.run("group", "create", "gold", "--store", "eu"); code != 0 {
		t.Fatalf("group create in eu: exit %d, %q", code, errOut)
	}
	if code, _, errOut := c.run("account", "create", "--store", "eu", "--email", "a@example.com", "--password", alicePass); code != 0 {
		t.Fatalf("account create in eu: exit %d, %q", code, errOut)
	}
	for _, refused := range []struct{ id, says string }{
		{"eu", "only an empty store"}, {"default", "only an empty store"},
		{storage.AdministratorsStoreID, "cannot be deleted"}, {"nowhere", "no identity store"},
	} {
		if code, _, errOut := c.run("store", "delete", refused.id); code != 1 || !strings.Contains(errOut, refused.says) {
			t.Errorf("store delete %s: exit %d, %q; want 1 and %q", refused.id, code, errOut, refused.says)
		}
	}
	if code, _, _ := c.run("store", "create", "Empty", "--id", "empty"); code != 0 {
		t.Fatal("store create empty")
	}
	if code, out, errOut := c.run("store", "delete", "empty"); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("store delete: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, _ := c.run("store", "list", "extra"); code != 2 {
		t.Errorf("store list with an argument: exit %d, want 2", code)
	}
	assertStoreAudit(t, c)
}

// assertStoreAudit finds the CLI's changes in the audit log, made by the
// system.
func assertStoreAudit(t *testing.T, c *cli) {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := s.ListAuditEntries(t.Context(), storage.AuditFilter{Action: "store."})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.ActorKind != storage.PrincipalSystem {
			t.Errorf("entry %s by %s, want the system", e.Action, e.ActorKind)
		}
		actions = append(actions, e.Action+" "+e.TargetID)
	}
	want := "store.deleted empty,store.created empty,store.renamed eu,store.created eu,store.created administrators" // the last by bootstrap
	if strings.Join(actions, ",") != want {
		t.Errorf("audit entries %v, want %s", actions, want)
	}
	groups, err := s.ListAuditEntries(t.Context(), storage.AuditFilter{Action: "group.", StoreID: "eu"})
	if err != nil || len(groups) != 1 || groups[0].Action != "group.created" {
		t.Errorf("group entries %+v, %v", groups, err)
	}
}
