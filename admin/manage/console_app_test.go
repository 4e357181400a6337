package manage_test

import (
	"errors"
	"slices"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// The administrators store is kept to owners (requireStore): its one
// application, the admin console's, is no more an admin's to read or
// change than its client is. Its branding, templates (the reset e-mail
// an owner follows) and policies are how an administrator signs in.
func TestConsoleApplicationIsOwners(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		administratorsStore(t, e.s)
		if err := e.s.CreateApplication(ctx, &storage.Application{ID: manage.ConsoleApplicationID,
			StoreID: storage.AdministratorsStoreID, Name: "Admin console"}); err != nil {
			t.Fatal(err)
		}
		core := manage.NewCore(e.s, nil)
		brands := manage.NewBrandings(core, e.s)
		templates := manage.NewMessageTemplates(core, e.s, nil)
		owner := appAdmin(storage.RoleOwner)
		if _, err := e.apps.Get(ctx, owner, manage.ConsoleApplicationID); err != nil {
			t.Fatalf("owner reads the console's application: %v", err)
		}
		for _, a := range []manage.Actor{appAdmin(storage.RoleAdmin), appAdmin(storage.RoleAuditor), appAdmin(storage.RoleSupport)} {
			role := string(a.Grants[0].Role)
			_, err := e.apps.Get(ctx, a, manage.ConsoleApplicationID)
			appWantIs(t, role+" reads the console's application", err, manage.ErrNotFound)
			_, err = e.apps.Update(ctx, a, manage.ConsoleApplicationID, 0, manage.ApplicationInput{Name: "Evil"})
			appWantIs(t, role+" updates the console's application", err, manage.ErrNotFound)
			err = e.apps.SetSlug(ctx, a, manage.ConsoleApplicationID, "evil")
			appWantIs(t, role+" sets the console's slug", err, manage.ErrNotFound)
			_, err = brands.Update(ctx, a, manage.BrandOwner{ApplicationID: manage.ConsoleApplicationID}, 0,
				manage.BrandingInput{SupportURL: "https://evil.example/"})
			appWantIs(t, role+" brands the console", err, manage.ErrNotFound)
			_, err = templates.List(ctx, a, manage.ConsoleApplicationID)
			appWantIs(t, role+" lists the console's templates", err, manage.ErrNotFound)
			list, err := e.apps.List(ctx, a, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(list, func(v manage.ApplicationView) bool { return v.ID == manage.ConsoleApplicationID }) {
				t.Errorf("%s lists the console's application", role)
			}
		}
		list, err := e.apps.List(ctx, owner, "", 0)
		if err != nil || !slices.ContainsFunc(list, func(v manage.ApplicationView) bool { return v.ID == manage.ConsoleApplicationID }) {
			t.Errorf("owner's list = %v, %v; want the console's application in it", list, err)
		}
		if app, _ := e.s.GetApplication(ctx, manage.ConsoleApplicationID); app.Name != "Admin console" {
			t.Errorf("console application = %+v", app)
		}
	})
}

// TestConsolePoliciesAreOwners: the self-service and MFA policies the
// console's application uses decide how administrators sign in and
// recover, so only owners change them; other admins still change every
// other policy, the Defaults the console shares included.
func TestConsolePoliciesAreOwners(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		administratorsStore(t, e.s)
		self := storage.DefaultSelfServicePolicy()
		self.RegistrationEnabled = false
		if err := e.s.CreateApplication(ctx, &storage.Application{ID: manage.ConsoleApplicationID,
			StoreID: storage.AdministratorsStoreID, Name: "Admin console", SelfService: self,
			MFA: storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP}}}); err != nil {
			t.Fatal(err)
		}
		console, err := e.s.GetApplication(ctx, manage.ConsoleApplicationID)
		if err != nil {
			t.Fatal(err)
		}
		admin := appAdmin(storage.RoleAdmin)
		for _, kind := range []storage.PolicyKind{storage.PolicySelfService, storage.PolicyMFA} {
			p, err := e.policies.Get(ctx, manage.System(), console.PolicyID(kind))
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.policies.Update(ctx, admin, p.ID, p.Version, manage.PolicyInput{Name: "Weakened"})
			appWantIs(t, "admin changes the console's "+string(kind)+" policy", err, manage.ErrForbidden)
			if got, _ := e.policies.Get(ctx, manage.System(), p.ID); got.Name != p.Name || got.Version != p.Version {
				t.Errorf("refused update changed the %s policy: %+v", kind, got)
			}
			if _, err := e.policies.Update(ctx, appAdmin(storage.RoleOwner), p.ID, p.Version, manage.PolicyInput{Name: "Console " + string(kind)}); err != nil {
				t.Errorf("owner changes the console's %s policy: %v", kind, err)
			}
		}
		// The consent Default, which the console shares, stays every admin's.
		consent, err := e.policies.Get(ctx, manage.System(), console.PolicyID(storage.PolicyConsent))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.policies.Update(ctx, admin, consent.ID, consent.Version, manage.PolicyInput{Name: "Documents"}); err != nil {
			t.Errorf("admin changes the shared consent Default: %v", err)
		}
	})
}

// administratorsStore makes the administrators store where the
// environment has not made it yet.
func administratorsStore(t *testing.T, s storage.Store) {
	t.Helper()
	err := s.CreateIdentityStore(t.Context(), &storage.IdentityStore{ID: storage.AdministratorsStoreID, Name: "Administrators",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}})
	if err != nil && !errors.Is(err, storage.ErrConflict) {
		t.Fatal(err)
	}
}
