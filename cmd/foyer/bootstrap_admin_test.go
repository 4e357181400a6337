package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

func bootstrapConfig() Config {
	cfg := defaultConfig()
	cfg.Issuer = "https://id.example"
	cfg.BootstrapAdminEmail = "root@example.com"
	cfg.BootstrapAdminPassword = "admin-password-123"
	return cfg
}

// checkConsole checks the administrators store, the console's application
// and client, and that id is an enabled owner there.
func checkConsole(t *testing.T, store storage.Store, adminID string) {
	t.Helper()
	ctx := t.Context()
	if _, err := store.GetIdentityStore(ctx, storage.AdministratorsStoreID); err != nil {
		t.Fatalf("administrators store: %v", err)
	}
	app, err := store.GetApplication(ctx, manage.ConsoleApplicationID)
	if err != nil || app.StoreID != storage.AdministratorsStoreID || app.MFA.Mode != storage.MFARequired ||
		!app.MFA.Allows(storage.MethodTOTP) || !app.MFA.Allows(storage.MethodPasskey) || app.MFA.Allows(storage.MethodSMSCode) ||
		app.SelfService.RegistrationEnabled || !app.SelfService.RecoveryMethods.ResetByEmailLink {
		t.Fatalf("console application = %+v, %v", app, err)
	}
	c, err := store.GetClient(ctx, manage.ConsoleClientID)
	if err != nil || c.ApplicationID != manage.ConsoleApplicationID || !c.Public || !c.FirstParty ||
		!slices.Equal(c.RedirectURIs, []string{"https://id.example/admin/callback"}) ||
		!slices.Equal(c.PostLogoutRedirectURIs, []string{"https://id.example/admin"}) ||
		!slices.Equal(c.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
		!slices.Equal(c.Scopes, []string{"openid", "profile", "email"}) {
		t.Fatalf("console client = %+v, %v", c, err)
	}
	actor, err := manage.NewCore(store, nil).Administrator(ctx, adminID, "", "")
	if err != nil || !actor.Can(manage.ManageAdministrators, "") {
		t.Fatalf("bootstrap admin as an actor = %+v, %v; want an owner", actor, err)
	}
}

// checkConsoleAudit: the console's store, application and client were
// recorded as the system's creations in the administrators store.
func checkConsoleAudit(t *testing.T, store storage.Store) {
	t.Helper()
	entries, err := store.ListAuditEntries(t.Context(), storage.AuditFilter{StoreID: storage.AdministratorsStoreID})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"store.created": storage.AdministratorsStoreID, "application.created": manage.ConsoleApplicationID,
		"client.created": manage.ConsoleClientID}
	for _, e := range entries {
		if id, ok := want[e.Action]; ok && e.TargetID == id && e.ActorKind == storage.PrincipalSystem && e.After != "" {
			delete(want, e.Action)
		}
	}
	if len(want) != 0 {
		t.Errorf("not audited: %v (entries %+v)", want, entries)
	}
}

func auditActions(t *testing.T, store storage.Store) []string {
	t.Helper()
	var out []string
	if err := store.WalkAuditEntries(t.Context(), func(e storage.AuditEntry) error {
		out = append(out, e.Action)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := manage.VerifyAudit(t.Context(), store, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBootstrapCreatesTheAdminConsole(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		store, ctx, log := newStore(t), t.Context(), slog.New(slog.DiscardHandler)
		for range 2 { // the second start changes nothing
			if err := bootstrap(ctx, bootstrapConfig(), store, []byte(testSecret), io.Discard, log); err != nil {
				t.Fatalf("bootstrap: %v", err)
			}
		}
		id, err := store.GetSetting(ctx, adminSetting)
		if err != nil {
			t.Fatal(err)
		}
		checkConsole(t, store, id)
		acct, err := store.FindAccountByIdentifier(ctx, storage.AdministratorsStoreID, storage.IdentifierEmail, "root@example.com")
		if err != nil || acct.ID != id {
			t.Fatalf("first admin in the administrators store = %+v, %v", acct, err)
		}
		if n, err := store.CountAccounts(ctx, defaultStoreID); err != nil || n != 0 {
			t.Errorf("default store holds %d accounts, %v; want none (administrators are not customers)", n, err)
		}
		if got := auditActions(t, store); !slices.Equal(got, []string{"store.created", "application.created", "client.created", "administrator.created"}) {
			t.Errorf("audit log = %v", got)
		}
	})
}

// oldBootstrap makes a database as bootstrap did before the admin
// console: the admin a customer of the default store, a client with the
// old admin scope.
func oldBootstrap(t *testing.T, store storage.Store) (adminID string) {
	t.Helper()
	ctx := t.Context()
	if err := createDefaults(ctx, bootstrapConfig(), store); err != nil {
		t.Fatal(err)
	}
	admin, err := createAccount(ctx, store, accountSpec{Email: "admin@localhost", Password: "admin-password-123", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{bootstrapSetting: "2026-01-01T00:00:00Z", adminSetting: admin.ID} {
		if _, err := store.SetSettingIfAbsent(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*storage.Client{
		{ID: "ops-bot", ApplicationID: defaultApplicationID, Name: "Ops", Scopes: []string{"openid", legacyAdminScope},
			GrantTypes: []string{"client_credentials"}},
		{ID: "shop", ApplicationID: defaultApplicationID, Name: "Shop", Scopes: []string{"openid"}},
	} {
		if err := store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	sess := &storage.Session{AccountID: admin.ID}
	if err := store.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "password_reset", Hash: []byte("pending-reset-link"),
		AccountID: admin.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return admin.ID
}

func TestUpgradeMovesTheBootstrapAdmin(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		var logs bytes.Buffer
		store, ctx, log := newStore(t), t.Context(), slog.New(slog.NewTextHandler(&logs, nil))
		adminID := oldBootstrap(t, store)
		for range 2 {
			if err := bootstrap(ctx, bootstrapConfig(), store, []byte(testSecret), io.Discard, log); err != nil {
				t.Fatalf("bootstrap: %v", err)
			}
		}
		checkConsole(t, store, adminID)
		acct, err := store.GetAccount(ctx, adminID)
		if err != nil || acct.StoreID != storage.AdministratorsStoreID || acct.Email != "admin@localhost" {
			t.Fatalf("moved admin = %+v, %v", acct, err)
		}
		// The password bootstrap printed (maybe into container logs) no
		// longer opens an owner's account, nor does a pending reset link.
		if _, err := store.GetPassword(ctx, adminID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the moved admin kept its password: %v", err)
		}
		if _, err := store.LatestOneTimeSecret(ctx, adminID, "password_reset"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the moved admin kept its pending reset link: %v", err)
		}
		if !strings.Contains(logs.String(), "Forgot password?") || strings.Contains(logs.String(), "admin-password-123") {
			t.Errorf("upgrade log: %s", logs.String())
		}
		if sessions, err := store.ListSessionsByAccount(ctx, adminID); err != nil || len(sessions) != 0 {
			t.Errorf("the admin's customer sessions survived: %d, %v", len(sessions), err)
		}
		if n, err := store.CountAccounts(ctx, defaultStoreID); err != nil || n != 0 {
			t.Errorf("default store holds %d accounts, %v", n, err)
		}
		bot, err := manage.NewCore(store, nil).Client(ctx, "ops-bot", "Ops", "", "")
		if err != nil || len(bot.Grants) != 1 || bot.Grants[0].Role != storage.RoleAdmin {
			t.Errorf("legacy admin client = %+v, %v; want the admin role", bot, err)
		}
		if _, err := manage.NewCore(store, nil).Client(ctx, "shop", "", "", ""); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("an ordinary client got an admin role: %v", err)
		}
		if got := auditActions(t, store); !slices.Equal(got, []string{"store.created", "application.created", "client.created",
			"administrator.migrated", "client.admin_granted"}) {
			t.Errorf("audit log = %v", got)
		}
		checkConsoleAudit(t, store)
	})
}

// Two nodes upgrading at once: one does it, the other finds it done.
func TestUpgradeRacesSafely(t *testing.T) {
	t.Parallel()
	for name, newURL := range map[string]func(testing.TB) string{"sqlite": sqltest.SQLiteURL, "postgres": sqltest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			upgradeRace(t, newURL(t))
		})
	}
}

func upgradeRace(t *testing.T, url string) {
	first := openURL(t, url)
	adminID := oldBootstrap(t, first)
	second := openURL(t, url)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []storage.Store{first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = upgradeAdminConsole(context.Background(), bootstrapConfig(), s, slog.New(slog.DiscardHandler))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("upgrade: %v", err)
		}
	}
	checkConsole(t, first, adminID)
	grants, err := first.ListAllAdminGrants(t.Context())
	if err != nil || len(grants) != 2 {
		t.Errorf("grants after two upgrades = %+v, %v; want the owner's and the bot's", grants, err)
	}
}

// openURL opens and migrates a store of its own over the database.
func openURL(t *testing.T, url string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}
