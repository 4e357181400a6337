package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

const (
	// adminConsoleSetting marks a database that has the administrators
	// store, the console's application and client, and its bootstrap admin
	// in the administrators store.
	adminConsoleSetting = "admin_console_upgraded_at"
	// legacyAdminScope authorized the clients-only admin API before admin
	// grants; the upgrade gives its holders the admin role.
	legacyAdminScope = "foyer:admin"
)

// ensureAdminConsole creates what the admin console needs, skipping
// anything that exists: the administrators identity store, the console's
// application (its sign-in always asks for a second factor; nobody
// registers into it) and its public first-party client. Each creation is
// audited as the system's.
func ensureAdminConsole(ctx context.Context, cfg Config, store storage.Store) error {
	audit := func(ch manage.Change) error {
		ch.StoreID = storage.AdministratorsStoreID
		return manage.NewCore(store, nil).Record(ctx, manage.System(), manage.WriteConfig, ch)
	}
	if err := ensureAdministratorsStore(ctx, store, audit); err != nil {
		return err
	}
	if err := ensureConsoleApplication(ctx, store, audit); err != nil {
		return err
	}
	return ensureConsoleClient(ctx, cfg, store, audit)
}

func ensureAdministratorsStore(ctx context.Context, store storage.Store, audit func(manage.Change) error) error {
	_, err := store.GetIdentityStore(ctx, storage.AdministratorsStoreID)
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	st := &storage.IdentityStore{ID: storage.AdministratorsStoreID, Name: "Administrators",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}
	if err := store.CreateIdentityStore(ctx, st); err != nil {
		return fmt.Errorf("administrators store: %w", err)
	}
	return audit(manage.Change{Action: "store.created", TargetType: "store", TargetID: st.ID,
		After: map[string]any{"id": st.ID, "name": st.Name, "identifier_types": st.IdentifierTypes}})
}

func ensureConsoleApplication(ctx context.Context, store storage.Store, audit func(manage.Change) error) error {
	_, err := store.GetApplication(ctx, manage.ConsoleApplicationID)
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	self := storage.DefaultSelfServicePolicy()
	self.RegistrationEnabled = false
	app := &storage.Application{ID: manage.ConsoleApplicationID, StoreID: storage.AdministratorsStoreID,
		Name: "Admin console", SelfService: self,
		MFA: storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodPasskey, storage.MethodTOTP}}}
	if err := store.CreateApplication(ctx, app); err != nil {
		return fmt.Errorf("admin console application: %w", err)
	}
	return audit(manage.Change{Action: "application.created", TargetType: "application", TargetID: app.ID,
		After: map[string]any{"id": app.ID, "name": app.Name, "store_id": app.StoreID,
			"registration_enabled": false, "mfa": app.MFA}})
}

func ensureConsoleClient(ctx context.Context, cfg Config, store storage.Store, audit func(manage.Change) error) error {
	_, err := store.GetClient(ctx, manage.ConsoleClientID)
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	c := &storage.Client{
		ID:                     manage.ConsoleClientID,
		ApplicationID:          manage.ConsoleApplicationID,
		Name:                   "Admin console",
		Public:                 true,
		FirstParty:             true,
		RedirectURIs:           []string{cfg.Issuer + manage.ConsoleCallbackPath},
		PostLogoutRedirectURIs: []string{cfg.Issuer + manage.ConsoleBasePath},
		GrantTypes:             []string{"authorization_code", "refresh_token"},
		ResponseTypes:          []string{"code"},
		Scopes:                 []string{"openid", "profile", "email"},
	}
	if err := store.CreateClient(ctx, c); err != nil {
		return fmt.Errorf("admin console client: %w", err)
	}
	return audit(manage.Change{Action: "client.created", TargetType: "client", TargetID: c.ID, After: clientView(c)})
}

// grantOwner makes the account an owner over every store and records it.
func grantOwner(ctx context.Context, store storage.Store, acct *storage.Account, action string) error {
	// Checked first, not by catching ErrConflict: a failed statement
	// aborts a PostgreSQL transaction.
	held, err := store.ListAdminGrants(ctx, storage.PrincipalAdministrator, acct.ID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(held, func(g storage.AdminGrant) bool { return g.Role == storage.RoleOwner }) {
		return nil
	}
	g := &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator, PrincipalID: acct.ID, Role: storage.RoleOwner}
	if err := store.CreateAdminGrant(ctx, g); err != nil {
		return fmt.Errorf("owner grant: %w", err)
	}
	return manage.NewCore(store, nil).Record(ctx, manage.System(), manage.ManageAdministrators, manage.Change{
		Action: action, TargetType: "administrator", TargetID: acct.ID,
		After: map[string]any{"id": acct.ID, "email": acct.Email, "grants": []manage.Grant{{Role: storage.RoleOwner}}},
	})
}

// upgradeAdminConsole brings a database bootstrapped before the admin
// console up to date, once: it creates what ensureAdminConsole creates,
// moves the bootstrap admin from the default store into the
// administrators store as an owner, and gives the admin role to every
// client holding the old foyer:admin scope, so API callers keep working.
// Like bootstrap it runs in one transaction guarded by a setting, so of
// two nodes starting at once exactly one does it.
func upgradeAdminConsole(ctx context.Context, cfg Config, store storage.Store, log *slog.Logger) (err error) {
	txCtx, err := store.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = store.Rollback(txCtx)
		}
	}()
	first, err := store.SetSettingIfAbsent(txCtx, adminConsoleSetting, time.Now().UTC().Format(time.RFC3339))
	if err != nil || !first {
		if err == nil {
			err = store.Rollback(txCtx)
		}
		return err
	}
	if err := ensureAdminConsole(txCtx, cfg, store); err != nil {
		return err
	}
	moved, err := moveBootstrapAdmin(txCtx, store, log)
	if err != nil {
		return err
	}
	granted, err := grantLegacyAdminClients(txCtx, store)
	if err != nil {
		return err
	}
	if err := store.Commit(txCtx); err != nil {
		return err
	}
	log.Info("upgraded the database for the admin console", "bootstrap_admin_moved", moved, "clients_granted_admin", granted)
	return nil
}

// moveBootstrapAdmin moves the account bootstrap made (setting
// bootstrap_admin_account_id) into the administrators store and makes it
// an owner; its sessions and tokens end, as they were a customer's.
func moveBootstrapAdmin(ctx context.Context, store storage.Store, log *slog.Logger) (bool, error) {
	id, err := store.GetSetting(ctx, adminSetting)
	if errors.Is(err, storage.ErrNotFound) || id == "" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	acct, err := store.GetAccount(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil // deleted by an operator since
	}
	if err != nil {
		return false, err
	}
	if acct.StoreID != storage.AdministratorsStoreID {
		if err := store.MoveAccountToStore(ctx, acct.ID, storage.AdministratorsStoreID); err != nil {
			return false, fmt.Errorf("move the bootstrap admin: %w", err)
		}
		if _, err := store.DeleteSessionsByAccount(ctx, acct.ID, ""); err != nil {
			return false, err
		}
		if _, err := store.RevokeTokensBySubject(ctx, acct.ID); err != nil {
			return false, err
		}
		if err := clearCredentials(ctx, store, acct.ID); err != nil {
			return false, err
		}
		log.Warn("the bootstrap admin is now an owner in the administrators store and has no password: "+
			"set one with \"Forgot password?\" on the console's sign-in page", "account_id", acct.ID, "email", acct.Email)
	}
	return true, grantOwner(ctx, store, acct, "administrator.migrated")
}

// clearCredentials removes the moved admin's password and pending
// one-time secrets (reset links, codes): bootstrap printed a generated
// password at first boot, so it may sit in container logs, and an owner
// must not sign in with it. A password reset by e-mail sets a new one.
func clearCredentials(ctx context.Context, store storage.Store, accountID string) error {
	if err := store.DeletePassword(ctx, accountID); err != nil {
		return fmt.Errorf("clear the bootstrap admin's password: %w", err)
	}
	if _, err := store.DeleteAllOneTimeSecrets(ctx, accountID); err != nil {
		return fmt.Errorf("clear the bootstrap admin's one-time secrets: %w", err)
	}
	return nil
}

// grantLegacyAdminClients gives an admin grant to every client whose
// scopes include foyer:admin and that holds no grant yet.
func grantLegacyAdminClients(ctx context.Context, store storage.Store) (int, error) {
	clients, err := store.ListClients(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range clients {
		if !slices.Contains(c.Scopes, legacyAdminScope) {
			continue
		}
		held, err := store.ListAdminGrants(ctx, storage.PrincipalClient, c.ID)
		if err != nil {
			return n, err
		}
		if len(held) > 0 {
			continue
		}
		g := &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: c.ID, Role: storage.RoleAdmin}
		if err := store.CreateAdminGrant(ctx, g); err != nil {
			return n, fmt.Errorf("admin grant of client %s: %w", c.ID, err)
		}
		err = manage.NewCore(store, nil).Record(ctx, manage.System(), manage.ManageAdministrators, manage.Change{
			Action: "client.admin_granted", TargetType: "client", TargetID: c.ID,
			After: manage.Grant{Role: storage.RoleAdmin}})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
