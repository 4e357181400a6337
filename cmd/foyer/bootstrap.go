package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"time"

	"foyer/authz/keys"
	"foyer/selfservice/password"
	"foyer/selfservice/portal"
	"foyer/storage"
)

// Fixed ids of what the first start creates, so the CLI and docs can name
// them.
const (
	defaultStoreID       = "default"
	defaultApplicationID = "default"
	accountPortalClient  = "foyer-account"
	bootstrapSetting     = "bootstrapped_at"
	adminSetting         = "bootstrap_admin_account_id"
)

// bootstrap fills an empty database (bootstrapEmpty), then brings one
// bootstrapped by an earlier version up to date (upgradeAdminConsole,
// upgradeStorePortals).
func bootstrap(ctx context.Context, cfg Config, store storage.Store, secret []byte, out io.Writer, log *slog.Logger) error {
	if err := bootstrapEmpty(ctx, cfg, store, secret, out, log); err != nil {
		return err
	}
	if err := upgradeAdminConsole(ctx, cfg, store, log); err != nil {
		return err
	}
	return upgradeStorePortals(ctx, store, log)
}

// bootstrapEmpty fills an empty database: the default identity store, the
// default application, the account portal's client, the administrators
// store with the admin console's application and client, the signing keys
// and the first admin (an owner in the administrators store).
// It runs in one transaction guarded by a setting, so of two nodes starting
// at once exactly one does it, and a crash leaves nothing half-made.
func bootstrapEmpty(ctx context.Context, cfg Config, store storage.Store, secret []byte, out io.Writer, log *slog.Logger) (err error) {
	txCtx, err := store.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = store.Rollback(txCtx)
		}
	}()
	first, err := store.SetSettingIfAbsent(txCtx, bootstrapSetting, time.Now().UTC().Format(time.RFC3339))
	if err != nil || !first {
		if err == nil {
			err = store.Rollback(txCtx)
		}
		return err
	}
	if err := createDefaults(txCtx, cfg, store); err != nil {
		return err
	}
	if err := ensureAdminConsole(txCtx, cfg, store); err != nil {
		return err
	}
	// The first signing keys are made here, by exactly one node.
	if err := keys.NewManager(store, secret).EnsureKeys(txCtx); err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	email, pw, generated, err := adminCredentials(cfg)
	if err != nil {
		return err
	}
	admin, err := createAccount(txCtx, store, accountSpec{StoreID: storage.AdministratorsStoreID, Email: email, Password: pw, Verified: true})
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if err := grantOwner(txCtx, store, admin, "administrator.created"); err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	for k, v := range map[string]string{adminSetting: admin.ID, adminConsoleSetting: time.Now().UTC().Format(time.RFC3339)} {
		if _, err := store.SetSettingIfAbsent(txCtx, k, v); err != nil {
			return err
		}
	}
	if err := store.Commit(txCtx); err != nil {
		return err
	}
	log.Info("bootstrapped an empty database", "admin", email)
	if generated {
		// Printed once, to the terminal only, never to the log.
		fmt.Fprintf(out, "\nFirst admin account created:\n  email:    %s\n  password: %s\nStore this password now; it is not shown again.\n\n", email, pw)
	}
	return nil
}

func createDefaults(ctx context.Context, cfg Config, store storage.Store) error {
	if err := store.CreateIdentityStore(ctx, &storage.IdentityStore{
		ID:              defaultStoreID,
		Name:            "Default",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername},
	}); err != nil {
		return fmt.Errorf("default identity store: %w", err)
	}
	if err := store.CreateApplication(ctx, &storage.Application{
		ID: defaultApplicationID, StoreID: defaultStoreID, Name: "Foyer",
	}); err != nil {
		return fmt.Errorf("default application: %w", err)
	}
	// The account portal signs its users in like any other client: public,
	// first-party, code flow with PKCE.
	if err := store.CreateClient(ctx, &storage.Client{
		ID:                     accountPortalClient,
		ApplicationID:          defaultApplicationID,
		Name:                   "Account portal",
		Public:                 true,
		FirstParty:             true,
		RedirectURIs:           []string{cfg.Issuer + portal.CallbackPath},
		PostLogoutRedirectURIs: []string{cfg.Issuer + portal.BasePath},
		GrantTypes:             []string{"authorization_code", "refresh_token"},
		ResponseTypes:          []string{"code"},
		Scopes:                 []string{"openid", "profile", "email", "phone", "offline_access"},
	}); err != nil {
		return fmt.Errorf("account portal client: %w", err)
	}
	return nil
}

func adminCredentials(cfg Config) (email, pw string, generated bool, err error) {
	email, pw = cfg.BootstrapAdminEmail, cfg.BootstrapAdminPassword
	if email == "" {
		email = "admin@localhost"
	}
	if pw == "" {
		buf := make([]byte, 18)
		if _, err := rand.Read(buf); err != nil {
			return "", "", false, err
		}
		pw, generated = base64.RawURLEncoding.EncodeToString(buf), true
	}
	return email, pw, generated, nil
}

// accountSpec is an account to create from the CLI or bootstrap.
type accountSpec struct {
	StoreID  string
	Email    string
	Username string
	Password string
	Verified bool
}

const minPasswordLength = 8

func createAccount(ctx context.Context, store storage.Store, s accountSpec) (*storage.Account, error) {
	if s.StoreID == "" {
		s.StoreID = defaultStoreID
	}
	if len(s.Password) < minPasswordLength {
		return nil, fmt.Errorf("password must be at least %d characters", minPasswordLength)
	}
	hash, err := password.NewHasher(password.OWASP).Hash(ctx, s.Password)
	if err != nil {
		return nil, err
	}
	a := &storage.Account{
		StoreID:        s.StoreID,
		Status:         storage.AccountEnabled,
		Email:          s.Email,
		EmailConfirmed: s.Verified,
		Username:       s.Username,
	}
	if err := store.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	if err := store.SetPassword(ctx, a.ID, hash); err != nil {
		return nil, err
	}
	return a, nil
}
