package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

func TestApplicationsCreateGetsTheDefaults(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		v, err := e.apps.Create(ctx, appAdmin(storage.RoleAdmin, "eu"), manage.ApplicationInput{StoreID: "eu", Name: " Shop ",
			LogoURL: "https://shop.example/logo.svg", PrimaryColor: "#aa00ff", LoginSteps: []string{"identifier", "password"}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Shop" || v.Version != 1 || v.StoreID != "eu" {
			t.Errorf("created %+v", v)
		}
		for _, k := range storage.PolicyKinds {
			d, err := e.s.GetDefaultPolicy(ctx, k)
			if err != nil || v.Policies[string(k)] != d.ID {
				t.Errorf("%s policy = %q, want the Default (%v)", k, v.Policies[string(k)], err)
			}
		}
		entry := e.lastAudit(t)
		if entry.Action != "application.created" || entry.TargetID != v.ID || entry.StoreID != "eu" ||
			entry.Role != storage.RoleAdmin || !strings.Contains(entry.After, `"name":"Shop"`) {
			t.Errorf("audit entry = %+v", entry)
		}
	})
}

func TestApplicationsCreateRefused(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		got := appFields(t, func() error {
			_, err := e.apps.Create(ctx, manage.System(), manage.ApplicationInput{ID: "Bad Id", StoreID: "nope", Name: "",
				LogoURL: "javascript:alert(1)", PrimaryColor: "red", LoginSteps: []string{"identifier", "identifier"}})
			return err
		}())
		for _, f := range []string{"id", "store_id", "name", "logo_url", "primary_color", "login_steps"} {
			if got[f] == "" {
				t.Errorf("no problem named for %s in %v", f, got)
			}
		}
		_, err := e.apps.Create(ctx, manage.System(), manage.ApplicationInput{StoreID: storage.AdministratorsStoreID, Name: "Sneaky"})
		if appFields(t, err)["store_id"] == "" {
			t.Errorf("an application in the administrators' store: %v", err)
		}
		before := e.auditCount(t)
		for _, a := range []manage.Actor{appAdmin(storage.RoleAdmin, "us"), appAdmin(storage.RoleAuditor), appAdmin(storage.RoleSupport)} {
			_, err := e.apps.Create(ctx, a, manage.ApplicationInput{StoreID: "eu", Name: "Shop"})
			appWantIs(t, "create by "+string(a.Grants[0].Role), err, manage.ErrForbidden)
		}
		appCreate(t, e, "eu", "Taken")
		_, err = e.apps.Create(ctx, manage.System(), manage.ApplicationInput{ID: "taken", StoreID: "eu", Name: "One"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.apps.Create(ctx, manage.System(), manage.ApplicationInput{ID: "taken", StoreID: "eu", Name: "Two"})
		appWantIs(t, "taken id", err, manage.ErrConflict)
		if n := e.auditCount(t); n != before+2 {
			t.Errorf("audit entries = %d, want %d (refusals write none)", n, before+2)
		}
	})
}

func TestApplicationsListAndGetAreScopedToStores(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		eu1, eu2, us := appCreate(t, e, "eu", "EU 1"), appCreate(t, e, "eu", "EU 2"), appCreate(t, e, "us", "US")
		euOnly := appAdmin(storage.RoleSupport, "eu")
		list, err := e.apps.List(ctx, euOnly, "", 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("List by an eu support = %+v, %v", list, err)
		}
		page, err := e.apps.List(ctx, appAdmin(storage.RoleAuditor), "", 2)
		if err != nil || len(page) != 2 {
			t.Fatalf("first page = %d, %v", len(page), err)
		}
		rest, err := e.apps.List(ctx, appAdmin(storage.RoleAuditor), page[1].ID, 2)
		if err != nil || len(rest) != 1 || rest[0].ID <= page[1].ID {
			t.Fatalf("second page = %+v, %v", rest, err)
		}
		if _, err := e.apps.Get(ctx, euOnly, eu1.ID); err != nil {
			t.Errorf("Get own store: %v", err)
		}
		_, err = e.apps.Get(ctx, euOnly, us.ID)
		appWantIs(t, "Get another store's", err, manage.ErrNotFound)
		_, err = e.apps.Get(ctx, euOnly, "missing")
		appWantIs(t, "Get missing", err, manage.ErrNotFound)
		_, err = e.apps.List(ctx, manage.Actor{Kind: storage.PrincipalAdministrator, ID: "x"}, "", 10)
		appWantIs(t, "List without roles", err, manage.ErrForbidden)
		_ = eu2
	})
}

func TestApplicationsUpdate(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		app := appCreate(t, e, "eu", "Shop")
		in := manage.ApplicationInput{Name: "Shop 2", PrimaryColor: "#000000", Organizational: true, LoginSteps: []string{"identifier"}}
		v, err := e.apps.Update(ctx, appAdmin(storage.RoleAdmin, "eu"), app.ID, 1, in)
		if err != nil || v.Version != 2 || v.Name != "Shop 2" || !v.Organizational {
			t.Fatalf("Update = %+v, %v", v, err)
		}
		entry := e.lastAudit(t)
		if entry.Action != "application.updated" || !strings.Contains(entry.Before, `"name":"Shop"`) || !strings.Contains(entry.After, `"name":"Shop 2"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.apps.Update(ctx, manage.System(), app.ID, 1, in)
		appWantIs(t, "stale", err, manage.ErrStale)
		_, err = e.apps.Update(ctx, appAdmin(storage.RoleAuditor), app.ID, 2, in)
		appWantIs(t, "auditor", err, manage.ErrForbidden)
		_, err = e.apps.Update(ctx, appAdmin(storage.RoleAdmin, "us"), app.ID, 2, in)
		appWantIs(t, "admin of another store", err, manage.ErrNotFound)
		bad := appFields(t, func() error {
			_, err := e.apps.Update(ctx, manage.System(), app.ID, 2, manage.ApplicationInput{StoreID: "us", Name: "x"})
			return err
		}())
		if bad["store_id"] == "" {
			t.Errorf("moving stores: %v", bad)
		}
	})
}

func TestApplicationsDelete(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		app := appCreate(t, e, "eu", "Shop")
		if err := e.s.CreateClient(ctx, &storage.Client{ApplicationID: app.ID, Name: "web"}); err != nil {
			t.Fatal(err)
		}
		appWantIs(t, "with a client", e.apps.Delete(ctx, manage.System(), app.ID, 1), manage.ErrConflict)
		if _, err := e.apps.Create(ctx, manage.System(), manage.ApplicationInput{ID: "default", StoreID: "eu", Name: "Default"}); err != nil {
			t.Fatal(err)
		}
		appWantIs(t, "the default application", e.apps.Delete(ctx, manage.System(), "default", 1), manage.ErrConflict)
		empty := appCreate(t, e, "eu", "Empty")
		appWantIs(t, "auditor", e.apps.Delete(ctx, appAdmin(storage.RoleAuditor), empty.ID, 1), manage.ErrForbidden)
		appWantIs(t, "stale", e.apps.Delete(ctx, manage.System(), empty.ID, 7), manage.ErrStale)
		if err := e.apps.Delete(ctx, appAdmin(storage.RoleAdmin, "eu"), empty.ID, 1); err != nil {
			t.Fatal(err)
		}
		if entry := e.lastAudit(t); entry.Action != "application.deleted" || entry.After != "" || entry.TargetID != empty.ID {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err := e.apps.Get(ctx, manage.System(), empty.ID)
		appWantIs(t, "deleted", err, manage.ErrNotFound)
	})
}
