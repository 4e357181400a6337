package manage_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// acctEnv is the account actions over a fresh store with the identity
// stores "eu" and "us", a client of "eu" with a back-channel logout URI,
// and a customer of "eu" signed in to it (a session, a token).
type acctEnv struct {
	s       storage.Store
	actions *manage.AccountActions
	client  *storage.Client
	acct    *storage.Account
	group   *storage.Group
}

func newAcctEnv(t *testing.T, s storage.Store) *acctEnv {
	t.Helper()
	ctx := t.Context()
	for _, st := range []storage.IdentityStore{
		{ID: "eu", Name: "EU", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
		{ID: "us", Name: "US", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
		{ID: storage.AdministratorsStoreID, Name: "Administrators", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
	} {
		mustDo(t, s.CreateIdentityStore(ctx, &st))
	}
	app := &storage.Application{StoreID: "eu", Name: "Shop"}
	mustDo(t, s.CreateApplication(ctx, app))
	e := &acctEnv{s: s}
	e.client = &storage.Client{ApplicationID: app.ID, Name: "shop", RedirectURIs: []string{"https://rp.example/cb"},
		BackchannelLogoutURI: "https://rp.example/logout"}
	mustDo(t, s.CreateClient(ctx, e.client))
	e.acct = &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "ann@example.com", EmailConfirmed: true}
	mustDo(t, s.CreateAccount(ctx, e.acct))
	e.group = &storage.Group{StoreID: "eu", Name: "staff"}
	mustDo(t, s.CreateGroup(ctx, e.group))
	e.signIn(t)
	core := manage.NewCore(s, nil)
	e.actions = manage.NewAccountActions(core, s, session.NewManager(s, session.Config{}))
	return e
}

// signIn gives the account a session the client took part in and an
// access token issued under it.
func (e *acctEnv) signIn(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	sess := &storage.Session{ID: "sess-" + e.acct.ID + now.Format("150405.000000000"), AccountID: e.acct.ID,
		AuthTime: now, AMR: []string{"pwd"}, ExpiresAt: now.Add(time.Hour)}
	mustDo(t, e.s.CreateSession(ctx, sess))
	mustDo(t, e.s.RecordSessionClient(ctx, sess.ID, e.client.ID))
	mustDo(t, e.s.CreateToken(ctx, &storage.Token{Kind: storage.TokenAccess, Signature: "sig-" + sess.ID, RequestID: "req-" + sess.ID,
		ClientID: e.client.ID, Subject: e.acct.ID, SessionID: sess.ID, Active: true, ExpiresAt: now.Add(time.Hour)}))
	return sess.ID
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func bothAccts(t *testing.T, fn func(t *testing.T, e *acctEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newAcctEnv(t, newStore(t)))
	})
}

// lastAccountAudit is the newest audit entry, which must be about the
// account with the action.
func lastAccountAudit(t *testing.T, s storage.Store, acct *storage.Account, action string) (before, after map[string]any) {
	t.Helper()
	got, err := s.ListAuditEntries(t.Context(), storage.AuditFilter{Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListAuditEntries = %v, %v", got, err)
	}
	en := got[0]
	if en.Action != action || en.TargetType != "account" || en.TargetID != acct.ID || en.StoreID != acct.StoreID {
		t.Fatalf("audit entry = %s %s %s %s; want %s account %s %s", en.Action, en.TargetType, en.TargetID, en.StoreID, action, acct.ID, acct.StoreID)
	}
	for raw, into := range map[string]*map[string]any{en.Before: &before, en.After: &after} {
		if raw != "" {
			mustDo(t, json.Unmarshal([]byte(raw), into))
		}
	}
	return before, after
}

func auditTotal(t *testing.T, s storage.Store) int {
	t.Helper()
	got, err := s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	mustDo(t, err)
	return len(got)
}

// checkSignedOut: no session, no token, and one back-channel notice queued
// for the client.
func (e *acctEnv) checkSignedOut(t *testing.T, accountID string) {
	t.Helper()
	ctx := t.Context()
	sessions, err := e.s.ListSessionsByAccount(ctx, accountID)
	mustDo(t, err)
	if len(sessions) != 0 {
		t.Errorf("sessions left: %d", len(sessions))
	}
	if n, err := e.s.RevokeTokensBySubject(ctx, accountID); err != nil || n != 0 {
		t.Errorf("tokens left: %d, %v", n, err)
	}
	notices, err := e.s.ClaimLogoutNotices(ctx, time.Now().Add(time.Minute), time.Minute, 10)
	mustDo(t, err)
	if len(notices) != 1 || notices[0].ClientID != e.client.ID || notices[0].AccountID != accountID {
		t.Errorf("logout notices = %+v, want one for client %s", notices, e.client.ID)
	}
}

func TestAccountDisableEndsEverything(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		support := appAdmin(storage.RoleSupport, "eu")
		mustDo(t, e.actions.Disable(t.Context(), support, "eu", e.acct.ID))
		got, err := e.s.GetAccount(t.Context(), e.acct.ID)
		mustDo(t, err)
		if got.Status != storage.AccountDisabled {
			t.Errorf("status = %s, want disabled", got.Status)
		}
		before, after := lastAccountAudit(t, e.s, e.acct, "account.disabled")
		if before["status"] != "enabled" || after["status"] != "disabled" || after["sessions_ended"] != 1.0 || after["tokens_revoked"] != 1.0 {
			t.Errorf("audit before %v after %v", before, after)
		}
		e.checkSignedOut(t, e.acct.ID)

		mustDo(t, e.actions.Enable(t.Context(), support, "eu", e.acct.ID))
		got, _ = e.s.GetAccount(t.Context(), e.acct.ID)
		if got.Status != storage.AccountEnabled {
			t.Errorf("status = %s, want enabled", got.Status)
		}
		lastAccountAudit(t, e.s, e.acct, "account.enabled")
		n := auditTotal(t, e.s)
		mustDo(t, e.actions.Enable(t.Context(), support, "eu", e.acct.ID))
		if auditTotal(t, e.s) != n {
			t.Error("enabling an enabled account wrote an audit entry")
		}
	})
}

func TestAccountEnablePendingKeepsEmailUnconfirmed(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		pending := &storage.Account{StoreID: "eu", Status: storage.AccountPending, Email: "pen@example.com"}
		mustDo(t, e.s.CreateAccount(t.Context(), pending))
		mustDo(t, e.actions.Enable(t.Context(), appAdmin(storage.RoleSupport), "eu", pending.ID))
		got, err := e.s.GetAccount(t.Context(), pending.ID)
		mustDo(t, err)
		if got.Status != storage.AccountEnabled || got.EmailConfirmed {
			t.Errorf("after enable: status %s, email confirmed %v; want enabled, unconfirmed", got.Status, got.EmailConfirmed)
		}
		before, _ := lastAccountAudit(t, e.s, pending, "account.enabled")
		if before["status"] != "pending" {
			t.Errorf("audit before = %v", before)
		}
	})
}

func TestAccountDeleteCleansUp(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		mustDo(t, e.s.AddGroupMember(t.Context(), e.group.ID, e.acct.ID))
		mustDo(t, e.actions.Delete(t.Context(), appAdmin(storage.RoleOwner), "eu", e.acct.ID))
		if _, err := e.s.GetAccount(t.Context(), e.acct.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("GetAccount after delete: %v", err)
		}
		before, after := lastAccountAudit(t, e.s, e.acct, "account.deleted")
		if after != nil || before["status"] != "enabled" || before["email"] != nil {
			t.Errorf("audit before %v after %v; want the status and no personal data", before, after)
		}
		e.checkSignedOut(t, e.acct.ID)
		wantIs(t, "delete twice", e.actions.Delete(t.Context(), appAdmin(storage.RoleOwner), "eu", e.acct.ID), manage.ErrNotFound)
	})
}

func TestAccountActionsRefused(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		ctx := t.Context()
		n := auditTotal(t, e.s)
		wantIs(t, "auditor", e.actions.Disable(ctx, appAdmin(storage.RoleAuditor), "eu", e.acct.ID), manage.ErrForbidden)
		wantIs(t, "admin role", e.actions.Disable(ctx, appAdmin(storage.RoleAdmin), "eu", e.acct.ID), manage.ErrForbidden)
		wantIs(t, "other store's support", e.actions.Delete(ctx, appAdmin(storage.RoleSupport, "us"), "eu", e.acct.ID), manage.ErrForbidden)
		wantIs(t, "wrong store in path", e.actions.Disable(ctx, appAdmin(storage.RoleSupport), "us", e.acct.ID), manage.ErrNotFound)
		wantIs(t, "unknown", e.actions.Disable(ctx, appAdmin(storage.RoleSupport), "eu", "nope"), manage.ErrNotFound)
		admin := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: "root@example.com"}
		mustDo(t, e.s.CreateAccount(ctx, admin))
		wantIs(t, "administrator", e.actions.Disable(ctx, appAdmin(storage.RoleOwner), storage.AdministratorsStoreID, admin.ID), manage.ErrNotFound)
		act, _ := e.actions.QuickAction(manage.ActionDisable)
		if _, err := act(ctx, appAdmin(storage.RoleOwner), admin, ""); !errors.Is(err, manage.ErrNotFound) {
			t.Errorf("quick action on an administrator: %v", err)
		}
		if _, err := act(ctx, appAdmin(storage.RoleSupport, "us"), e.acct, ""); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("quick action by another store's support: %v", err)
		}
		got, _ := e.s.GetAccount(ctx, e.acct.ID)
		if got.Status != storage.AccountEnabled || auditTotal(t, e.s) != n {
			t.Error("a refused action changed something")
		}
		if _, ok := e.actions.QuickAction("explode"); ok {
			t.Error("QuickAction(explode) found")
		}
	})
}

func TestAccountGroupMembership(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		ctx := t.Context()
		support := appAdmin(storage.RoleSupport, "eu")
		mustDo(t, e.actions.AddToGroup(ctx, support, "eu", e.acct.ID, e.group.ID))
		_, after := lastAccountAudit(t, e.s, e.acct, "account.group_added")
		if after["group_id"] != e.group.ID || after["group"] != "staff" {
			t.Errorf("audit after = %v", after)
		}
		groups, err := e.s.ListAccountGroups(ctx, e.acct.ID)
		if err != nil || len(groups) != 1 {
			t.Fatalf("groups = %v, %v", groups, err)
		}
		n := auditTotal(t, e.s)
		mustDo(t, e.actions.AddToGroup(ctx, support, "eu", e.acct.ID, e.group.ID))
		if auditTotal(t, e.s) != n {
			t.Error("adding a member again wrote an entry")
		}
		mustDo(t, e.actions.RemoveFromGroup(ctx, support, "eu", e.acct.ID, e.group.ID))
		before, _ := lastAccountAudit(t, e.s, e.acct, "account.group_removed")
		if before["group"] != "staff" {
			t.Errorf("audit before = %v", before)
		}
		if groups, _ := e.s.ListAccountGroups(ctx, e.acct.ID); len(groups) != 0 {
			t.Errorf("groups after removal = %v", groups)
		}
		other := &storage.Group{StoreID: "us", Name: "staff"}
		mustDo(t, e.s.CreateGroup(ctx, other))
		var ve *manage.ValidationError
		if err := e.actions.AddToGroup(ctx, support, "eu", e.acct.ID, other.ID); !errors.As(err, &ve) || ve.Fields["group"] == "" {
			t.Errorf("group of another store: %v, want a group field error", err)
		}
		if err := e.actions.AddToGroup(ctx, support, "eu", e.acct.ID, ""); !errors.As(err, &ve) {
			t.Errorf("no group: %v", err)
		}
		wantIs(t, "auditor adds", e.actions.AddToGroup(ctx, appAdmin(storage.RoleAuditor), "eu", e.acct.ID, e.group.ID), manage.ErrForbidden)
	})
}

func TestAccountEndSessions(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		n, err := e.actions.EndSessions(t.Context(), appAdmin(storage.RoleSupport, "eu"), "eu", e.acct.ID)
		if err != nil || n != 1 {
			t.Fatalf("EndSessions = %d, %v", n, err)
		}
		_, after := lastAccountAudit(t, e.s, e.acct, "account.sessions_ended")
		if after["sessions_ended"] != 1.0 {
			t.Errorf("audit after = %v", after)
		}
		e.checkSignedOut(t, e.acct.ID)
		got, _ := e.s.GetAccount(t.Context(), e.acct.ID)
		if got.Status != storage.AccountEnabled {
			t.Errorf("status = %s; ending sessions must not disable", got.Status)
		}
	})
}

func wantIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}
