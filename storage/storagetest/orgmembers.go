package storagetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"foyer/storage"
)

var orgPeopleAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"OrganizationPeople", testOrganizationPeople},
	{"OrganizationPeopleLastAdmin", testOrganizationPeopleLastAdmin},
	{"OrganizationPeopleParallelRemoval", testOrganizationPeopleParallelRemoval},
	{"OrganizationPeopleForeignCursor", testOrganizationPeopleForeignCursor},
}

// orgPeopleFixture: organization acme of a store with an administrator
// (admin role, member), a member without roles, an editor who is no
// member; globex with someone of its own; and an account of another
// store. E-mail addresses sort admin, member, editor (in mixed case:
// people sort case-insensitively).
type orgPeopleFixture struct {
	store                               *storage.IdentityStore
	acme, globex                        *storage.Organization
	adminRole, editorRole, viewerRole   *storage.StoreRole
	admin, member, editor, globexer, xs *storage.Account
}

func newOrgPeopleFixture(t *testing.T, s storage.Store) orgPeopleFixture {
	t.Helper()
	ctx := t.Context()
	f := orgPeopleFixture{store: newIdentityStore(t, s)}
	other := newIdentityStore(t, s)
	acct := func(storeID, email string) *storage.Account {
		a := &storage.Account{StoreID: storeID, Status: storage.AccountEnabled, Email: email}
		must(t, "CreateAccount", s.CreateAccount(ctx, a))
		return a
	}
	f.admin, f.member, f.editor = acct(f.store.ID, unique("a")+"@example.com"), acct(f.store.ID, unique("B")+"@example.com"),
		acct(f.store.ID, unique("c")+"@example.com")
	f.globexer, f.xs = acct(f.store.ID, unique("d")+"@example.com"), acct(other.ID, unique("a")+"@example.com")
	f.acme, f.globex = &storage.Organization{StoreID: f.store.ID, Name: "Acme"}, &storage.Organization{StoreID: f.store.ID, Name: "Globex"}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, f.acme))
	must(t, "CreateOrganization", s.CreateOrganization(ctx, f.globex))
	f.adminRole = &storage.StoreRole{StoreID: f.store.ID, Name: "Org admin", OrganizationAdmin: true}
	f.editorRole = &storage.StoreRole{StoreID: f.store.ID, Name: "editor", Assignable: true}
	f.viewerRole = &storage.StoreRole{StoreID: f.store.ID, Name: "Viewer"}
	for _, r := range []*storage.StoreRole{f.adminRole, f.editorRole, f.viewerRole} {
		must(t, "CreateStoreRole", s.CreateStoreRole(ctx, r))
	}
	f.grant(t, s, f.admin, f.acme, f.adminRole)
	f.grant(t, s, f.admin, f.acme, f.viewerRole)
	f.grant(t, s, f.editor, f.acme, f.editorRole)
	f.grant(t, s, f.globexer, f.globex, f.adminRole)
	for _, a := range []*storage.Account{f.admin, f.member} {
		must(t, "AddOrganizationMember", s.AddOrganizationMember(ctx,
			&storage.OrganizationMember{StoreID: f.store.ID, OrganizationID: f.acme.ID, AccountID: a.ID}))
	}
	return f
}

func (f orgPeopleFixture) grant(t *testing.T, s storage.Store, a *storage.Account, o *storage.Organization, r *storage.StoreRole) {
	t.Helper()
	must(t, "AssignAccountRole", s.AssignAccountRole(t.Context(),
		&storage.AccountRole{StoreID: f.store.ID, AccountID: a.ID, OrganizationID: o.ID, RoleID: r.ID}))
}

func personIDs(people []storage.OrganizationPerson) []string {
	out := make([]string, len(people))
	for i, p := range people {
		out[i] = p.AccountID
	}
	return out
}

func testOrganizationPeople(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newOrgPeopleFixture(t, s)
	orgs, err := s.ListAdministeredOrganizations(ctx, f.admin.ID)
	if err != nil || len(orgs) != 1 || orgs[0].ID != f.acme.ID || orgs[0].Name != "Acme" {
		t.Errorf("ListAdministeredOrganizations(admin) = %+v, %v; want Acme", orgs, err)
	}
	for _, a := range []*storage.Account{f.member, f.editor, f.xs} {
		if orgs, err := s.ListAdministeredOrganizations(ctx, a.ID); err != nil || len(orgs) != 0 {
			t.Errorf("ListAdministeredOrganizations(%s) = %+v, %v; want none", a.Email, orgs, err)
		}
	}
	people, err := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, "", 0)
	must(t, "ListOrganizationPeople", err)
	if want := []string{f.admin.ID, f.member.ID, f.editor.ID}; !slices.Equal(personIDs(people), want) {
		t.Fatalf("ListOrganizationPeople = %+v, want %v", people, want)
	}
	a, m, e := people[0], people[1], people[2]
	if !a.Member || a.Email != f.admin.Email || len(a.Roles) != 2 || a.Roles[0].Name != "Org admin" || !a.Roles[0].OrganizationAdmin ||
		a.Roles[1].ID != f.viewerRole.ID || a.Roles[1].Assignable {
		t.Errorf("the administrator = %+v", a)
	}
	if !m.Member || len(m.Roles) != 0 {
		t.Errorf("the member = %+v", m)
	}
	if e.Member || len(e.Roles) != 1 || e.Roles[0].ID != f.editorRole.ID || !e.Roles[0].Assignable {
		t.Errorf("the editor = %+v", e)
	}
	first, err := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, "", 2)
	must(t, "ListOrganizationPeople page 1", err)
	rest, err := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, first[1].AccountID, 2)
	must(t, "ListOrganizationPeople page 2", err)
	if !slices.Equal(personIDs(first), []string{f.admin.ID, f.member.ID}) || !slices.Equal(personIDs(rest), []string{f.editor.ID}) {
		t.Errorf("pages = %v then %v", personIDs(first), personIDs(rest))
	}
	if p, err := s.GetOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.editor.ID); err != nil || p.Member || len(p.Roles) != 1 {
		t.Errorf("GetOrganizationPerson(editor) = %+v, %v", p, err)
	}
	for what, id := range map[string]string{"globex's": f.globexer.ID, "another store's": f.xs.ID, "unknown": "nope"} {
		_, err := s.GetOrganizationPerson(ctx, f.store.ID, f.acme.ID, id)
		wantErr(t, "GetOrganizationPerson of "+what, err, storage.ErrNotFound)
	}
	if _, err := s.GetOrganizationPerson(ctx, "other", f.acme.ID, f.admin.ID); err == nil {
		t.Error("GetOrganizationPerson in the wrong store found the administrator")
	}
	if none, err := s.ListOrganizationPeople(ctx, "other", f.acme.ID, "", 0); err != nil || len(none) != 0 {
		t.Errorf("ListOrganizationPeople in the wrong store = %+v, %v", none, err)
	}

	must(t, "RevokeOrganizationRole", s.RevokeOrganizationRole(ctx, f.acme.ID, f.editor.ID, f.editorRole.ID))
	wantErr(t, "RevokeOrganizationRole again", s.RevokeOrganizationRole(ctx, f.acme.ID, f.editor.ID, f.editorRole.ID), storage.ErrNotFound)
	_, err = s.GetOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.editor.ID)
	wantErr(t, "the editor without a role", err, storage.ErrNotFound)

	wantErr(t, "RemoveOrganizationPerson in the wrong store", s.RemoveOrganizationPerson(ctx, "other", f.acme.ID, f.member.ID), storage.ErrNotFound)
	must(t, "RemoveOrganizationPerson", s.RemoveOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.member.ID))
	wantErr(t, "RemoveOrganizationPerson again", s.RemoveOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.member.ID), storage.ErrNotFound)
	if left, _ := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, "", 0); !slices.Equal(personIDs(left), []string{f.admin.ID}) {
		t.Errorf("after removals: %v", personIDs(left))
	}
}

func testOrganizationPeopleLastAdmin(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newOrgPeopleFixture(t, s)
	wantErr(t, "revoke the last administrator's role", s.RevokeOrganizationRole(ctx, f.acme.ID, f.admin.ID, f.adminRole.ID),
		storage.ErrLastOrganizationAdmin)
	wantErr(t, "remove the last administrator", s.RemoveOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.admin.ID),
		storage.ErrLastOrganizationAdmin)
	if p, err := s.GetOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.admin.ID); err != nil || !p.Member || len(p.Roles) != 2 {
		t.Errorf("refused changes changed the administrator: %+v, %v", p, err)
	}
	// Another role of the last administrator goes.
	must(t, "RevokeOrganizationRole viewer", s.RevokeOrganizationRole(ctx, f.acme.ID, f.admin.ID, f.viewerRole.ID))
	f.grant(t, s, f.member, f.acme, f.adminRole)
	must(t, "remove one of two administrators", s.RemoveOrganizationPerson(ctx, f.store.ID, f.acme.ID, f.admin.ID))
	if roles, _ := s.ListAccountRoles(ctx, f.admin.ID); len(roles) != 0 {
		t.Errorf("the removed administrator keeps %+v", roles)
	}
	if orgs, _ := s.ListAccountOrganizations(ctx, f.admin.ID); len(orgs) != 0 {
		t.Errorf("the removed administrator is still a member of %+v", orgs)
	}
	// Globex's administrator is not acme's concern.
	if orgs, _ := s.ListAdministeredOrganizations(ctx, f.globexer.ID); len(orgs) != 1 || orgs[0].ID != f.globex.ID {
		t.Errorf("globex's administrator administers %+v", orgs)
	}
}

// Two administrators removing each other at once: one removal goes
// through, the other is refused, and the organization keeps one
// administrator (the guard's count sees the other's change).
func testOrganizationPeopleParallelRemoval(t *testing.T, s storage.Store) {
	ctx := t.Context()
	for round := range 5 {
		f := newOrgPeopleFixture(t, s)
		f.grant(t, s, f.member, f.acme, f.adminRole)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []*storage.Account{f.admin, f.member} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.RemoveOrganizationPerson(ctx, f.store.ID, f.acme.ID, a.ID)
			}()
		}
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, storage.ErrLastOrganizationAdmin):
				refused++
			case err != nil:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		admins := 0
		people, err := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, "", 0)
		must(t, "ListOrganizationPeople", err)
		for _, p := range people {
			if slices.ContainsFunc(p.Roles, func(r storage.PersonRole) bool { return r.OrganizationAdmin }) {
				admins++
			}
		}
		if refused != 1 || admins != 1 {
			t.Fatalf("round %d: %d refused, %d administrators left (errors %v)", round, refused, admins, errs)
		}
	}
}

// testOrganizationPeopleForeignCursor: the page cursor (an account id from
// the URL) places a page only when it is one of the organization's people.
// Any other account, of another organization or another store, gives no
// page: were its position used, the people listed (or not) after it would
// tell an organization's administrator where that account's e-mail address
// sorts among theirs.
func testOrganizationPeopleForeignCursor(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newOrgPeopleFixture(t, s)
	early := func(storeID string) *storage.Account {
		a := &storage.Account{StoreID: storeID, Status: storage.AccountEnabled, Email: unique("0") + "@example.com"}
		must(t, "CreateAccount", s.CreateAccount(ctx, a))
		return a
	}
	other := newIdentityStore(t, s)
	sameStore, otherStore := early(f.store.ID), early(other.ID)
	globexer := early(f.store.ID)
	f.grant(t, s, globexer, f.globex, f.adminRole)
	for what, id := range map[string]string{"an account of no organization": sameStore.ID,
		"another store's account": otherStore.ID, "another organization's person": globexer.ID, "unknown": "nope"} {
		people, err := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, id, 0)
		if err != nil || len(people) != 0 {
			t.Errorf("ListOrganizationPeople after %s = %v, %v; want no page", what, personIDs(people), err)
		}
	}
	people, err := s.ListOrganizationPeople(ctx, f.store.ID, f.acme.ID, f.admin.ID, 0)
	must(t, "ListOrganizationPeople after the administrator", err)
	if want := []string{f.member.ID, f.editor.ID}; !slices.Equal(personIDs(people), want) {
		t.Errorf("ListOrganizationPeople after the administrator = %v, want %v", personIDs(people), want)
	}
}
