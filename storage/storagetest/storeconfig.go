package storagetest

import (
	"reflect"
	"testing"

	"foyer/storage"
)

// storeConfigAreas are the operator side's cases (storage.StoreConfig);
// Run includes them.
var storeConfigAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"IdentityStoreVersions", testIdentityStoreVersions},
	{"IdentityStorePages", testIdentityStorePages},
	{"DeleteIdentityStore", testDeleteIdentityStore},
	{"GroupAdmin", testGroupAdmin},
	{"GroupRestrictedKeepsName", testGroupRestrictedKeepsName},
	{"StoreRoles", testStoreRoles},
	{"Organizations", testOrganizations},
	{"OrganizationDomains", testOrganizationDomains},
}

func testIdentityStoreVersions(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	if is.Version != 1 || !is.UpdatedAt.Equal(is.CreatedAt) {
		t.Fatalf("created store: Version %d, UpdatedAt %v, CreatedAt %v; want 1 and equal times", is.Version, is.UpdatedAt, is.CreatedAt)
	}
	is.Name = "Renamed"
	is.IdentifierTypes = []storage.IdentifierType{storage.IdentifierUsername}
	is.Attributes = []storage.AttributeDef{{Name: "tier", Type: storage.AttrEnum, Options: []string{"gold", "silver"},
		Label: "Tier", Required: true, AdminVisible: true, MaxLength: 10, Pattern: "[a-z]+"}}
	must(t, "UpdateIdentityStore", s.UpdateIdentityStore(ctx, is, 1))
	if is.Version != 2 || is.UpdatedAt.Before(is.CreatedAt) {
		t.Errorf("after update: Version %d, UpdatedAt %v", is.Version, is.UpdatedAt)
	}
	got, err := s.GetIdentityStore(ctx, is.ID)
	must(t, "GetIdentityStore", err)
	if got.Name != "Renamed" || got.Version != 2 || !equalStrings(got.IdentifierTypes, is.IdentifierTypes) ||
		!reflect.DeepEqual(got.Attributes, is.Attributes) {
		t.Errorf("GetIdentityStore = %+v, want %+v", got, is)
	}
	sameTime(t, "UpdatedAt", got.UpdatedAt, is.UpdatedAt)

	stale := *got
	stale.Name = "Lost update"
	wantErr(t, "UpdateIdentityStore at an old version", s.UpdateIdentityStore(ctx, &stale, 1), storage.ErrStale)
	if again, _ := s.GetIdentityStore(ctx, is.ID); again.Name != "Renamed" || again.Version != 2 {
		t.Errorf("a stale update changed the store: %+v", again)
	}
	wantErr(t, "UpdateIdentityStore missing",
		s.UpdateIdentityStore(ctx, &storage.IdentityStore{ID: "missing", Name: "x"}, 1), storage.ErrNotFound)
	got.Name = "Forced"
	must(t, "UpdateIdentityStore without a version", s.UpdateIdentityStore(ctx, got, 0))
	if got.Version != 3 {
		t.Errorf("unconditional update: Version = %d, want 3", got.Version)
	}
}

func testIdentityStorePages(t *testing.T, s storage.Store) {
	ctx := t.Context()
	ids := []string{"store-a", "store-b", "store-c", "store-d", "store-e"}
	for _, id := range []string{"store-c", "store-a", "store-e", "store-b", "store-d"} {
		must(t, "CreateIdentityStore", s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id}))
	}
	var got []string
	after := ""
	for range 5 {
		page, err := s.ListIdentityStoresPage(ctx, after, 2)
		must(t, "ListIdentityStoresPage", err)
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d stores, limit 2", len(page))
		}
		for _, is := range page {
			got = append(got, is.ID)
		}
		after = page[len(page)-1].ID
	}
	if !equalStrings(got, ids) {
		t.Errorf("pages = %v, want %v", got, ids)
	}
	all, err := s.ListIdentityStoresPage(ctx, "", 0)
	must(t, "ListIdentityStoresPage without limit", err)
	if len(all) != len(ids) {
		t.Errorf("without limit: %d stores, want %d", len(all), len(ids))
	}
}

func testDeleteIdentityStore(t *testing.T, s storage.Store) {
	ctx := t.Context()
	empty := newIdentityStore(t, s)
	g := &storage.Group{StoreID: empty.ID, Name: "g"}
	must(t, "CreateGroup", s.CreateGroup(ctx, g))
	r := &storage.StoreRole{StoreID: empty.ID, Name: "r"}
	must(t, "CreateStoreRole", s.CreateStoreRole(ctx, r))
	o := &storage.Organization{StoreID: empty.ID, Name: "o", Domains: []string{"example.com"}}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, o))

	wantErr(t, "DeleteIdentityStore at an old version", s.DeleteIdentityStore(ctx, empty.ID, 7), storage.ErrStale)
	must(t, "DeleteIdentityStore", s.DeleteIdentityStore(ctx, empty.ID, 1))
	_, err := s.GetIdentityStore(ctx, empty.ID)
	wantErr(t, "GetIdentityStore deleted", err, storage.ErrNotFound)
	_, err = s.GetGroup(ctx, empty.ID, g.ID)
	wantErr(t, "its group", err, storage.ErrNotFound)
	_, err = s.GetStoreRole(ctx, empty.ID, r.ID)
	wantErr(t, "its role", err, storage.ErrNotFound)
	_, err = s.GetOrganization(ctx, empty.ID, o.ID)
	wantErr(t, "its organization", err, storage.ErrNotFound)
	wantErr(t, "DeleteIdentityStore again", s.DeleteIdentityStore(ctx, empty.ID, 0), storage.ErrNotFound)

	withAccount := newIdentityStore(t, s)
	newAccount(t, s, withAccount.ID)
	wantErr(t, "DeleteIdentityStore with an account", s.DeleteIdentityStore(ctx, withAccount.ID, 1), storage.ErrConflict)
	withApp := newIdentityStore(t, s)
	must(t, "CreateApplication", s.CreateApplication(ctx, &storage.Application{StoreID: withApp.ID, Name: "App"}))
	wantErr(t, "DeleteIdentityStore with an application", s.DeleteIdentityStore(ctx, withApp.ID, 0), storage.ErrConflict)
	for _, id := range []string{withAccount.ID, withApp.ID} {
		if _, err := s.GetIdentityStore(ctx, id); err != nil {
			t.Errorf("a refused deletion removed store %s: %v", id, err)
		}
	}
}

func testGroupAdmin(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	var groups []*storage.Group
	for _, name := range []string{"delta", "alpha", "charlie", "bravo"} {
		g := &storage.Group{StoreID: is.ID, Name: name}
		must(t, "CreateGroup", s.CreateGroup(ctx, g))
		groups = append(groups, g)
	}
	if groups[0].Version != 1 {
		t.Errorf("created group Version = %d, want 1", groups[0].Version)
	}
	must(t, "CreateGroup in another store", s.CreateGroup(ctx, &storage.Group{StoreID: other.ID, Name: "zulu"}))
	first, err := s.ListGroupsPage(ctx, is.ID, "", 3)
	must(t, "ListGroupsPage", err)
	rest, err := s.ListGroupsPage(ctx, is.ID, first[len(first)-1].Name, 3)
	must(t, "ListGroupsPage after", err)
	if names := groupNames(append(first, rest...)); !equalStrings(names, []string{"alpha", "bravo", "charlie", "delta"}) {
		t.Errorf("pages = %v", names)
	}
	_, err = s.GetGroup(ctx, other.ID, groups[0].ID)
	wantErr(t, "GetGroup through another store", err, storage.ErrNotFound)

	delta := groups[0]
	delta.Name = "echo"
	must(t, "RenameGroup", s.RenameGroup(ctx, delta, 1))
	if delta.Version != 2 {
		t.Errorf("renamed group Version = %d, want 2", delta.Version)
	}
	if got, err := s.GetGroup(ctx, is.ID, delta.ID); err != nil || got.Name != "echo" || got.Version != 2 {
		t.Errorf("GetGroup after rename = %+v, %v", got, err)
	}
	delta.Name = "lost"
	wantErr(t, "RenameGroup at an old version", s.RenameGroup(ctx, delta, 1), storage.ErrStale)
	delta.Name = "alpha"
	wantErr(t, "RenameGroup to a taken name", s.RenameGroup(ctx, delta, 2), storage.ErrConflict)
	wantErr(t, "RenameGroup in another store",
		s.RenameGroup(ctx, &storage.Group{ID: delta.ID, StoreID: other.ID, Name: "x"}, 0), storage.ErrNotFound)

	acct := newAccount(t, s, is.ID)
	must(t, "AddGroupMember", s.AddGroupMember(ctx, delta.ID, acct.ID))
	wantErr(t, "DeleteGroup at an old version", s.DeleteGroup(ctx, is.ID, delta.ID, 1), storage.ErrStale)
	wantErr(t, "DeleteGroup in another store", s.DeleteGroup(ctx, other.ID, delta.ID, 0), storage.ErrNotFound)
	must(t, "DeleteGroup", s.DeleteGroup(ctx, is.ID, delta.ID, 2))
	if mine, _ := s.ListAccountGroups(ctx, acct.ID); len(mine) != 0 {
		t.Errorf("memberships after DeleteGroup = %+v", mine)
	}
	wantErr(t, "DeleteGroup again", s.DeleteGroup(ctx, is.ID, delta.ID, 0), storage.ErrNotFound)
}

func groupNames(gs []storage.Group) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Name
	}
	return out
}

// A portal restriction names groups: a group it names can neither be
// renamed (the restriction would name nothing, or another store's group)
// nor go (the application would open to everyone).
func testGroupRestrictedKeepsName(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	app := &storage.Application{StoreID: is.ID, Name: "Restricted"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	g := &storage.Group{StoreID: is.ID, Name: "staff"}
	must(t, "CreateGroup", s.CreateGroup(ctx, g))
	must(t, "SetPortalSettings", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: app.ID,
		Groups: []string{"vip", "staff"}}))
	other := &storage.Group{StoreID: is.ID, Name: "other"}
	must(t, "CreateGroup", s.CreateGroup(ctx, other))
	g.Name = "employees"
	wantErr(t, "RenameGroup a restriction names", s.RenameGroup(ctx, g, 1), storage.ErrConflict)
	wantErr(t, "DeleteGroup a restriction names", s.DeleteGroup(ctx, is.ID, g.ID, 0), storage.ErrConflict)
	if got, err := s.GetGroup(ctx, is.ID, g.ID); err != nil || got.Name != "staff" || got.Version != 1 {
		t.Errorf("refused changes changed the group: %+v, %v", got, err)
	}
	other.Name = "renamed"
	must(t, "RenameGroup no restriction names", s.RenameGroup(ctx, other, 1))
	must(t, "DeleteGroup no restriction names", s.DeleteGroup(ctx, is.ID, other.ID, 2))
	must(t, "SetPortalSettings lifting the restriction", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: app.ID}))
	must(t, "RenameGroup after the restriction went", s.RenameGroup(ctx, g, 1))
}

func testStoreRoles(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	editor := &storage.StoreRole{StoreID: is.ID, Name: "Editor", Description: "Edits articles"}
	must(t, "CreateStoreRole", s.CreateStoreRole(ctx, editor))
	if editor.ID == "" || editor.Version != 1 || editor.CreatedAt.IsZero() {
		t.Errorf("CreateStoreRole left %+v", editor)
	}
	wantErr(t, "CreateStoreRole same name in another case",
		s.CreateStoreRole(ctx, &storage.StoreRole{StoreID: is.ID, Name: "EDITOR"}), storage.ErrConflict)
	must(t, "CreateStoreRole same name in another store", s.CreateStoreRole(ctx, &storage.StoreRole{StoreID: other.ID, Name: "Editor"}))
	wantErr(t, "CreateStoreRole in an unknown store",
		s.CreateStoreRole(ctx, &storage.StoreRole{StoreID: "missing", Name: "x"}), storage.ErrNotFound)
	for _, n := range []string{"viewer", "Admin"} {
		must(t, "CreateStoreRole", s.CreateStoreRole(ctx, &storage.StoreRole{StoreID: is.ID, Name: n}))
	}
	first, err := s.ListStoreRoles(ctx, is.ID, "", 2)
	must(t, "ListStoreRoles", err)
	rest, err := s.ListStoreRoles(ctx, is.ID, "editor", 2)
	must(t, "ListStoreRoles after", err)
	if len(first) != 2 || first[0].Name != "Admin" || first[1].Name != "Editor" || len(rest) != 1 || rest[0].Name != "viewer" {
		t.Errorf("pages = %+v then %+v", first, rest)
	}
	got, err := s.GetStoreRole(ctx, is.ID, editor.ID)
	must(t, "GetStoreRole", err)
	if got.Name != "Editor" || got.Description != "Edits articles" || got.Version != 1 {
		t.Errorf("GetStoreRole = %+v", got)
	}
	_, err = s.GetStoreRole(ctx, other.ID, editor.ID)
	wantErr(t, "GetStoreRole through another store", err, storage.ErrNotFound)

	editor.Name, editor.Description = "Writer", "Writes"
	must(t, "UpdateStoreRole", s.UpdateStoreRole(ctx, editor, 1))
	if got, _ := s.GetStoreRole(ctx, is.ID, editor.ID); got.Name != "Writer" || got.Description != "Writes" || got.Version != 2 {
		t.Errorf("after update = %+v", got)
	}
	wantErr(t, "UpdateStoreRole at an old version", s.UpdateStoreRole(ctx, editor, 1), storage.ErrStale)
	editor.Name = "VIEWER"
	wantErr(t, "UpdateStoreRole to a taken name", s.UpdateStoreRole(ctx, editor, 2), storage.ErrConflict)
	wantErr(t, "DeleteStoreRole at an old version", s.DeleteStoreRole(ctx, is.ID, editor.ID, 1), storage.ErrStale)
	must(t, "DeleteStoreRole", s.DeleteStoreRole(ctx, is.ID, editor.ID, 2))
	wantErr(t, "DeleteStoreRole again", s.DeleteStoreRole(ctx, is.ID, editor.ID, 0), storage.ErrNotFound)
}

func testOrganizations(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	acme := &storage.Organization{StoreID: is.ID, Name: "Acme", Partner: true, Domains: []string{"acme.com", "acme.de"}}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, acme))
	if acme.ID == "" || acme.Version != 1 {
		t.Errorf("CreateOrganization left %+v", acme)
	}
	got, err := s.GetOrganization(ctx, is.ID, acme.ID)
	must(t, "GetOrganization", err)
	if got.Name != "Acme" || !got.Partner || !equalStrings(got.Domains, acme.Domains) || got.Version != 1 {
		t.Errorf("GetOrganization = %+v", got)
	}
	_, err = s.GetOrganization(ctx, other.ID, acme.ID)
	wantErr(t, "GetOrganization through another store", err, storage.ErrNotFound)
	wantErr(t, "CreateOrganization same name in another case",
		s.CreateOrganization(ctx, &storage.Organization{StoreID: is.ID, Name: "ACME"}), storage.ErrConflict)
	wantErr(t, "CreateOrganization in an unknown store",
		s.CreateOrganization(ctx, &storage.Organization{StoreID: "missing", Name: "x"}), storage.ErrNotFound)
	for _, n := range []string{"globex", "Initech"} {
		must(t, "CreateOrganization", s.CreateOrganization(ctx, &storage.Organization{StoreID: is.ID, Name: n}))
	}
	first, err := s.ListOrganizations(ctx, is.ID, "", 2)
	must(t, "ListOrganizations", err)
	rest, err := s.ListOrganizations(ctx, is.ID, "globex", 2)
	must(t, "ListOrganizations after", err)
	if len(first) != 2 || first[0].Name != "Acme" || first[1].Name != "globex" || len(rest) != 1 || rest[0].Name != "Initech" {
		t.Errorf("pages = %+v then %+v", first, rest)
	}

	acme.Name, acme.Partner, acme.Domains = "Acme Corp", false, []string{"acme.org"}
	must(t, "UpdateOrganization", s.UpdateOrganization(ctx, acme, 1))
	got, _ = s.GetOrganization(ctx, is.ID, acme.ID)
	if got.Name != "Acme Corp" || got.Partner || !equalStrings(got.Domains, []string{"acme.org"}) || got.Version != 2 {
		t.Errorf("after update = %+v", got)
	}
	wantErr(t, "UpdateOrganization at an old version", s.UpdateOrganization(ctx, acme, 1), storage.ErrStale)
	wantErr(t, "DeleteOrganization at an old version", s.DeleteOrganization(ctx, is.ID, acme.ID, 1), storage.ErrStale)
	must(t, "DeleteOrganization", s.DeleteOrganization(ctx, is.ID, acme.ID, 2))
	wantErr(t, "DeleteOrganization again", s.DeleteOrganization(ctx, is.ID, acme.ID, 0), storage.ErrNotFound)
}

// A domain belongs to one organization of a store; updates and deletions
// release it.
func testOrganizationDomains(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	a := &storage.Organization{StoreID: is.ID, Name: "A", Domains: []string{"a.example", "shared.example"}}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, a))
	wantErr(t, "CreateOrganization with a taken domain",
		s.CreateOrganization(ctx, &storage.Organization{StoreID: is.ID, Name: "B", Domains: []string{"shared.example"}}), storage.ErrConflict)
	if list, _ := s.ListOrganizations(ctx, is.ID, "", 0); len(list) != 1 {
		t.Errorf("a refused creation left %d organizations, want 1", len(list))
	}
	must(t, "CreateOrganization with the domain in another store",
		s.CreateOrganization(ctx, &storage.Organization{StoreID: other.ID, Name: "B", Domains: []string{"shared.example"}}))
	b := &storage.Organization{StoreID: is.ID, Name: "B", Domains: []string{"b.example"}}
	must(t, "CreateOrganization B", s.CreateOrganization(ctx, b))
	b.Domains = []string{"b.example", "a.example"}
	wantErr(t, "UpdateOrganization to a taken domain", s.UpdateOrganization(ctx, b, 1), storage.ErrConflict)
	if got, _ := s.GetOrganization(ctx, is.ID, b.ID); got.Version != 1 || !equalStrings(got.Domains, []string{"b.example"}) {
		t.Errorf("a refused update changed B: %+v", got)
	}
	a.Domains = []string{"a.example"}
	must(t, "UpdateOrganization releasing a domain", s.UpdateOrganization(ctx, a, 1))
	b.Domains = []string{"b.example", "shared.example"}
	must(t, "UpdateOrganization taking the released domain", s.UpdateOrganization(ctx, b, 1))
	must(t, "DeleteOrganization A", s.DeleteOrganization(ctx, is.ID, a.ID, 0))
	must(t, "CreateOrganization with a deleted organization's domain",
		s.CreateOrganization(ctx, &storage.Organization{StoreID: is.ID, Name: "C", Domains: []string{"a.example"}}))
}
