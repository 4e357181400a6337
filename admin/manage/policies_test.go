package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

func strictMFA() *storage.MFAPolicy {
	return &storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP, storage.MethodPasskey}}
}

// A change of a shared policy reaches every application using it, read
// back through the GetApplication the authorization path uses.
func TestPolicyChangeReachesEveryApplication(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		owner := appAdmin(storage.RoleAdmin)
		p, err := e.policies.Create(ctx, owner, manage.PolicyInput{Kind: storage.PolicyMFA, Name: "Strict", MFA: strictMFA()})
		if err != nil {
			t.Fatal(err)
		}
		if entry := e.lastAudit(t); entry.Action != "policy.created" || entry.TargetID != p.ID || entry.StoreID != "" {
			t.Errorf("audit entry = %+v", entry)
		}
		a, b, c := appCreate(t, e, "eu", "A"), appCreate(t, e, "us", "B"), appCreate(t, e, "eu", "C")
		for _, app := range []manage.ApplicationView{a, b} {
			v, err := e.apps.AssignPolicy(ctx, owner, app.ID, storage.PolicyMFA, p.ID)
			if err != nil || v.Policies["mfa"] != p.ID || v.Version != 2 {
				t.Fatalf("AssignPolicy = %+v, %v", v, err)
			}
		}
		if entry := e.lastAudit(t); entry.Action != "policy.assigned" || entry.TargetID != b.ID || entry.StoreID != "us" {
			t.Errorf("audit entry = %+v", entry)
		}
		passwordless := &storage.MFAPolicy{Mode: storage.MFAOptional, Methods: []string{storage.MethodPasskey}, Passwordless: true}
		got, err := e.policies.Update(ctx, owner, p.ID, 1, manage.PolicyInput{Name: "Passkeys", MFA: passwordless})
		if err != nil || got.Version != 2 || got.Name != "Passkeys" || len(got.Applications) != 2 {
			t.Fatalf("Update = %+v, %v", got, err)
		}
		for _, app := range []manage.ApplicationView{a, b} {
			stored, err := e.s.GetApplication(ctx, app.ID)
			if err != nil || !stored.MFA.Passwordless || stored.MFA.Mode != storage.MFAOptional {
				t.Errorf("%s reads MFA %+v, %v: want the changed policy", app.Name, stored.MFA, err)
			}
		}
		if stored, _ := e.s.GetApplication(ctx, c.ID); stored.MFA.Mode != storage.MFAOff {
			t.Errorf("an application on the Default changed: %+v", stored.MFA)
		}
		entry := e.lastAudit(t)
		if entry.Action != "policy.updated" || !strings.Contains(entry.Before, `"name":"Strict"`) || !strings.Contains(entry.After, `"passwordless":true`) {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.policies.Update(ctx, owner, p.ID, 1, manage.PolicyInput{Name: "Again"})
		appWantIs(t, "stale", err, manage.ErrStale)
		_, err = e.policies.Update(ctx, owner, "missing", 1, manage.PolicyInput{Name: "Again"})
		appWantIs(t, "missing", err, manage.ErrNotFound)
		// A rename alone keeps the body.
		renamed, err := e.policies.Update(ctx, owner, p.ID, 2, manage.PolicyInput{Name: "Renamed"})
		if err != nil || !renamed.MFA.Passwordless {
			t.Errorf("rename = %+v, %v", renamed, err)
		}
	})
}

func TestPoliciesRefused(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		got := appFields(t, func() error {
			_, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicyMFA, Name: " ",
				MFA: &storage.MFAPolicy{Mode: "sometimes"}, Portal: &storage.PortalPolicy{}})
			return err
		}())
		for _, f := range []string{"name", "mfa", "portal"} {
			if got[f] == "" {
				t.Errorf("no problem for %s in %v", f, got)
			}
		}
		got = appFields(t, func() error {
			_, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: "colour", Name: "x"})
			return err
		}())
		if got["kind"] == "" {
			t.Errorf("unknown kind: %v", got)
		}
		bad := map[storage.PolicyKind]manage.PolicyInput{
			storage.PolicySelfService: {SelfService: &storage.SelfServicePolicy{ResetLinkLifetime: 1}},
			storage.PolicyConsent:     {Consent: &[]storage.ConsentDocument{{Name: "Terms", Version: ""}}},
			storage.PolicyPortal:      {Portal: &storage.PortalPolicy{Groups: []string{"no spaces"}}},
		}
		for k, in := range bad {
			in.Kind, in.Name = k, "Bad"
			_, err := e.policies.Create(ctx, manage.System(), in)
			if appFields(t, err)[string(k)] == "" {
				t.Errorf("%s: %v", k, err)
			}
		}
		in := manage.PolicyInput{Kind: storage.PolicyMFA, Name: "Strict", MFA: strictMFA()}
		for _, a := range []manage.Actor{appAdmin(storage.RoleAdmin, "eu"), appAdmin(storage.RoleAuditor), appAdmin(storage.RoleSupport)} {
			_, err := e.policies.Create(ctx, a, in)
			appWantIs(t, "create by a store-limited or read-only actor", err, manage.ErrForbidden)
		}
		if _, err := e.policies.Create(ctx, manage.System(), in); err != nil {
			t.Fatal(err)
		}
		in.Name = "STRICT"
		_, err := e.policies.Create(ctx, manage.System(), in)
		appWantIs(t, "a taken name in another case", err, manage.ErrConflict)
		// Reading needs ReadConfig somewhere, even limited to one store.
		list, err := e.policies.List(ctx, appAdmin(storage.RoleSupport, "eu"), storage.PolicyMFA, "", 10)
		if err != nil || len(list) != 2 {
			t.Errorf("List by an eu support = %d, %v", len(list), err)
		}
		_, err = e.policies.List(ctx, manage.Actor{Kind: storage.PrincipalClient, ID: "c"}, "", "", 10)
		appWantIs(t, "List without roles", err, manage.ErrForbidden)
	})
}

// A policy is checked against the identity store of every application
// that uses it or is about to.
func TestPolicyMustFitTheApplicationsStores(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		ss := storage.DefaultSelfServicePolicy()
		ss.ActivationEnabled = true
		withActivation, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicySelfService, Name: "Activate", SelfService: &ss})
		if err != nil {
			t.Fatal(err)
		}
		usernames := appCreate(t, e, "names", "Usernames")
		_, err = e.apps.AssignPolicy(ctx, manage.System(), usernames.ID, storage.PolicySelfService, withActivation.ID)
		if appFields(t, err)["policy_id"] == "" {
			t.Errorf("activation assigned to a username-only store's application: %v", err)
		}
		_, err = e.apps.AssignPolicy(ctx, manage.System(), usernames.ID, storage.PolicyMFA, withActivation.ID)
		if appFields(t, err)["policy_id"] == "" {
			t.Errorf("a self-service policy assigned as MFA: %v", err)
		}
		ss.ActivationEnabled = false
		off, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicySelfService, Name: "Off", SelfService: &ss})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.apps.AssignPolicy(ctx, manage.System(), usernames.ID, storage.PolicySelfService, off.ID); err != nil {
			t.Fatal(err)
		}
		ss.ActivationEnabled = true
		_, err = e.policies.Update(ctx, manage.System(), off.ID, 1, manage.PolicyInput{Name: "Off", SelfService: &ss})
		if msg := appFields(t, err)["self_service"]; !strings.Contains(msg, usernames.ID) {
			t.Errorf("update breaking an application's store: %v", err)
		}
		portal, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicyPortal, Name: "Gold",
			Portal: &storage.PortalPolicy{LauncherEnabled: true, Groups: []string{"gold"}}})
		if err != nil {
			t.Fatal(err)
		}
		eu := appCreate(t, e, "eu", "EU")
		_, err = e.apps.AssignPolicy(ctx, manage.System(), eu.ID, storage.PolicyPortal, portal.ID)
		if appFields(t, err)["policy_id"] == "" {
			t.Errorf("a group the store lacks: %v", err)
		}
		if err := e.s.CreateGroup(ctx, &storage.Group{StoreID: "eu", Name: "gold"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.apps.AssignPolicy(ctx, manage.System(), eu.ID, storage.PolicyPortal, portal.ID); err != nil {
			t.Fatal(err)
		}
		ps, err := e.s.GetPortalSettings(ctx, eu.ID)
		if err != nil || !ps.LauncherEnabled || len(ps.Groups) != 1 {
			t.Errorf("portal settings after assignment = %+v, %v", ps, err)
		}
	})
}

func TestPolicyDeleteAndDefault(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		p, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicyMFA, Name: "Strict", MFA: strictMFA()})
		if err != nil {
			t.Fatal(err)
		}
		app := appCreate(t, e, "eu", "A")
		if _, err := e.apps.AssignPolicy(ctx, manage.System(), app.ID, storage.PolicyMFA, p.ID); err != nil {
			t.Fatal(err)
		}
		appWantIs(t, "delete assigned", e.policies.Delete(ctx, manage.System(), p.ID, 1), manage.ErrConflict)
		old, _ := e.s.GetDefaultPolicy(ctx, storage.PolicyMFA)
		appWantIs(t, "delete the Default", e.policies.Delete(ctx, manage.System(), old.ID, old.Version), manage.ErrConflict)
		_, err = e.policies.SetDefault(ctx, appAdmin(storage.RoleAdmin, "eu"), p.ID)
		appWantIs(t, "SetDefault store-limited", err, manage.ErrForbidden)
		d, err := e.policies.SetDefault(ctx, appAdmin(storage.RoleOwner), p.ID)
		if err != nil || !d.IsDefault {
			t.Fatalf("SetDefault = %+v, %v", d, err)
		}
		if entry := e.lastAudit(t); entry.Action != "policy.default_set" || !strings.Contains(entry.Before, old.ID) {
			t.Errorf("audit entry = %+v", entry)
		}
		if fresh := appCreate(t, e, "us", "New"); fresh.Policies["mfa"] != p.ID {
			t.Errorf("a new application got MFA policy %q, want the new Default", fresh.Policies["mfa"])
		}
		// The old Default, now unused by new applications and assigned to
		// none, may go.
		old, _ = e.s.GetPolicy(ctx, old.ID)
		if err := e.policies.Delete(ctx, manage.System(), old.ID, old.Version); err != nil {
			t.Fatalf("delete the former Default: %v", err)
		}
		if entry := e.lastAudit(t); entry.Action != "policy.deleted" || entry.TargetID != old.ID {
			t.Errorf("audit entry = %+v", entry)
		}
	})
}

// Setting an application's policy through the application (the CLI's
// "app mfa set") is copy on write.
func TestSetOwnPolicyCopiesOnWrite(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		a, b := appCreate(t, e, "eu", "A"), appCreate(t, e, "eu", "B")
		own, err := e.apps.SetOwnPolicy(ctx, manage.System(), a.ID, storage.Policy{Kind: storage.PolicyMFA, MFA: *strictMFA()})
		if err != nil || own.IsDefault || own.Name != "A ("+a.ID+")" {
			t.Fatalf("SetOwnPolicy = %+v, %v", own, err)
		}
		if stored, _ := e.s.GetApplication(ctx, b.ID); stored.MFA.Mode != storage.MFAOff {
			t.Errorf("B, on the Default, changed: %+v", stored.MFA)
		}
		if entry := e.lastAudit(t); entry.Action != "application.policy_set" || entry.TargetID != a.ID {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.apps.SetOwnPolicy(ctx, manage.System(), a.ID, storage.Policy{Kind: storage.PolicyMFA, MFA: storage.MFAPolicy{Mode: "x"}})
		if appFields(t, err)["mfa"] == "" {
			t.Errorf("invalid body: %v", err)
		}
		appWantIs(t, "SetSlug taken", func() error {
			if err := e.apps.SetSlug(ctx, manage.System(), a.ID, "shop"); err != nil {
				t.Fatal(err)
			}
			return e.apps.SetSlug(ctx, manage.System(), b.ID, "Shop")
		}(), manage.ErrConflict)
		if appFields(t, e.apps.SetSlug(ctx, manage.System(), b.ID, "-bad-"))["slug"] == "" {
			t.Error("bad slug accepted")
		}
	})
}

// Publishing a new version of a document through a shared consent policy
// ends the acceptances of the old one in the stores of its applications.
func TestConsentPolicyChangeOutdatesAcceptances(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		acct := &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "c@example.com"}
		if err := e.s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		docs := []storage.ConsentDocument{{Name: "terms_of_service", Version: "1", Required: true}}
		p, err := e.policies.Create(ctx, manage.System(), manage.PolicyInput{Kind: storage.PolicyConsent, Name: "Terms", Consent: &docs})
		if err != nil {
			t.Fatal(err)
		}
		app := appCreate(t, e, "eu", "A")
		if _, err := e.apps.AssignPolicy(ctx, manage.System(), app.ID, storage.PolicyConsent, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: acct.ID, Consent: "terms_of_service", Version: "1", GrantedAt: e.now()}); err != nil {
			t.Fatal(err)
		}
		rename := manage.PolicyInput{Name: "Terms v1"}
		if _, err := e.policies.Update(ctx, manage.System(), p.ID, 1, rename); err != nil {
			t.Fatal(err)
		}
		if recs, _ := e.s.ListConsents(ctx, acct.ID); len(recs) != 1 || !recs[0].Active() {
			t.Fatalf("a rename ended acceptances: %+v", recs)
		}
		v2 := []storage.ConsentDocument{{Name: "terms_of_service", Version: "2", Required: true}}
		if _, err := e.policies.Update(ctx, manage.System(), p.ID, 2, manage.PolicyInput{Name: "Terms", Consent: &v2}); err != nil {
			t.Fatal(err)
		}
		recs, err := e.s.ListConsents(ctx, acct.ID)
		if err != nil || len(recs) != 1 || recs[0].OutdatedAt == nil {
			t.Fatalf("after publishing version 2 the records are %+v, %v; want version 1 ended", recs, err)
		}
		if stored, _ := e.s.GetApplication(ctx, app.ID); stored.Consents[0].Version != "2" {
			t.Errorf("application reads %+v", stored.Consents)
		}
	})
}

// The admin console's application keeps an MFA policy that requires a
// second factor, whichever way one would weaken it.
func TestConsoleApplicationKeepsRequiredMFA(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		if _, err := e.apps.Create(ctx, manage.System(), manage.ApplicationInput{ID: manage.ConsoleApplicationID, StoreID: "eu", Name: "Admin console"}); err != nil {
			t.Fatal(err)
		}
		required, err := e.apps.SetOwnPolicy(ctx, manage.System(), manage.ConsoleApplicationID, storage.Policy{Kind: storage.PolicyMFA, MFA: *strictMFA()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.apps.SetOwnPolicy(ctx, manage.System(), manage.ConsoleApplicationID, storage.Policy{Kind: storage.PolicyMFA, MFA: storage.DefaultMFAPolicy()})
		if appFields(t, err)["mfa"] == "" {
			t.Errorf("set off: %v", err)
		}
		d, _ := e.s.GetDefaultPolicy(ctx, storage.PolicyMFA)
		_, err = e.apps.AssignPolicy(ctx, manage.System(), manage.ConsoleApplicationID, storage.PolicyMFA, d.ID)
		if appFields(t, err)["policy_id"] == "" {
			t.Errorf("assign the Default (off): %v", err)
		}
		_, err = e.policies.Update(ctx, manage.System(), required.ID, required.Version, manage.PolicyInput{Name: "x", MFA: &storage.MFAPolicy{Mode: storage.MFAOptional, Methods: []string{storage.MethodTOTP}}})
		if appFields(t, err)["mfa"] == "" {
			t.Errorf("update to optional: %v", err)
		}
		if app, _ := e.s.GetApplication(ctx, manage.ConsoleApplicationID); app.MFA.Mode != storage.MFARequired {
			t.Errorf("the console reads %+v", app.MFA)
		}
	})
}
