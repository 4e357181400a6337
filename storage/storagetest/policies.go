package storagetest

import (
	"reflect"
	"testing"

	"foyer/storage"
)

// policyAreas are the named policies' conformance tests.
var policyAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"PolicyDefaults", testPolicyDefaults},
	{"Policies", testPolicies},
	{"PolicyPropagation", testPolicyPropagation},
	{"PolicyCopyOnWrite", testPolicyCopyOnWrite},
	{"PolicyRollback", testPolicyRollback},
	{"ApplicationUpdateDelete", testApplicationUpdateDelete},
}

// Every kind has one Default, and a new application gets each of them.
func testPolicyDefaults(t *testing.T, s storage.Store) {
	ctx := t.Context()
	app := &storage.Application{Name: "Fresh"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	for _, k := range storage.PolicyKinds {
		d, err := s.GetDefaultPolicy(ctx, k)
		must(t, "GetDefaultPolicy "+string(k), err)
		if !d.IsDefault || d.Kind != k || d.Name != storage.DefaultPolicyName {
			t.Errorf("default %s = %+v", k, d)
		}
		if app.PolicyID(k) != d.ID {
			t.Errorf("new application's %s policy = %q, want the Default %q", k, app.PolicyID(k), d.ID)
		}
	}
	if app.Version != 1 || app.UpdatedAt.IsZero() {
		t.Errorf("new application version %d, updated %v", app.Version, app.UpdatedAt)
	}
	// A body given at creation becomes a policy of the application's own.
	withMFA := &storage.Application{Name: "Strict", MFA: storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP}}}
	must(t, "CreateApplication with MFA", s.CreateApplication(ctx, withMFA))
	own, err := s.GetPolicy(ctx, withMFA.MFAPolicyID)
	must(t, "GetPolicy own", err)
	if own.IsDefault || own.Name != storage.OwnPolicyName(withMFA) || own.MFA.Mode != storage.MFARequired {
		t.Errorf("own MFA policy = %+v", own)
	}
	wantErr(t, "second default", s.CreatePolicy(ctx, &storage.Policy{Kind: storage.PolicyMFA, Name: "Other", IsDefault: true}), storage.ErrConflict)
	wantErr(t, "DeletePolicy missing", s.DeletePolicy(ctx, "missing", 1), storage.ErrNotFound)
	d, _ := s.GetDefaultPolicy(ctx, storage.PolicyPortal)
	wantErr(t, "delete a default", s.DeletePolicy(ctx, d.ID, d.Version), storage.ErrConflict)
}

func testPolicies(t *testing.T, s storage.Store) {
	ctx := t.Context()
	p := &storage.Policy{Kind: storage.PolicyMFA, Name: "Strict", MFA: storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodPasskey}}}
	must(t, "CreatePolicy", s.CreatePolicy(ctx, p))
	if p.ID == "" || p.Version != 1 || p.CreatedAt.IsZero() {
		t.Errorf("CreatePolicy left %+v", p)
	}
	wantErr(t, "same name other case", s.CreatePolicy(ctx, &storage.Policy{Kind: storage.PolicyMFA, Name: "STRICT"}), storage.ErrConflict)
	must(t, "same name other kind", s.CreatePolicy(ctx, &storage.Policy{Kind: storage.PolicyConsent, Name: "Strict", Consents: []storage.ConsentDocument{}}))
	got, err := s.GetPolicy(ctx, p.ID)
	must(t, "GetPolicy", err)
	if got.Name != "Strict" || got.MFA.Mode != storage.MFARequired || !equalStrings(got.MFA.Methods, []string{storage.MethodPasskey}) {
		t.Errorf("GetPolicy = %+v", got)
	}
	_, err = s.GetPolicy(ctx, "missing")
	wantErr(t, "GetPolicy missing", err, storage.ErrNotFound)

	got.Name, got.MFA.Mode = "Stricter", storage.MFAOptional
	must(t, "UpdatePolicy", s.UpdatePolicy(ctx, got, 1))
	if got.Version != 2 {
		t.Errorf("version after update = %d, want 2", got.Version)
	}
	wantErr(t, "UpdatePolicy stale", s.UpdatePolicy(ctx, got, 1), storage.ErrStale)
	wantErr(t, "UpdatePolicy missing", s.UpdatePolicy(ctx, &storage.Policy{ID: "missing"}, 1), storage.ErrNotFound)
	got.Name = "default"
	wantErr(t, "UpdatePolicy to a taken name", s.UpdatePolicy(ctx, got, 2), storage.ErrConflict)

	mfa, err := s.ListPolicies(ctx, storage.PolicyMFA, "", 0)
	must(t, "ListPolicies", err)
	if len(mfa) != 2 {
		t.Errorf("ListPolicies(mfa) = %d policies, want 2 (Default and Stricter)", len(mfa))
	}
	all, err := s.ListPolicies(ctx, "", "", 0)
	must(t, "ListPolicies all", err)
	first, err := s.ListPolicies(ctx, "", "", 2)
	must(t, "ListPolicies page 1", err)
	rest, err := s.ListPolicies(ctx, "", first[len(first)-1].ID, 0)
	must(t, "ListPolicies page 2", err)
	if len(all) != 6 || len(first) != 2 || len(rest) != 4 || rest[0].ID <= first[1].ID {
		t.Errorf("paging: all %d, first %d, rest %d", len(all), len(first), len(rest))
	}

	must(t, "SetDefaultPolicy", s.SetDefaultPolicy(ctx, p.ID))
	d, err := s.GetDefaultPolicy(ctx, storage.PolicyMFA)
	must(t, "GetDefaultPolicy", err)
	if d.ID != p.ID || d.Version != 3 {
		t.Errorf("default after SetDefaultPolicy = %+v", d)
	}
	wantErr(t, "SetDefaultPolicy missing", s.SetDefaultPolicy(ctx, "missing"), storage.ErrNotFound)
	app := &storage.Application{Name: "After"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	if app.MFAPolicyID != p.ID || app.MFA.Mode != storage.MFAOptional {
		t.Errorf("new application got MFA policy %q (%+v), want the new Default", app.MFAPolicyID, app.MFA)
	}
}

// A change of a policy reaches every application assigned it, through the
// same GetApplication sign-in uses; an assignment copies the body.
func testPolicyPropagation(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a, b, other := &storage.Application{Name: "A"}, &storage.Application{Name: "B"}, &storage.Application{Name: "C"}
	for _, app := range []*storage.Application{a, b, other} {
		must(t, "CreateApplication", s.CreateApplication(ctx, app))
	}
	ss := storage.DefaultSelfServicePolicy()
	ss.RegistrationEnabled = false
	shared := &storage.Policy{Kind: storage.PolicySelfService, Name: "Closed", SelfService: ss}
	portal := &storage.Policy{Kind: storage.PolicyPortal, Name: "Staff", Portal: storage.PortalPolicy{LauncherEnabled: true, Groups: []string{"staff"}}}
	must(t, "CreatePolicy", s.CreatePolicy(ctx, shared))
	must(t, "CreatePolicy portal", s.CreatePolicy(ctx, portal))
	for _, app := range []*storage.Application{a, b} {
		must(t, "AssignPolicy", s.AssignPolicy(ctx, app.ID, shared.ID))
		must(t, "AssignPolicy portal", s.AssignPolicy(ctx, app.ID, portal.ID))
	}
	wantErr(t, "AssignPolicy unknown application", s.AssignPolicy(ctx, "missing", shared.ID), storage.ErrNotFound)
	wantErr(t, "AssignPolicy unknown policy", s.AssignPolicy(ctx, a.ID, "missing"), storage.ErrNotFound)
	users, err := s.PolicyApplications(ctx, shared.ID)
	must(t, "PolicyApplications", err)
	if len(users) != 2 {
		t.Errorf("PolicyApplications = %v, want A and B", users)
	}
	got, _ := s.GetApplication(ctx, a.ID)
	if got.SelfService.RegistrationEnabled || got.SelfServicePolicyID != shared.ID || got.Version != 3 {
		t.Errorf("after assignment A = %+v", got)
	}

	shared.SelfService.RegistrationEnabled = true
	shared.SelfService.ResetLinkLifetime = 2 * ss.ResetLinkLifetime
	must(t, "UpdatePolicy", s.UpdatePolicy(ctx, shared, shared.Version))
	portal.Portal = storage.PortalPolicy{LauncherEnabled: false, Groups: []string{"gold"}}
	must(t, "UpdatePolicy portal", s.UpdatePolicy(ctx, portal, portal.Version))
	for _, app := range []*storage.Application{a, b} {
		got, err := s.GetApplication(ctx, app.ID)
		must(t, "GetApplication", err)
		if !got.SelfService.RegistrationEnabled || got.SelfService.ResetLinkLifetime != 2*ss.ResetLinkLifetime {
			t.Errorf("%s did not follow the policy: %+v", app.Name, got.SelfService)
		}
		if got.Version != 3 {
			t.Errorf("%s version = %d: a policy change is no change of the application", app.Name, got.Version)
		}
		ps, err := s.GetPortalSettings(ctx, app.ID)
		must(t, "GetPortalSettings", err)
		if ps.LauncherEnabled || !equalStrings(ps.Groups, []string{"gold"}) {
			t.Errorf("%s portal = %+v, want the policy's", app.Name, ps)
		}
	}
	got, _ = s.GetApplication(ctx, other.ID)
	if !reflect.DeepEqual(got.SelfService, storage.DefaultSelfServicePolicy()) {
		t.Errorf("unassigned application changed: %+v", got.SelfService)
	}
	_, err = s.GetPortalSettings(ctx, other.ID)
	wantErr(t, "portal of an application on the Default", err, storage.ErrNotFound)
	wantErr(t, "DeletePolicy assigned", s.DeletePolicy(ctx, shared.ID, shared.Version), storage.ErrConflict)
	d, _ := s.GetDefaultPolicy(ctx, storage.PolicySelfService)
	for _, app := range []*storage.Application{a, b} {
		must(t, "AssignPolicy back", s.AssignPolicy(ctx, app.ID, d.ID))
	}
	wantErr(t, "DeletePolicy stale", s.DeletePolicy(ctx, shared.ID, shared.Version-1), storage.ErrStale)
	must(t, "DeletePolicy", s.DeletePolicy(ctx, shared.ID, shared.Version))
	_, err = s.GetPolicy(ctx, shared.ID)
	wantErr(t, "deleted policy", err, storage.ErrNotFound)
}

// Setting an application's policy through the application gives it a
// policy of its own unless it already has one only it uses.
func testPolicyCopyOnWrite(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a, b := &storage.Application{Name: "A"}, &storage.Application{Name: "B"}
	must(t, "CreateApplication", s.CreateApplication(ctx, a))
	must(t, "CreateApplication", s.CreateApplication(ctx, b))
	strict := storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP}}
	must(t, "SetMFAPolicy", s.SetMFAPolicy(ctx, a.ID, strict))
	got, _ := s.GetApplication(ctx, a.ID)
	if got.MFAPolicyID == a.MFAPolicyID || got.MFA.Mode != storage.MFARequired {
		t.Fatalf("after SetMFAPolicy A = %+v, want a policy of its own", got)
	}
	own, _ := s.GetPolicy(ctx, got.MFAPolicyID)
	if own.Name != storage.OwnPolicyName(a) {
		t.Errorf("own policy named %q, want %q", own.Name, storage.OwnPolicyName(a))
	}
	d, _ := s.GetDefaultPolicy(ctx, storage.PolicyMFA)
	if d.MFA.Mode != storage.MFAOff {
		t.Errorf("the Default changed: %+v", d.MFA)
	}
	// Alone on it: changed in place.
	strict.Mode = storage.MFAOptional
	must(t, "SetMFAPolicy again", s.SetMFAPolicy(ctx, a.ID, strict))
	again, _ := s.GetApplication(ctx, a.ID)
	if again.MFAPolicyID != own.ID || again.MFA.Mode != storage.MFAOptional {
		t.Errorf("second set = %+v, want the same own policy changed", again)
	}
	// Shared: B gets its own, A keeps what it had.
	must(t, "AssignPolicy", s.AssignPolicy(ctx, b.ID, own.ID))
	_, err := s.SetApplicationPolicy(ctx, b.ID, storage.Policy{Kind: storage.PolicyMFA, MFA: storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodPasskey}}})
	must(t, "SetApplicationPolicy shared", err)
	gotA, _ := s.GetApplication(ctx, a.ID)
	gotB, _ := s.GetApplication(ctx, b.ID)
	if gotA.MFA.Mode != storage.MFAOptional || gotB.MFA.Mode != storage.MFARequired || gotB.MFAPolicyID == own.ID {
		t.Errorf("after a set on a shared policy A = %+v, B = %+v", gotA.MFA, gotB.MFA)
	}
	_, err = s.SetApplicationPolicy(ctx, "missing", storage.Policy{Kind: storage.PolicyMFA})
	wantErr(t, "SetApplicationPolicy missing", err, storage.ErrNotFound)
	// Portal settings: the slug stays the application's own.
	must(t, "SetPortalSettings", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: a.ID, LauncherEnabled: true, Slug: "a-app"}))
	gotA, _ = s.GetApplication(ctx, a.ID)
	pp, _ := s.GetPolicy(ctx, gotA.PortalPolicyID)
	if pp.IsDefault || !pp.Portal.LauncherEnabled {
		t.Errorf("portal policy after SetPortalSettings = %+v", pp)
	}
	must(t, "SetApplicationSlug", s.SetApplicationSlug(ctx, a.ID, "A-New"))
	ps, _ := s.GetPortalSettings(ctx, a.ID)
	if ps.Slug != "a-new" || !ps.LauncherEnabled {
		t.Errorf("after SetApplicationSlug = %+v", ps)
	}
	wantErr(t, "SetApplicationSlug taken", s.SetApplicationSlug(ctx, b.ID, "a-new"), storage.ErrConflict)
	wantErr(t, "SetApplicationSlug missing", s.SetApplicationSlug(ctx, "missing", "x"), storage.ErrNotFound)
}

// A policy change rolled back leaves the policy and every copy as they
// were: both are written in one transaction.
func testPolicyRollback(t *testing.T, s storage.Store) {
	ctx := t.Context()
	app := &storage.Application{Name: "A"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	p := &storage.Policy{Kind: storage.PolicyConsent, Name: "Docs", Consents: []storage.ConsentDocument{{Name: "terms_of_service", Version: "1"}}}
	must(t, "CreatePolicy", s.CreatePolicy(ctx, p))
	must(t, "AssignPolicy", s.AssignPolicy(ctx, app.ID, p.ID))
	tx, err := s.BeginTx(ctx)
	must(t, "BeginTx", err)
	p.Consents = []storage.ConsentDocument{{Name: "terms_of_service", Version: "2"}}
	must(t, "UpdatePolicy in tx", s.UpdatePolicy(tx, p, 1))
	inTx, _ := s.GetApplication(tx, app.ID)
	if inTx.Consents[0].Version != "2" {
		t.Errorf("inside the transaction the copy is %+v", inTx.Consents)
	}
	must(t, "Rollback", s.Rollback(tx))
	got, _ := s.GetApplication(ctx, app.ID)
	stored, _ := s.GetPolicy(ctx, p.ID)
	if got.Consents[0].Version != "1" || stored.Consents[0].Version != "1" || stored.Version != 1 {
		t.Errorf("after rollback application %+v, policy %+v", got.Consents, stored)
	}
}

func testApplicationUpdateDelete(t *testing.T, s storage.Store) {
	ctx := t.Context()
	app := &storage.Application{StoreID: "s1", Name: "Shop"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	app.Name, app.LogoURL, app.PrimaryColor, app.Organizational, app.LoginSteps = "Shop 2", "https://x.example/l.png", "#000000", true, []string{"identifier"}
	must(t, "UpdateApplication", s.UpdateApplication(ctx, app, 1))
	got, _ := s.GetApplication(ctx, app.ID)
	if got.Name != "Shop 2" || got.Version != 2 || !got.Organizational || got.PrimaryColor != "#000000" || !equalStrings(got.LoginSteps, []string{"identifier"}) {
		t.Errorf("after update = %+v", got)
	}
	wantErr(t, "UpdateApplication stale", s.UpdateApplication(ctx, app, 1), storage.ErrStale)
	wantErr(t, "UpdateApplication missing", s.UpdateApplication(ctx, &storage.Application{ID: "missing"}, 1), storage.ErrNotFound)

	other := &storage.Application{StoreID: "s2", Name: "Other"}
	must(t, "CreateApplication", s.CreateApplication(ctx, other))
	page, err := s.ListApplicationsPage(ctx, []string{"s1"}, "", 10)
	must(t, "ListApplicationsPage", err)
	if len(page) != 1 || page[0].ID != app.ID {
		t.Errorf("page of store s1 = %+v", page)
	}
	none, err := s.ListApplicationsPage(ctx, []string{}, "", 10)
	must(t, "ListApplicationsPage no stores", err)
	all, err := s.ListApplicationsPage(ctx, nil, "", 1)
	must(t, "ListApplicationsPage all", err)
	if len(none) != 0 || len(all) != 1 {
		t.Errorf("no stores %d, limit 1 %d", len(none), len(all))
	}

	must(t, "CreateClient", s.CreateClient(ctx, &storage.Client{ApplicationID: app.ID, Name: "web"}))
	wantErr(t, "DeleteApplication with clients", s.DeleteApplication(ctx, app.ID, 2), storage.ErrConflict)
	must(t, "SetPortalSettings", s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: other.ID, Slug: "other"}))
	wantErr(t, "DeleteApplication stale", s.DeleteApplication(ctx, other.ID, 1), storage.ErrStale)
	cur, _ := s.GetApplication(ctx, other.ID)
	must(t, "DeleteApplication", s.DeleteApplication(ctx, other.ID, cur.Version))
	_, err = s.GetApplication(ctx, other.ID)
	wantErr(t, "deleted application", err, storage.ErrNotFound)
	_, err = s.FindApplicationBySlug(ctx, "other")
	wantErr(t, "deleted application's slug", err, storage.ErrNotFound)
	wantErr(t, "DeleteApplication missing", s.DeleteApplication(ctx, "missing", 1), storage.ErrNotFound)
}
