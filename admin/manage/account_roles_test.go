package manage_test

import (
	"context"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// accountRolesEnv is a store "eu" with organizations Acme and Globex, roles
// Admin and Viewer and an account, and a store "us" with an organization,
// a role and an account of its own.
type accountRolesEnv struct {
	*configEnv
	svc                     *manage.AccountRoles
	acct, usAcct            *storage.Account
	acme, globex, usOrg     *manage.Organization
	adminRole, viewer, usRl *manage.Role
}

func newAccountRolesEnv(t *testing.T, e *configEnv) *accountRolesEnv {
	t.Helper()
	ctx := t.Context()
	e.newStore(t, "eu")
	e.newStore(t, "us")
	r := &accountRolesEnv{configEnv: e, svc: manage.NewAccountRoles(manage.NewCore(e.s, nil), e.s)}
	org := func(store, name string) *manage.Organization {
		o, err := e.orgs.Create(ctx, owner, store, manage.OrganizationInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	role := func(store, name string) *manage.Role {
		rl, err := e.roles.Create(ctx, owner, store, manage.RoleInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return rl
	}
	r.globex, r.acme, r.usOrg = org("eu", "Globex"), org("eu", "Acme"), org("us", "US Org")
	r.viewer, r.adminRole, r.usRl = role("eu", "Viewer"), role("eu", "Admin"), role("us", "US Role")
	r.acct = &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "c@example.com"}
	r.usAcct = &storage.Account{StoreID: "us", Status: storage.AccountEnabled, Email: "c@example.com"}
	for _, a := range []*storage.Account{r.acct, r.usAcct} {
		if err := e.s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func (r *accountRolesEnv) assign(ctx context.Context, a manage.Actor, o *manage.Organization, rl *manage.Role) error {
	_, err := r.svc.Assign(ctx, a, "eu", r.acct.ID, manage.RoleAssignment{OrganizationID: o.ID, RoleID: rl.ID})
	return err
}

func TestAccountRolesAssignAndRemove(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		r := newAccountRolesEnv(t, e)
		got, err := r.svc.Assign(ctx, support, "eu", r.acct.ID, manage.RoleAssignment{OrganizationID: " " + r.globex.ID, RoleID: r.viewer.ID})
		if err != nil || got.OrganizationName != "Globex" || got.RoleName != "Viewer" || got.CreatedAt.IsZero() {
			t.Fatalf("support Assign = %+v, %v", got, err)
		}
		entry := r.lastAudit(t, "account.role_assigned")
		if entry.TargetType != "account" || entry.TargetID != r.acct.ID || entry.StoreID != "eu" || entry.Role != storage.RoleSupport ||
			!strings.Contains(entry.After, `"organization":"Globex"`) || !strings.Contains(entry.After, `"role":"Viewer"`) || entry.Before != "" {
			t.Errorf("audit entry = %+v", entry)
		}
		for _, p := range [][2]any{{r.acme, r.adminRole}, {r.globex, r.adminRole}} {
			if err := r.assign(ctx, support, p[0].(*manage.Organization), p[1].(*manage.Role)); err != nil {
				t.Fatal(err)
			}
		}
		wantErr(t, "Assign a pair held", r.assign(ctx, support, r.globex, r.viewer), manage.ErrConflict)
		list, err := r.svc.List(ctx, auditor, "eu", r.acct.ID)
		if err != nil || len(list) != 3 || list[0].OrganizationName != "Acme" || list[1].RoleName != "Admin" || list[2].RoleName != "Viewer" {
			t.Fatalf("auditor List = %+v, %v", list, err)
		}

		if err := r.svc.Remove(ctx, support, "eu", r.acct.ID, r.globex.ID, r.adminRole.ID); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		entry = r.lastAudit(t, "account.role_removed")
		if entry.TargetID != r.acct.ID || !strings.Contains(entry.Before, `"role":"Admin"`) ||
			!strings.Contains(entry.Before, `"organization":"Globex"`) || entry.After != "" {
			t.Errorf("removal entry = %+v", entry)
		}
		wantErr(t, "Remove again", r.svc.Remove(ctx, support, "eu", r.acct.ID, r.globex.ID, r.adminRole.ID), manage.ErrNotFound)
		if list, _ := r.svc.List(ctx, support, "eu", r.acct.ID); len(list) != 2 {
			t.Errorf("after Remove: %+v", list)
		}
	})
}

func TestAccountRolesRefusals(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		r := newAccountRolesEnv(t, e)
		before := len(r.audit(t))
		usSupport := grantee(storage.RoleSupport, "us")
		wantErr(t, "auditor Assign", r.assign(ctx, auditor, r.acme, r.viewer), manage.ErrForbidden)
		wantErr(t, "support of another store Assign", r.assign(ctx, usSupport, r.acme, r.viewer), manage.ErrForbidden)
		_, err := r.svc.List(ctx, usSupport, "eu", r.acct.ID)
		wantErr(t, "support of another store List", err, manage.ErrForbidden)
		_, err = r.svc.List(ctx, support, "us", r.acct.ID)
		wantErr(t, "List through another store", err, manage.ErrNotFound)
		_, err = r.svc.Assign(ctx, support, "eu", r.usAcct.ID, manage.RoleAssignment{OrganizationID: r.acme.ID, RoleID: r.viewer.ID})
		wantErr(t, "Assign to another store's account", err, manage.ErrNotFound)
		wantFields(t, "Assign another store's organization", r.assign(ctx, support, r.usOrg, r.viewer), "organization_id")
		wantFields(t, "Assign another store's role", r.assign(ctx, support, r.acme, r.usRl), "role_id")
		_, err = r.svc.Assign(ctx, support, "eu", r.acct.ID, manage.RoleAssignment{})
		wantFields(t, "Assign nothing", err, "organization_id", "role_id")
		wantErr(t, "auditor Remove", r.svc.Remove(ctx, auditor, "eu", r.acct.ID, r.acme.ID, r.viewer.ID), manage.ErrForbidden)
		_, _, err = r.svc.AddMembership(ctx, auditor, "eu", r.acct.ID, r.acme.ID)
		wantErr(t, "auditor AddMembership", err, manage.ErrForbidden)
		_, _, err = r.svc.AddMembership(ctx, usSupport, "eu", r.acct.ID, r.acme.ID)
		wantErr(t, "support of another store AddMembership", err, manage.ErrForbidden)
		_, _, err = r.svc.AddMembership(ctx, support, "eu", r.acct.ID, r.usOrg.ID)
		wantErr(t, "AddMembership of another store's organization", err, manage.ErrNotFound)
		wantErr(t, "RemoveMembership of no member", r.svc.RemoveMembership(ctx, support, "eu", r.acct.ID, r.acme.ID), manage.ErrNotFound)

		// The administrators store's accounts are out of reach.
		adm := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: "a@example.com"}
		if err := r.s.CreateAccount(ctx, adm); err != nil {
			t.Fatal(err)
		}
		_, err = r.svc.List(ctx, owner, storage.AdministratorsStoreID, adm.ID)
		wantErr(t, "List an administrator's roles", err, manage.ErrNotFound)

		if list, _ := r.svc.List(ctx, support, "eu", r.acct.ID); len(list) != 0 {
			t.Errorf("refusals left pairs %+v", list)
		}
		if orgs, _ := r.svc.Organizations(ctx, support, "eu", r.acct.ID); len(orgs) != 0 {
			t.Errorf("refusals left memberships %+v", orgs)
		}
		if after := len(r.audit(t)); after != before {
			t.Errorf("refusals wrote %d audit entries", after-before)
		}
	})
}

func TestAccountMemberships(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		r := newAccountRolesEnv(t, e)
		m, added, err := r.svc.AddMembership(ctx, support, "eu", r.acct.ID, r.globex.ID)
		if err != nil || !added || m.OrganizationName != "Globex" {
			t.Fatalf("AddMembership = %+v, %v, %v", m, added, err)
		}
		entry := r.lastAudit(t, "account.membership_added")
		if entry.TargetID != r.acct.ID || !strings.Contains(entry.After, `"organization":"Globex"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		count := len(r.audit(t))
		m, added, err = r.svc.AddMembership(ctx, support, "eu", r.acct.ID, r.globex.ID)
		if err != nil || added || m.OrganizationID != r.globex.ID {
			t.Fatalf("AddMembership again = %+v, %v, %v; want no change", m, added, err)
		}
		if len(r.audit(t)) != count {
			t.Error("adding a member again wrote an audit entry")
		}
		if _, _, err := r.svc.AddMembership(ctx, support, "eu", r.acct.ID, r.acme.ID); err != nil {
			t.Fatal(err)
		}
		orgs, err := r.svc.Organizations(ctx, auditor, "eu", r.acct.ID)
		if err != nil || len(orgs) != 2 || orgs[0].OrganizationName != "Acme" || orgs[1].OrganizationName != "Globex" {
			t.Fatalf("Organizations = %+v, %v", orgs, err)
		}
		// A role in an organization is kept when the membership ends.
		if err := r.assign(ctx, support, r.acme, r.viewer); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.RemoveMembership(ctx, support, "eu", r.acct.ID, r.acme.ID); err != nil {
			t.Fatalf("RemoveMembership: %v", err)
		}
		entry = r.lastAudit(t, "account.membership_removed")
		if !strings.Contains(entry.Before, `"organization":"Acme"`) || entry.After != "" {
			t.Errorf("removal entry = %+v", entry)
		}
		if list, _ := r.svc.List(ctx, support, "eu", r.acct.ID); len(list) != 1 {
			t.Errorf("roles after the membership ended = %+v", list)
		}
		if orgs, _ := r.svc.Organizations(ctx, support, "eu", r.acct.ID); len(orgs) != 1 || orgs[0].OrganizationID != r.globex.ID {
			t.Errorf("memberships after removal = %+v", orgs)
		}
	})
}
