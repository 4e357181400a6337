package storagetest

import (
	"testing"

	"foyer/storage"
)

// accountRoleFixture is a store with two organizations and two roles, an
// account of it, and a second store with an organization, a role and an
// account of its own.
type accountRoleFixture struct {
	store, other             *storage.IdentityStore
	acct, otherAcct          *storage.Account
	acme, globex, otherOrg   *storage.Organization
	admin, viewer, otherRole *storage.StoreRole
}

func newAccountRoleFixture(t *testing.T, s storage.Store) accountRoleFixture {
	t.Helper()
	ctx := t.Context()
	f := accountRoleFixture{store: newIdentityStore(t, s), other: newIdentityStore(t, s)}
	f.acct, f.otherAcct = newAccount(t, s, f.store.ID), newAccount(t, s, f.other.ID)
	org := func(storeID, name string) *storage.Organization {
		o := &storage.Organization{StoreID: storeID, Name: name}
		must(t, "CreateOrganization", s.CreateOrganization(ctx, o))
		return o
	}
	role := func(storeID, name string) *storage.StoreRole {
		r := &storage.StoreRole{StoreID: storeID, Name: name}
		must(t, "CreateStoreRole", s.CreateStoreRole(ctx, r))
		return r
	}
	// Names in mixed case: lists sort case-insensitively.
	f.globex, f.acme, f.otherOrg = org(f.store.ID, "globex"), org(f.store.ID, "Acme"), org(f.other.ID, "Other Org")
	f.viewer, f.admin, f.otherRole = role(f.store.ID, "viewer"), role(f.store.ID, "Admin"), role(f.other.ID, "Other Role")
	return f
}

func (f accountRoleFixture) pair(o *storage.Organization, r *storage.StoreRole) *storage.AccountRole {
	return &storage.AccountRole{StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: o.ID, RoleID: r.ID}
}

func testAccountRoles(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newAccountRoleFixture(t, s)
	if got, err := s.ListAccountRoles(ctx, f.acct.ID); err != nil || len(got) != 0 {
		t.Fatalf("ListAccountRoles of a new account = %v, %v; want none", got, err)
	}
	first := f.pair(f.globex, f.viewer)
	must(t, "AssignAccountRole", s.AssignAccountRole(ctx, first))
	if first.CreatedAt.IsZero() || first.OrganizationName != "globex" || first.RoleName != "viewer" {
		t.Errorf("AssignAccountRole left %+v", first)
	}
	for _, p := range []*storage.AccountRole{f.pair(f.globex, f.admin), f.pair(f.acme, f.viewer)} {
		must(t, "AssignAccountRole", s.AssignAccountRole(ctx, p))
	}
	wantErr(t, "AssignAccountRole held already", s.AssignAccountRole(ctx, f.pair(f.globex, f.viewer)), storage.ErrConflict)

	got, err := s.ListAccountRoles(ctx, f.acct.ID)
	must(t, "ListAccountRoles", err)
	want := [][2]string{{"Acme", "viewer"}, {"globex", "Admin"}, {"globex", "viewer"}}
	if len(got) != len(want) {
		t.Fatalf("ListAccountRoles = %+v, want %v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.OrganizationName != w[0] || g.RoleName != w[1] || g.AccountID != f.acct.ID || g.StoreID != f.store.ID {
			t.Errorf("ListAccountRoles[%d] = %+v, want %v", i, g, w)
		}
	}
	sameTime(t, "CreatedAt", got[2].CreatedAt, first.CreatedAt)

	must(t, "RemoveAccountRole", s.RemoveAccountRole(ctx, f.acct.ID, f.globex.ID, f.admin.ID))
	wantErr(t, "RemoveAccountRole again", s.RemoveAccountRole(ctx, f.acct.ID, f.globex.ID, f.admin.ID), storage.ErrNotFound)
	if got, _ := s.ListAccountRoles(ctx, f.acct.ID); len(got) != 2 {
		t.Errorf("after removal: %+v, want two pairs", got)
	}
}

// testAccountRolesAcrossStores: account, organization and role must be of
// the store named; a mix writes nothing.
func testAccountRolesAcrossStores(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newAccountRoleFixture(t, s)
	mixes := map[string]*storage.AccountRole{
		"organization of another store": f.pair(f.otherOrg, f.viewer),
		"role of another store":         f.pair(f.acme, f.otherRole),
		"account of another store": {StoreID: f.store.ID, AccountID: f.otherAcct.ID,
			OrganizationID: f.acme.ID, RoleID: f.viewer.ID},
		"the other store named": {StoreID: f.other.ID, AccountID: f.acct.ID,
			OrganizationID: f.acme.ID, RoleID: f.viewer.ID},
		"unknown organization": f.pair(&storage.Organization{ID: "missing"}, f.viewer),
		"unknown role":         f.pair(f.acme, &storage.StoreRole{ID: "missing"}),
		"unknown account": {StoreID: f.store.ID, AccountID: "missing",
			OrganizationID: f.acme.ID, RoleID: f.viewer.ID},
	}
	for what, p := range mixes {
		wantErr(t, "AssignAccountRole with "+what, s.AssignAccountRole(ctx, p), storage.ErrNotFound)
	}
	members := map[string]*storage.OrganizationMember{
		"organization of another store": {StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: f.otherOrg.ID},
		"account of another store":      {StoreID: f.store.ID, AccountID: f.otherAcct.ID, OrganizationID: f.acme.ID},
		"the other store named":         {StoreID: f.other.ID, AccountID: f.acct.ID, OrganizationID: f.acme.ID},
		"unknown organization":          {StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: "missing"},
	}
	for what, m := range members {
		wantErr(t, "AddOrganizationMember with "+what, s.AddOrganizationMember(ctx, m), storage.ErrNotFound)
	}
	for _, id := range []string{f.acct.ID, f.otherAcct.ID} {
		roles, err := s.ListAccountRoles(ctx, id)
		must(t, "ListAccountRoles", err)
		orgs, err := s.ListAccountOrganizations(ctx, id)
		must(t, "ListAccountOrganizations", err)
		if len(roles) != 0 || len(orgs) != 0 {
			t.Errorf("refused writes left roles %+v and memberships %+v", roles, orgs)
		}
	}
}

func testOrganizationMembers(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newAccountRoleFixture(t, s)
	m := &storage.OrganizationMember{StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: f.globex.ID}
	must(t, "AddOrganizationMember", s.AddOrganizationMember(ctx, m))
	if m.CreatedAt.IsZero() || m.OrganizationName != "globex" {
		t.Errorf("AddOrganizationMember left %+v", m)
	}
	wantErr(t, "AddOrganizationMember twice", s.AddOrganizationMember(ctx,
		&storage.OrganizationMember{StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: f.globex.ID}), storage.ErrConflict)
	must(t, "AddOrganizationMember", s.AddOrganizationMember(ctx,
		&storage.OrganizationMember{StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: f.acme.ID}))
	got, err := s.ListAccountOrganizations(ctx, f.acct.ID)
	must(t, "ListAccountOrganizations", err)
	if len(got) != 2 || got[0].OrganizationName != "Acme" || got[1].OrganizationName != "globex" ||
		got[1].AccountID != f.acct.ID || got[1].StoreID != f.store.ID {
		t.Fatalf("ListAccountOrganizations = %+v, want Acme then globex", got)
	}
	sameTime(t, "CreatedAt", got[1].CreatedAt, m.CreatedAt)
	// Membership is apart from roles: a member holds no role, and a role
	// needs no membership.
	if roles, _ := s.ListAccountRoles(ctx, f.acct.ID); len(roles) != 0 {
		t.Errorf("membership gave roles %+v", roles)
	}
	must(t, "RemoveOrganizationMember", s.RemoveOrganizationMember(ctx, f.acme.ID, f.acct.ID))
	wantErr(t, "RemoveOrganizationMember again", s.RemoveOrganizationMember(ctx, f.acme.ID, f.acct.ID), storage.ErrNotFound)
	if got, _ := s.ListAccountOrganizations(ctx, f.acct.ID); len(got) != 1 || got[0].OrganizationID != f.globex.ID {
		t.Errorf("after removal: %+v", got)
	}
}

// testAccountRolesCascade: deleting a role, an organization or the account
// takes its pairs and memberships along.
func testAccountRolesCascade(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newAccountRoleFixture(t, s)
	for _, p := range []*storage.AccountRole{f.pair(f.acme, f.admin), f.pair(f.acme, f.viewer), f.pair(f.globex, f.viewer)} {
		must(t, "AssignAccountRole", s.AssignAccountRole(ctx, p))
	}
	for _, o := range []*storage.Organization{f.acme, f.globex} {
		must(t, "AddOrganizationMember", s.AddOrganizationMember(ctx,
			&storage.OrganizationMember{StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: o.ID}))
	}
	must(t, "DeleteStoreRole", s.DeleteStoreRole(ctx, f.store.ID, f.admin.ID, 0))
	if got, _ := s.ListAccountRoles(ctx, f.acct.ID); len(got) != 2 || got[0].RoleName != "viewer" {
		t.Errorf("after deleting a role: %+v", got)
	}
	must(t, "DeleteOrganization", s.DeleteOrganization(ctx, f.store.ID, f.acme.ID, 0))
	roles, _ := s.ListAccountRoles(ctx, f.acct.ID)
	orgs, _ := s.ListAccountOrganizations(ctx, f.acct.ID)
	if len(roles) != 1 || roles[0].OrganizationID != f.globex.ID || len(orgs) != 1 || orgs[0].OrganizationID != f.globex.ID {
		t.Errorf("after deleting an organization: roles %+v, memberships %+v", roles, orgs)
	}
	must(t, "DeleteAccountData", s.DeleteAccountData(ctx, f.acct.ID))
	roles, _ = s.ListAccountRoles(ctx, f.acct.ID)
	orgs, _ = s.ListAccountOrganizations(ctx, f.acct.ID)
	if len(roles) != 0 || len(orgs) != 0 {
		t.Errorf("after deleting the account: roles %+v, memberships %+v", roles, orgs)
	}
	// The organization and role outlive the account and can be deleted.
	must(t, "DeleteOrganization", s.DeleteOrganization(ctx, f.store.ID, f.globex.ID, 0))
	must(t, "DeleteStoreRole", s.DeleteStoreRole(ctx, f.store.ID, f.viewer.ID, 0))
}

// testAccountRolesMove: an account moved to another store leaves the old
// store's organizations and roles.
func testAccountRolesMove(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newAccountRoleFixture(t, s)
	must(t, "AssignAccountRole", s.AssignAccountRole(ctx, f.pair(f.acme, f.viewer)))
	must(t, "AddOrganizationMember", s.AddOrganizationMember(ctx,
		&storage.OrganizationMember{StoreID: f.store.ID, AccountID: f.acct.ID, OrganizationID: f.acme.ID}))
	must(t, "MoveAccountToStore", s.MoveAccountToStore(ctx, f.acct.ID, f.other.ID))
	roles, err := s.ListAccountRoles(ctx, f.acct.ID)
	must(t, "ListAccountRoles", err)
	orgs, err := s.ListAccountOrganizations(ctx, f.acct.ID)
	must(t, "ListAccountOrganizations", err)
	if len(roles) != 0 || len(orgs) != 0 {
		t.Errorf("after the move: roles %+v, memberships %+v of the old store", roles, orgs)
	}
}
