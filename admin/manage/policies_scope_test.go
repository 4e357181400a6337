package manage_test

import (
	"slices"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// A policy is shared by the stores, its users are not: an actor limited
// to some stores sees, of the applications using a policy, only those of
// its stores (another tenant's application ids are not its to learn).
func TestPolicyApplicationsOfOtherStoresHidden(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		p, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicyMFA, Name: "Strict", MFA: strictMFA()})
		if err != nil {
			t.Fatal(err)
		}
		eu, us := appCreate(t, e, "eu", "Shop"), appCreate(t, e, "us", "Secret project")
		for _, app := range []manage.ApplicationView{eu, us} {
			if _, err := e.apps.AssignPolicy(ctx, manage.System(), app.ID, storage.PolicyMFA, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		limited := appAdmin(storage.RoleAuditor, "eu")
		got, err := e.policies.Get(ctx, limited, p.ID)
		if err != nil || !slices.Equal(got.Applications, []string{eu.ID}) {
			t.Errorf("Get by an eu auditor: applications %v, %v; want [%s]", got.Applications, err, eu.ID)
		}
		list, err := e.policies.List(ctx, limited, storage.PolicyMFA, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range list {
			if slices.Contains(v.Applications, us.ID) {
				t.Errorf("List by an eu auditor shows %s's application %s of us", v.Name, us.ID)
			}
		}
		all, err := e.policies.Get(ctx, appAdmin(storage.RoleAuditor), p.ID)
		if err != nil || len(all.Applications) != 2 {
			t.Errorf("Get by an auditor of every store: applications %v, %v", all.Applications, err)
		}
	})
}
