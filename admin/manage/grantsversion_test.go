package manage_test

import (
	"errors"
	"sync"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// A change at a stale version is ErrStale and changes nothing (no audit
// entry either); at the current version it succeeds and the version
// moves; version 0 (the CLI's) skips the check.
func TestAdministratorsVersion(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		inv, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "v@example.com",
			Grants: []manage.Grant{{Role: storage.RoleAdmin}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.admins.Get(ctx, e.owner, inv.ID)
		if err != nil || got.Version < 1 || got.Version != inv.Version {
			t.Fatalf("Get = %+v, %v; Invite's version %d", got, err, inv.Version)
		}
		stale := got.Version + 1
		before := e.auditCount(t)
		support := []manage.Grant{{Role: storage.RoleSupport, StoreIDs: []string{"eu"}}}
		if _, err := e.admins.SetRoles(ctx, e.owner, inv.ID, stale, support); !errors.Is(err, manage.ErrStale) {
			t.Errorf("SetRoles at a stale version = %v, want ErrStale", err)
		}
		if _, err := e.admins.Disable(ctx, e.owner, inv.ID, stale); !errors.Is(err, manage.ErrStale) {
			t.Errorf("Disable at a stale version = %v, want ErrStale", err)
		}
		if _, err := e.admins.Enable(ctx, e.owner, inv.ID, stale); !errors.Is(err, manage.ErrStale) {
			t.Errorf("Enable at a stale version = %v, want ErrStale", err)
		}
		if err := e.admins.Remove(ctx, e.owner, inv.ID, stale); !errors.Is(err, manage.ErrStale) {
			t.Errorf("Remove at a stale version = %v, want ErrStale", err)
		}
		if now, err := e.admins.Get(ctx, e.owner, inv.ID); err != nil || now.Version != got.Version ||
			now.Status != storage.AccountEnabled || now.Grants[0].Role != storage.RoleAdmin {
			t.Errorf("after the stale changes = %+v, %v", now, err)
		}
		if e.auditCount(t) != before {
			t.Error("a stale change wrote an audit entry")
		}

		set, err := e.admins.SetRoles(ctx, e.owner, inv.ID, got.Version, support)
		if err != nil || set.Version == got.Version || set.Grants[0].Role != storage.RoleSupport {
			t.Fatalf("SetRoles at the current version = %+v, %v", set, err)
		}
		if now, _ := e.admins.Get(ctx, e.owner, inv.ID); now == nil || now.Version != set.Version {
			t.Errorf("Get after SetRoles = %+v, want version %d", now, set.Version)
		}
		if _, err := e.admins.SetRoles(ctx, e.owner, inv.ID, got.Version, support); !errors.Is(err, manage.ErrStale) {
			t.Errorf("SetRoles at the version before = %v, want ErrStale", err)
		}
		disabled, err := e.admins.Disable(ctx, e.owner, inv.ID, set.Version)
		if err != nil || disabled.Version == set.Version || disabled.Status != storage.AccountDisabled {
			t.Fatalf("Disable at the current version = %+v, %v", disabled, err)
		}
		if _, err := e.admins.Enable(ctx, e.owner, inv.ID, set.Version); !errors.Is(err, manage.ErrStale) {
			t.Errorf("Enable at the version before Disable = %v, want ErrStale", err)
		}
		enabled, err := e.admins.Enable(ctx, manage.System(), inv.ID, 0)
		if err != nil || enabled.Status != storage.AccountEnabled || enabled.Version != set.Version {
			t.Fatalf("Enable at version 0 = %+v, %v (back to the state of version %d)", enabled, err, set.Version)
		}
		if err := e.admins.Remove(ctx, e.owner, inv.ID, enabled.Version); err != nil {
			t.Fatalf("Remove at the current version: %v", err)
		}
		if _, err := e.admins.Get(ctx, e.owner, inv.ID); !errors.Is(err, manage.ErrNotFound) {
			t.Errorf("Get after Remove = %v", err)
		}
	})
}

// The version depends on what the grants say, not on their order.
func TestAdministratorsVersionIgnoresOrder(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		if err := e.s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "us", Name: "us",
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		a, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "a@example.com", Grants: []manage.Grant{
			{Role: storage.RoleAuditor}, {Role: storage.RoleSupport, StoreIDs: []string{"eu", "us"}}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.admins.SetRoles(ctx, e.owner, a.ID, a.Version, []manage.Grant{
			{Role: storage.RoleSupport, StoreIDs: []string{"us", "eu"}}, {Role: storage.RoleAuditor}})
		if err != nil || got.Version != a.Version {
			t.Errorf("the same grants reordered: version %d, was %d (%v)", got.Version, a.Version, err)
		}
		other, err := e.admins.SetRoles(ctx, e.owner, a.ID, got.Version, []manage.Grant{
			{Role: storage.RoleSupport, StoreIDs: []string{"us"}}, {Role: storage.RoleAuditor}})
		if err != nil || other.Version == got.Version {
			t.Errorf("other grants: version %d, was %d (%v)", other.Version, got.Version, err)
		}
	})
}

// Two owners change one administrator's roles at once from the same
// version: exactly one change wins, the others are ErrStale, and the
// roles are the winner's.
func TestAdministratorsConcurrentSetRoles(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		second, err := e.admins.Create(ctx, e.owner, manage.NewAdministrator{Email: "second@example.com",
			Password: "second-password", Grants: []manage.Grant{{Role: storage.RoleOwner}}})
		if err != nil {
			t.Fatal(err)
		}
		target, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "t@example.com",
			Grants: []manage.Grant{{Role: storage.RoleAdmin}}})
		if err != nil {
			t.Fatal(err)
		}
		// Eight changes rather than two make the race likelier to show;
		// none keeps the role the target has (that would keep its version).
		type change struct {
			by   manage.Actor
			role storage.AdminRole
		}
		var changes []change
		roles := []storage.AdminRole{storage.RoleOwner, storage.RoleSupport, storage.RoleAuditor}
		for i := range 4 {
			changes = append(changes, change{e.owner, roles[i%3]}, change{e.actor(t, second.ID), roles[(i+1)%3]})
		}
		var wg sync.WaitGroup
		results := make([]*manage.Administrator, len(changes))
		errs := make([]error, len(changes))
		for i, c := range changes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.admins.SetRoles(ctx, c.by, target.ID, target.Version, []manage.Grant{{Role: c.role}})
			}()
		}
		wg.Wait()
		winner, won := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				winner, won = i, won+1
			case !errors.Is(err, manage.ErrStale):
				t.Errorf("SetRoles = %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d SetRoles succeeded (%v); want exactly one", won, len(changes), errs)
		}
		now, err := e.admins.Get(ctx, e.owner, target.ID)
		if err != nil || len(now.Grants) != 1 || now.Grants[0].Role != changes[winner].role || now.Version != results[winner].Version {
			t.Errorf("after the race = %+v, %v; winner set %s", now, err, changes[winner].role)
		}
	})
}

// A client's roles carry their own version, checked like an
// administrator's.
func TestClientRolesVersion(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		if err := e.s.CreateApplication(ctx, &storage.Application{ID: "shop", StoreID: "eu", Name: "Shop"}); err != nil {
			t.Fatal(err)
		}
		client := &storage.Client{ApplicationID: "shop", Name: "robot"}
		if err := e.s.CreateClient(ctx, client); err != nil {
			t.Fatal(err)
		}
		clients := manage.NewClients(e.core, e.s, nil)
		none, err := clients.Roles(ctx, e.owner, client.ID)
		if err != nil || len(none.Grants) != 0 || none.Version < 1 {
			t.Fatalf("Roles = %+v, %v", none, err)
		}
		auditor := []manage.Grant{{Role: storage.RoleAuditor, StoreIDs: []string{"eu"}}}
		before := e.auditCount(t)
		if _, err := clients.SetRoles(ctx, e.owner, client.ID, none.Version+1, auditor); !errors.Is(err, manage.ErrStale) {
			t.Errorf("SetRoles at a stale version = %v, want ErrStale", err)
		}
		if now, err := clients.Roles(ctx, e.owner, client.ID); err != nil || len(now.Grants) != 0 || e.auditCount(t) != before {
			t.Errorf("a stale SetRoles changed %+v (%v) or wrote an audit entry", now, err)
		}
		set, err := clients.SetRoles(ctx, e.owner, client.ID, none.Version, auditor)
		if err != nil || len(set.Grants) != 1 || set.Version == none.Version {
			t.Fatalf("SetRoles at the current version = %+v, %v", set, err)
		}
		if _, err := clients.SetRoles(ctx, e.owner, client.ID, none.Version, nil); !errors.Is(err, manage.ErrStale) {
			t.Errorf("SetRoles at the version before = %v, want ErrStale", err)
		}
		if cleared, err := clients.SetRoles(ctx, manage.System(), client.ID, 0, nil); err != nil || len(cleared.Grants) != 0 || cleared.Version != none.Version {
			t.Errorf("SetRoles at version 0 = %+v, %v", cleared, err)
		}
		if _, err := clients.SetRoles(ctx, e.owner, "nobody", 1, auditor); !errors.Is(err, manage.ErrNotFound) {
			t.Errorf("SetRoles of no client = %v, want ErrNotFound", err)
		}
	})
}

// The version is a JSON-safe positive integer (below 2^53) whatever the
// grants.
func TestAdministratorVersionRange(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		for _, role := range storage.AdminRoles {
			got, err := e.admins.Create(t.Context(), manage.System(), manage.NewAdministrator{Email: string(role) + "@example.com",
				Password: "a-long-password", Grants: []manage.Grant{{Role: role, StoreIDs: []string{"eu"}}}})
			if err != nil {
				t.Fatalf("Create %s: %v", role, err)
			}
			if got.Version < 1 || got.Version >= 1<<53 {
				t.Errorf("%s: version %d", role, got.Version)
			}
		}
	})
}
