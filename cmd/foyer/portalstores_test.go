package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// euStore is a customer store with one visible attribute, as the issue's
// journey creates it.
func euStore() manage.StoreInput {
	return manage.StoreInput{ID: "eu", Name: "EU customers", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail},
		Attributes: []storage.AttributeDef{{Name: "tier", Type: "string", Visible: true}}}
}

// wantStorePortal checks that storeID has its portal application and a
// client copying foyer-account (present), or neither (!present).
func wantStorePortal(t *testing.T, store storage.Store, storeID string, present bool) {
	t.Helper()
	ctx := context.Background()
	c, cerr := store.GetClient(ctx, "foyer-account-"+storeID)
	app, aerr := store.GetApplication(ctx, "account-"+storeID)
	if !present {
		if !errors.Is(cerr, storage.ErrNotFound) || !errors.Is(aerr, storage.ErrNotFound) {
			t.Fatalf("store %s: portal client %v / application %v still there", storeID, cerr, aerr)
		}
		return
	}
	model, err := store.GetClient(ctx, accountPortalClient)
	if err != nil || cerr != nil || aerr != nil {
		t.Fatalf("store %s: portal client %v, application %v, foyer-account %v", storeID, cerr, aerr, err)
	}
	if app.StoreID != storeID || c.ApplicationID != app.ID || !c.Public || !c.FirstParty ||
		!slices.Equal(c.RedirectURIs, model.RedirectURIs) || !slices.Equal(c.PostLogoutRedirectURIs, model.PostLogoutRedirectURIs) ||
		!slices.Equal(c.Scopes, model.Scopes) || !slices.Equal(c.GrantTypes, model.GrantTypes) {
		t.Fatalf("store %s: portal application %+v, client %+v; want a copy of %+v", storeID, app, c, model)
	}
}

// Creating a store through manage gives it its portal, audited in the same
// transaction; deleting it removes them, and is still refused while the
// store has another application (which keeps the portal).
func TestStorePortalProvisioning(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		store := newStore(t)
		ctx := context.Background()
		if err := bootstrap(ctx, bootstrapConfig(), store, []byte(testSecret), &strings.Builder{}, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		core := newAdminCore(store, nil)
		stores := newStores(core, store)
		created, err := stores.Create(ctx, manage.System(), euStore())
		if err != nil {
			t.Fatal(err)
		}
		wantStorePortal(t, store, created.ID, true)
		actions := auditActions(t, store)
		if tail := actions[len(actions)-3:]; !slices.Equal(tail, []string{"store.created", "application.created", "client.created"}) {
			t.Errorf("audit after create = %v", actions)
		}
		// A store's portal application id already taken by another store:
		// refused as the id's problem, nothing made.
		if err := store.CreateApplication(ctx, &storage.Application{ID: "account-taken", StoreID: defaultStoreID, Name: "Squatter"}); err != nil {
			t.Fatal(err)
		}
		in := euStore()
		in.ID = "taken"
		var ve *manage.ValidationError
		if _, err := stores.Create(ctx, manage.System(), in); !errors.As(err, &ve) || ve.Fields["id"] == "" {
			t.Fatalf("create with a taken portal application id: %v", err)
		}
		if _, err := store.GetIdentityStore(ctx, "taken"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("refused create left the store: %v", err)
		}

		apps := manage.NewApplications(core, store)
		shop, err := apps.Create(ctx, manage.System(), manage.ApplicationInput{StoreID: "eu", Name: "Shop"})
		if err != nil {
			t.Fatal(err)
		}
		if err := stores.Delete(ctx, manage.System(), "eu", 0); !errors.Is(err, manage.ErrConflict) && !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("delete a store with another application: %v, want a conflict", err)
		}
		wantStorePortal(t, store, "eu", true) // rolled back with the refusal
		if err := apps.Delete(ctx, manage.System(), shop.ID, shop.Version); err != nil {
			t.Fatal(err)
		}
		if err := stores.Delete(ctx, manage.System(), "eu", 0); err != nil {
			t.Fatal(err)
		}
		wantStorePortal(t, store, "eu", false)
		actions = auditActions(t, store)
		if tail := actions[len(actions)-3:]; !slices.Equal(tail, []string{"client.deleted", "application.deleted", "store.deleted"}) {
			t.Errorf("audit after delete = %v", actions)
		}
	})
}

// Deleting a store takes its id out of admin grants in the same
// transaction: a grant limited to it alone goes, others keep the rest, so
// a store re-created with the same id is not administered by them.
func TestStoreDeletionPrunesGrants(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		store := newStore(t)
		ctx := context.Background()
		if err := bootstrap(ctx, bootstrapConfig(), store, []byte(testSecret), &strings.Builder{}, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		stores := newStores(newAdminCore(store, nil), store)
		if _, err := stores.Create(ctx, manage.System(), euStore()); err != nil {
			t.Fatal(err)
		}
		for id, storeIDs := range map[string][]string{"only-eu": {"eu"}, "eu-and-default": {"eu", defaultStoreID}, "everywhere": nil} {
			g := &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: id, Role: storage.RoleAdmin, StoreIDs: storeIDs}
			if err := store.CreateAdminGrant(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		if err := stores.Delete(ctx, manage.System(), "eu", 0); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string][]string{"only-eu": nil, "eu-and-default": {defaultStoreID}, "everywhere": {}} {
			gs, err := store.ListAdminGrants(ctx, storage.PrincipalClient, id)
			switch {
			case err != nil:
				t.Fatal(err)
			case want == nil && len(gs) != 0:
				t.Errorf("%s keeps %+v after its only store went", id, gs)
			case want != nil && (len(gs) != 1 || !slices.Equal(gs[0].StoreIDs, want) && len(want)+len(gs[0].StoreIDs) > 0):
				t.Errorf("%s: grants %+v, want stores %v", id, gs, want)
			}
		}
		actions := auditActions(t, store)
		if n := strings.Count(strings.Join(actions, " "), "client.roles_set"); n != 2 {
			t.Errorf("audit = %v; want two client.roles_set", actions)
		}
		if _, err := stores.Create(ctx, manage.System(), euStore()); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"only-eu", "eu-and-default"} {
			actor, err := newAdminCore(store, nil).Client(ctx, id, id, "", "")
			if err == nil && actor.Can(manage.ReadConfig, "eu") {
				t.Errorf("%s administers the re-created eu", id)
			}
		}
	})
}

// A database with stores from before per-store portals: the start-up
// upgrade gives each customer store its portal once (never the
// administrators store), audited, and two nodes racing do it once.
func TestStorePortalUpgrade(t *testing.T) {
	t.Parallel()
	for name, newURL := range map[string]func(testing.TB) string{"sqlite": sqltest.SQLiteURL, "postgres": sqltest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := newURL(t)
			first := openURL(t, url)
			oldBootstrap(t, first)
			if err := upgradeAdminConsole(t.Context(), bootstrapConfig(), first, slog.New(slog.DiscardHandler)); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"eu", "us"} {
				if err := first.CreateIdentityStore(t.Context(), &storage.IdentityStore{ID: id, Name: id,
					IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
					t.Fatal(err)
				}
			}
			second := openURL(t, url)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, s := range []storage.Store{first, second} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = upgradeStorePortals(context.Background(), s, slog.New(slog.DiscardHandler))
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			wantStorePortal(t, first, "eu", true)
			wantStorePortal(t, first, "us", true)
			if _, err := first.GetClient(t.Context(), "foyer-account-"+storage.AdministratorsStoreID); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("the administrators store got a portal client: %v", err)
			}
			auditActions(t, first) // verifies the chain
			var created []string
			if err := first.WalkAuditEntries(t.Context(), func(e storage.AuditEntry) error {
				if e.Action == "client.created" && strings.HasPrefix(e.TargetID, accountPortalClient+"-") {
					created = append(created, e.TargetID)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if slices.Sort(created); !slices.Equal(created, []string{"foyer-account-eu", "foyer-account-us"}) {
				t.Errorf("portal clients created in the audit log: %v, want one per store", created)
			}
			// Once: a store made directly afterwards is not provisioned by a
			// later start.
			if err := first.CreateIdentityStore(t.Context(), &storage.IdentityStore{ID: "late", Name: "late",
				IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
				t.Fatal(err)
			}
			if err := upgradeStorePortals(t.Context(), first, slog.New(slog.DiscardHandler)); err != nil {
				t.Fatal(err)
			}
			wantStorePortal(t, first, "late", false)
		})
	}
}

// The full server: a customer of a second store signs in to the portal
// with ?store= (the real relying-party flow of the store's client) and
// sees their profile with the store's attribute; a customer of the
// default store cannot sign in there, nor the second store's customer at
// the default portal; the default portal is unchanged.
func TestStorePortalThroughTheServer(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		if _, err := newStores(newAdminCore(srv.store, nil), srv.store).Create(ctx, manage.System(), euStore()); err != nil {
			t.Fatal(err)
		}
		eve, err := createAccount(ctx, srv.store, accountSpec{StoreID: "eu", Email: "eve@example.com", Password: alicePass, Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		eve.Attributes = map[string]string{"tier": "platinum"}
		if err := srv.store.UpdateAccountProfile(ctx, eve); err != nil {
			t.Fatal(err)
		}
		srv.account(t, "alice@example.com", alicePass)

		b := newBrowser(t, srv.Listener.Addr().String())
		p := storePortalSignIn(t, srv, b, "/account?store=eu", "eve@example.com")
		if p.status != http.StatusOK || p.url.Path != "/account/apps" {
			t.Fatalf("eu customer at ?store=eu: %d at %s:\n%s", p.status, p.url, p.body)
		}
		p = b.get(srv.issuer + "/account/profile")
		wantStatus(t, "eu profile", p, http.StatusOK)
		wantBody(t, "eu profile", p, "eve@example.com", `value="platinum"`)

		// The default store's customer at the eu portal: no such account.
		p = storePortalSignIn(t, srv, newBrowser(t, srv.Listener.Addr().String()), "/account?store=eu", "alice@example.com")
		if p.url.Path == "/account/apps" {
			t.Fatalf("a default-store customer signed in to the eu portal")
		}
		// The eu customer at the default portal: no such account either.
		p = storePortalSignIn(t, srv, newBrowser(t, srv.Listener.Addr().String()), "/account", "eve@example.com")
		if p.url.Path == "/account/apps" {
			t.Fatalf("an eu customer signed in to the default portal")
		}
		// The default portal, as before.
		portalSignIn(t, srv, newBrowser(t, srv.Listener.Addr().String()), "alice@example.com", alicePass)
		// No portal for the administrators store, nor an unknown one.
		for _, id := range []string{storage.AdministratorsStoreID, "nowhere"} {
			wantStatus(t, "?store="+id, newBrowser(t, srv.Listener.Addr().String()).get(srv.issuer+"/account?store="+id), http.StatusNotFound)
		}
	})
}

// storePortalSignIn opens path and signs in with identifier and alicePass;
// it returns the page it ends on.
func storePortalSignIn(t *testing.T, srv *testServer, b *browser, path, identifier string) *page {
	t.Helper()
	p := b.get(srv.issuer + path)
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("opening %s: expected the sign-in page, got %d at %s:\n%s", path, p.status, p.url, p.body)
	}
	p = b.submit(p, map[string]string{"identifier": identifier})
	if !strings.Contains(p.body, `name="password"`) {
		return p
	}
	return b.submit(p, map[string]string{"password": alicePass})
}

// Through the admin API of the running server: POST /stores provisions
// the store's portal, DELETE removes it.
func TestStorePortalThroughTheAdminAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		api, _ := newAdminAPI(t, srv)
		api.do(http.MethodPost, "/stores", map[string]any{"id": "apac", "name": "APAC", "identifier_types": []string{"email"}}).
			expect(t, "create store", http.StatusCreated, "")
		wantStorePortal(t, srv.store, "apac", true)
		api.do(http.MethodDelete, "/stores/apac", nil, "If-Match", `"1"`).expect(t, "delete store", http.StatusNoContent, "")
		wantStorePortal(t, srv.store, "apac", false)
	})
}
