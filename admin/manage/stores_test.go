package manage_test

import (
	"errors"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// configEnv is a database with the administrators store and the services
// of this part: stores, groups, roles, organizations.
type configEnv struct {
	s      storage.Store
	stores *manage.Stores
	groups *manage.Groups
	roles  *manage.Roles
	orgs   *manage.Organizations
}

func bothConfig(t *testing.T, fn func(t *testing.T, e *configEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		s := newStore(t)
		if err := s.CreateIdentityStore(t.Context(), &storage.IdentityStore{ID: storage.AdministratorsStoreID,
			Name: "Administrators", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		core := manage.NewCore(s, nil)
		fn(t, &configEnv{s: s, stores: manage.NewStores(core, s), groups: manage.NewGroups(core, s),
			roles: manage.NewRoles(core, s), orgs: manage.NewOrganizations(core, s)})
	})
}

// grantee is an administrator holding one role, limited to the stores
// given (none: every store).
func grantee(role storage.AdminRole, stores ...string) manage.Actor {
	id := "adm-" + string(role) + "-" + strings.Join(stores, "-")
	return manage.Actor{Kind: storage.PrincipalAdministrator, ID: id, Name: id + "@example.com",
		Grants: []storage.AdminGrant{{PrincipalKind: storage.PrincipalAdministrator, PrincipalID: id, Role: role, StoreIDs: stores}},
		IP:     "192.0.2.1", UserAgent: "test"}
}

var (
	owner   = grantee(storage.RoleOwner)
	admin   = grantee(storage.RoleAdmin)
	support = grantee(storage.RoleSupport)
	auditor = grantee(storage.RoleAuditor)
)

func (e *configEnv) audit(t *testing.T) []storage.AuditEntry {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// lastAudit is the newest entry, which must record the action.
func (e *configEnv) lastAudit(t *testing.T, action string) storage.AuditEntry {
	t.Helper()
	got := e.audit(t)
	if len(got) == 0 || got[0].Action != action {
		t.Fatalf("newest audit entry = %+v, want action %s", got, action)
	}
	return got[0]
}

func (e *configEnv) newStore(t *testing.T, id string) *manage.IdentityStore {
	t.Helper()
	is, err := e.stores.Create(t.Context(), manage.System(), manage.StoreInput{ID: id, Name: "Store " + id,
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}})
	if err != nil {
		t.Fatalf("create store %s: %v", id, err)
	}
	return is
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want %v", what, err, target)
	}
}

// wantFields checks a validation error names exactly these fields.
func wantFields(t *testing.T, what string, err error, fields ...string) {
	t.Helper()
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%s: error = %v, want a ValidationError", what, err)
	}
	if len(ve.Fields) != len(fields) {
		t.Errorf("%s: fields = %v, want %v", what, ve.Fields, fields)
	}
	for _, f := range fields {
		if ve.Fields[f] == "" {
			t.Errorf("%s: no message for %s in %v", what, f, ve.Fields)
		}
	}
}

func TestStoresLifecycle(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		in := manage.StoreInput{ID: "eu", Name: " Europe ", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail},
			Attributes: []storage.AttributeDef{{Name: "tier", Type: storage.AttrEnum, Options: []string{"gold"}, AdminVisible: true}}}
		created, err := e.stores.Create(ctx, admin, in)
		if err != nil || created.ID != "eu" || created.Name != "Europe" || created.Version != 1 {
			t.Fatalf("Create = %+v, %v", created, err)
		}
		entry := e.lastAudit(t, "store.created")
		if entry.TargetID != "eu" || entry.StoreID != "eu" || entry.Role != storage.RoleAdmin || entry.ActorID != admin.ID ||
			entry.Before != "" || !strings.Contains(entry.After, `"name":"Europe"`) || !strings.Contains(entry.After, `"tier"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.stores.Create(ctx, admin, in)
		wantErr(t, "Create with a taken id", err, manage.ErrConflict)

		in.Name = "EU customers"
		renamed, err := e.stores.Update(ctx, admin, "eu", 1, in)
		if err != nil || renamed.Name != "EU customers" || renamed.Version != 2 {
			t.Fatalf("Update = %+v, %v", renamed, err)
		}
		entry = e.lastAudit(t, "store.renamed")
		if !strings.Contains(entry.Before, `"name":"Europe"`) || !strings.Contains(entry.After, `"name":"EU customers"`) {
			t.Errorf("rename entry = %+v", entry)
		}
		in.IdentifierTypes = append(in.IdentifierTypes, storage.IdentifierUsername)
		_, err = e.stores.Update(ctx, admin, "eu", 1, in)
		wantErr(t, "Update at an old version", err, manage.ErrStale)
		if _, err := e.stores.Update(ctx, admin, "eu", 2, in); err != nil {
			t.Fatalf("Update identifier types: %v", err)
		}
		e.lastAudit(t, "store.updated")
		_, err = e.stores.Update(ctx, admin, "nowhere", 1, in)
		wantErr(t, "Update an unknown store", err, manage.ErrNotFound)

		if err := e.s.CreateAccount(ctx, &storage.Account{StoreID: "eu", Email: "a@example.com"}); err != nil {
			t.Fatal(err)
		}
		before := len(e.audit(t))
		wantErr(t, "Delete a store with accounts", e.stores.Delete(ctx, admin, "eu", 3), manage.ErrConflict)
		if len(e.audit(t)) != before {
			t.Errorf("a refused deletion wrote an audit entry")
		}
		e.newStore(t, "empty")
		wantErr(t, "Delete at an old version", e.stores.Delete(ctx, admin, "empty", 5), manage.ErrStale)
		if err := e.stores.Delete(ctx, admin, "empty", 1); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		entry = e.lastAudit(t, "store.deleted")
		if entry.TargetID != "empty" || entry.After != "" || !strings.Contains(entry.Before, `"id":"empty"`) {
			t.Errorf("deletion entry = %+v", entry)
		}
		_, err = e.stores.Get(ctx, admin, "empty")
		wantErr(t, "Get a deleted store", err, manage.ErrNotFound)
	})
}

func TestStoresRefusedActors(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		e.newStore(t, "us")
		in := manage.StoreInput{Name: "X", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}
		euAdmin := grantee(storage.RoleAdmin, "eu")
		for _, a := range []manage.Actor{support, auditor, euAdmin, {Kind: storage.PrincipalAdministrator, ID: "nobody"}} {
			_, err := e.stores.Create(ctx, a, in)
			wantErr(t, a.ID+" Create", err, manage.ErrForbidden)
		}
		// A store the actor may read but not change is refused; one it may
		// not read at all is not there for it.
		for _, c := range []struct {
			a    manage.Actor
			want error
		}{{support, manage.ErrForbidden}, {auditor, manage.ErrForbidden}, {grantee(storage.RoleAdmin, "us"), manage.ErrNotFound}} {
			_, err := e.stores.Update(ctx, c.a, "eu", 1, in)
			wantErr(t, c.a.ID+" Update", err, c.want)
			wantErr(t, c.a.ID+" Delete", e.stores.Delete(ctx, c.a, "eu", 1), c.want)
		}
		if _, err := e.stores.Get(ctx, auditor, "eu"); err != nil {
			t.Errorf("auditor Get: %v", err)
		}
		_, err := e.stores.Get(ctx, euAdmin, "us")
		wantErr(t, "Get outside the grant's stores", err, manage.ErrNotFound)
		_, _, err = e.stores.List(ctx, manage.Actor{Kind: storage.PrincipalClient, ID: "no-grants"}, "", 10)
		wantErr(t, "List without a grant", err, manage.ErrForbidden)
		if n := len(e.audit(t)); n != 2 {
			t.Errorf("refused calls wrote audit entries: %d entries, want the 2 creations", n)
		}
	})
}

func TestStoresValidation(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		_, err := e.stores.Create(ctx, owner, manage.StoreInput{ID: "Bad Id", Name: " ",
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, "fax", storage.IdentifierEmail},
			Attributes:      []storage.AttributeDef{{Name: "ok"}, {Name: "ok", Pattern: "("}, {Name: "n", Type: "money"}}})
		wantFields(t, "Create", err, "id", "name", "identifier_types[1]", "identifier_types[2]",
			"attributes[1].name", "attributes[1].pattern", "attributes[2].type")
		_, err = e.stores.Create(ctx, owner, manage.StoreInput{ID: storage.AdministratorsStoreID, Name: "A"})
		wantFields(t, "Create administrators", err, "id", "identifier_types")
		e.newStore(t, "eu")
		_, err = e.stores.Update(ctx, owner, "eu", 1, manage.StoreInput{Name: strings.Repeat("x", 101),
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierPhone}})
		wantFields(t, "Update", err, "name")
		if got, _ := e.stores.Get(ctx, owner, "eu"); got.Version != 1 {
			t.Errorf("a refused update changed the store: %+v", got)
		}
		if n := len(e.audit(t)); n != 1 {
			t.Errorf("refused input wrote audit entries: %d, want 1", n)
		}
	})
}

// Only owners see or touch the administrators store (for everyone else it
// is not there); nobody deletes it or changes how administrators sign in.
func TestStoresAdministratorsStoreKeptToOwners(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		list, _, err := e.stores.List(ctx, admin, "", 0)
		if err != nil || len(list) != 1 || list[0].ID != "eu" {
			t.Errorf("admin's List = %+v, %v; want eu only", list, err)
		}
		list, _, err = e.stores.List(ctx, owner, "", 0)
		if err != nil || len(list) != 2 {
			t.Errorf("owner's List = %+v, %v; want both stores", list, err)
		}
		in := manage.StoreInput{Name: "Admins", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}
		for _, a := range []manage.Actor{admin, auditor, support, grantee(storage.RoleAdmin, storage.AdministratorsStoreID)} {
			_, err := e.stores.Get(ctx, a, storage.AdministratorsStoreID)
			wantErr(t, a.ID+" Get administrators", err, manage.ErrNotFound)
			_, err = e.stores.Update(ctx, a, storage.AdministratorsStoreID, 1, in)
			wantErr(t, a.ID+" Update administrators", err, manage.ErrNotFound)
			_, _, err = e.groups.List(ctx, a, storage.AdministratorsStoreID, "", 10)
			wantErr(t, a.ID+" list its groups", err, manage.ErrNotFound)
		}
		if _, err := e.stores.Update(ctx, owner, storage.AdministratorsStoreID, 1, in); err != nil {
			t.Errorf("owner renames the administrators store: %v", err)
		}
		in.IdentifierTypes = []storage.IdentifierType{storage.IdentifierUsername}
		_, err = e.stores.Update(ctx, owner, storage.AdministratorsStoreID, 2, in)
		wantFields(t, "change its identifier types", err, "identifier_types")
		for _, a := range []manage.Actor{owner, manage.System()} {
			wantErr(t, "Delete administrators", e.stores.Delete(ctx, a, storage.AdministratorsStoreID, 0), manage.ErrForbidden)
		}
	})
}

// A limited actor's pages hold only its stores, and paging skips the
// others without ending early.
func TestStoresListFiltersAndPages(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
			e.newStore(t, id)
		}
		limited := grantee(storage.RoleSupport, "b", "d", "f")
		first, more, err := e.stores.List(ctx, limited, "", 2)
		if err != nil || len(first) != 2 || first[0].ID != "b" || first[1].ID != "d" || !more {
			t.Fatalf("first page = %+v, more %v, %v", first, more, err)
		}
		rest, more, err := e.stores.List(ctx, limited, "d", 2)
		if err != nil || len(rest) != 1 || rest[0].ID != "f" || more {
			t.Fatalf("second page = %+v, more %v, %v", rest, more, err)
		}
		all, more, err := e.stores.List(ctx, admin, "", 6)
		if err != nil || len(all) != 6 || more {
			t.Errorf("a full page = %d stores, more %v, %v", len(all), more, err)
		}
	})
}
