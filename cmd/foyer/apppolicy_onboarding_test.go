package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// "foyer app policy set" changes the onboarding part, refusing a
// registration without its role and a role of another store; "foyer
// store create" takes an organization schema.
func TestCLIOnboardingPolicy(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("store", "create", "Companies", "--id", "b2b",
		"--organization-attributes", `[{"name":"vat","label":"VAT number","required":true}]`); code != 0 {
		t.Fatalf("store create: %d %s", code, errOut)
	}
	if code, _, errOut := c.run("store", "create", "Bad", "--organization-attributes", `[{"name":"Bad Name"}]`); code != 2 ||
		!strings.Contains(errOut, "organization_attributes[0].name") {
		t.Errorf("bad organization schema: exit %d, %q", code, errOut)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if is, err := s.GetIdentityStore(ctx, "b2b"); err != nil || len(is.OrganizationAttributes) != 1 {
		t.Fatalf("store b2b: %+v %v", is, err)
	}
	role := &storage.StoreRole{StoreID: defaultStoreID, Name: "Company admin", OrganizationAdmin: true}
	elsewhere := &storage.StoreRole{StoreID: "b2b", Name: "Elsewhere"}
	for _, r := range []*storage.StoreRole{role, elsewhere} {
		if err := s.CreateStoreRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	refused := []struct {
		args []string
		says string
	}{
		{[]string{"--customer-registration", "on"}, "new_organization_role_id"},
		{[]string{"--customer-registration", "on", "--new-organization-role", elsewhere.ID}, "not a role of identity store"},
		{[]string{"--invitation-lifetime", "800h"}, "invitation lifetime"},
	}
	for _, r := range refused {
		if code, _, errOut := c.run(append([]string{"app", "policy", "set"}, r.args...)...); code != 2 || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", r.args, code, errOut, r.says)
		}
	}
	code, out, errOut := c.run("app", "policy", "set", "--customer-registration", "on", "--new-organization-role", role.ID,
		"--invitation-lifetime", "72h", "--invitee-may-change-email", "on", "--json")
	var p storage.SelfServicePolicy
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || !p.Onboarding.CustomerRegistration ||
		p.Onboarding.NewOrganizationRoleID != role.ID || p.Onboarding.InvitationLifetime != 72*time.Hour || !p.Onboarding.InviteeMayChangeEmail {
		t.Fatalf("set: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, _ := c.run("app", "policy", "show"); code != 0 || !strings.Contains(out, "on (role "+role.ID+")") {
		t.Errorf("show: %d %q", code, out)
	}
}
