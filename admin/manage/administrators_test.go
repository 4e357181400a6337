package manage_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

type adminsEnv struct {
	s      storage.Store
	core   *manage.Core
	admins *manage.Administrators
	owner  manage.Actor // the first owner, signed in
}

// newAdminsEnv makes the administrators store, a customer store "eu" and
// a first owner created by the system (as the CLI does).
func newAdminsEnv(t *testing.T, s storage.Store) *adminsEnv {
	t.Helper()
	ctx := t.Context()
	for _, id := range []string{storage.AdministratorsStoreID, "eu"} {
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
	}
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	core := manage.NewCore(s, nil)
	e := &adminsEnv{s: s, core: core,
		admins: manage.NewAdministrators(core, s, notify.NewService(s, renderer, nil), "https://id.example/")}
	first, err := e.admins.Create(ctx, manage.System(), manage.NewAdministrator{Email: "root@example.com",
		Password: "root-password-1", Grants: []manage.Grant{{Role: storage.RoleOwner}}})
	if err != nil {
		t.Fatalf("Create first owner: %v", err)
	}
	e.owner = e.actor(t, first.ID)
	return e
}

// actor signs in the administrator as the console would.
func (e *adminsEnv) actor(t *testing.T, id string) manage.Actor {
	t.Helper()
	a, err := e.core.Administrator(t.Context(), id, "192.0.2.7", "test-browser")
	if err != nil {
		t.Fatalf("Administrator(%s): %v", id, err)
	}
	return a
}

// lastAudit is the newest audit entry.
func (e *adminsEnv) lastAudit(t *testing.T) storage.AuditEntry {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListAuditEntries = %v, %v", got, err)
	}
	return got[0]
}

func (e *adminsEnv) auditCount(t *testing.T) int {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

func bothAdmins(t *testing.T, fn func(t *testing.T, e *adminsEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newAdminsEnv(t, newStore(t)))
	})
}

func TestAdministratorsCreateByTheSystem(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		entry := e.lastAudit(t)
		if entry.Action != "administrator.created" || entry.ActorKind != storage.PrincipalSystem ||
			entry.TargetID != e.owner.ID || strings.Contains(entry.After, "root-password-1") ||
			!strings.Contains(entry.After, `"email":"root@example.com"`) {
			t.Fatalf("audit entry = %+v", entry)
		}
		acct, err := e.s.GetAccount(t.Context(), e.owner.ID)
		if err != nil || acct.StoreID != storage.AdministratorsStoreID || acct.Status != storage.AccountEnabled {
			t.Fatalf("account = %+v, %v", acct, err)
		}
		if _, err := e.s.GetPassword(t.Context(), e.owner.ID); err != nil {
			t.Errorf("password not stored: %v", err)
		}
		_, err = e.admins.Create(t.Context(), manage.System(), manage.NewAdministrator{Email: "x@example.com",
			Password: "short", Grants: []manage.Grant{{Role: storage.RoleAdmin}}})
		var ve *manage.ValidationError
		if !errors.As(err, &ve) || ve.Fields["password"] == "" {
			t.Errorf("short password: %v", err)
		}
	})
}

func TestAdministratorsInvite(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		inv, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "new@example.com",
			Grants: []manage.Grant{{Role: storage.RoleSupport, StoreIDs: []string{"eu"}}, {Role: storage.RoleAuditor}}})
		if err != nil {
			t.Fatalf("Invite: %v", err)
		}
		if inv.Status != storage.AccountEnabled || len(inv.Grants) != 2 || inv.Grants[0].StoreIDs[0] != "eu" {
			t.Errorf("invited = %+v", inv)
		}
		if _, err := e.s.GetPassword(ctx, inv.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("invitee has a password: %v", err)
		}
		mails, err := e.s.ListNotifications(ctx, 10)
		if err != nil || len(mails) != 1 {
			t.Fatalf("notifications = %v, %v", mails, err)
		}
		if m := mails[0]; m.To != "new@example.com" || !strings.Contains(m.Text, "https://id.example/admin") ||
			!strings.Contains(m.Text, "Forgot password?") || !strings.Contains(m.HTML, "https://id.example/admin") {
			t.Errorf("invitation = %q / %q", m.Subject, m.Text)
		}
		entry := e.lastAudit(t)
		if entry.Action != "administrator.invited" || entry.ActorID != e.owner.ID || entry.Role != storage.RoleOwner ||
			entry.IP != "192.0.2.7" || entry.UserAgent != "test-browser" || entry.TargetID != inv.ID || entry.StoreID != "" {
			t.Errorf("audit entry = %+v", entry)
		}
		// The invitee is an administrator now (auditor over everything).
		if a := e.actor(t, inv.ID); !a.Can(manage.ReadAudit, "") || a.Can(manage.ManageAdministrators, "") {
			t.Errorf("invitee's permissions are wrong: %+v", a.Grants)
		}
		_, err = e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "NEW@example.com",
			Grants: []manage.Grant{{Role: storage.RoleAdmin}}})
		if !errors.Is(err, manage.ErrConflict) {
			t.Errorf("second invitation of the address: %v, want ErrConflict", err)
		}
	})
}

func TestAdministratorsInviteRefused(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		before := e.auditCount(t)
		_, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "not an address",
			Grants: []manage.Grant{{Role: "god"}, {Role: storage.RoleAdmin, StoreIDs: []string{"nowhere"}},
				{Role: storage.RoleAdmin}}})
		var ve *manage.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("Invite with bad input = %v, want a ValidationError", err)
		}
		for _, f := range []string{"email", "grants[0].role", "grants[1].store_ids", "grants[2].role"} {
			if ve.Fields[f] == "" {
				t.Errorf("no error for %s: %v", f, ve.Fields)
			}
		}
		if _, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "a@example.com"}); !errors.As(err, &ve) || ve.Fields["grants"] == "" {
			t.Errorf("Invite without grants = %v", err)
		}
		for name, a := range map[string]manage.Actor{
			"admin":        actorWith(storage.AdminGrant{Role: storage.RoleAdmin}),
			"scoped owner": actorWith(storage.AdminGrant{Role: storage.RoleOwner, StoreIDs: []string{"eu"}}),
			"customer":     {Kind: storage.PrincipalAdministrator, ID: "x"},
		} {
			_, err := e.admins.Invite(ctx, a, manage.NewAdministrator{Email: "b@example.com", Grants: []manage.Grant{{Role: storage.RoleAdmin}}})
			if !errors.Is(err, manage.ErrForbidden) {
				t.Errorf("%s: Invite = %v, want ErrForbidden", name, err)
			}
		}
		noMail := manage.NewAdministrators(e.core, e.s, nil, "https://id.example")
		if _, err := noMail.Invite(ctx, e.owner, manage.NewAdministrator{Email: "c@example.com", Grants: []manage.Grant{{Role: storage.RoleAdmin}}}); !errors.Is(err, manage.ErrNoMailer) {
			t.Errorf("Invite without a mailer = %v", err)
		}
		if after := e.auditCount(t); after != before {
			t.Errorf("refused invitations wrote %d audit entries", after-before)
		}
		if list, err := e.admins.List(ctx, e.owner); err != nil || len(list) != 1 {
			t.Errorf("refused invitations left administrators: %v, %v", list, err)
		}
	})
}

func TestAdministratorsListAndGet(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		inv, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "aa@example.com", Grants: []manage.Grant{{Role: storage.RoleAuditor}}})
		if err != nil {
			t.Fatal(err)
		}
		auditor := e.actor(t, inv.ID)
		list, err := e.admins.List(ctx, auditor)
		if err != nil || len(list) != 2 || list[0].Email != "aa@example.com" || list[1].Email != "root@example.com" {
			t.Fatalf("List = %+v, %v", list, err)
		}
		got, err := e.admins.Get(ctx, auditor, e.owner.ID)
		if err != nil || got.Grants[0].Role != storage.RoleOwner {
			t.Errorf("Get = %+v, %v", got, err)
		}
		customer := &storage.Account{StoreID: "eu", Email: "c@example.com"}
		if err := e.s.CreateAccount(ctx, customer); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admins.Get(ctx, auditor, customer.ID); !errors.Is(err, manage.ErrNotFound) {
			t.Errorf("Get of a customer = %v, want ErrNotFound", err)
		}
		support := actorWith(storage.AdminGrant{Role: storage.RoleSupport})
		if _, err := e.admins.List(ctx, support); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("support List = %v, want ErrForbidden", err)
		}
		if _, err := e.admins.Get(ctx, support, e.owner.ID); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("support Get = %v, want ErrForbidden", err)
		}
	})
}

func TestAdministratorsSetRoles(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		inv, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "b@example.com", Grants: []manage.Grant{{Role: storage.RoleAdmin}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.admins.SetRoles(ctx, e.owner, inv.ID, 0, []manage.Grant{{Role: storage.RoleSupport, StoreIDs: []string{"eu"}}})
		if err != nil || len(got.Grants) != 1 || got.Grants[0].Role != storage.RoleSupport {
			t.Fatalf("SetRoles = %+v, %v", got, err)
		}
		entry := e.lastAudit(t)
		if entry.Action != "administrator.roles_set" || !strings.Contains(entry.Before, `"role":"admin"`) ||
			!strings.Contains(entry.After, `"store_ids":["eu"]`) {
			t.Errorf("audit entry = %+v", entry)
		}
		a := e.actor(t, inv.ID)
		if a.Can(manage.WriteConfig, "eu") || !a.Can(manage.WriteAccounts, "eu") || a.Can(manage.WriteAccounts, "us") {
			t.Errorf("new roles not in force: %+v", a.Grants)
		}
		var ve *manage.ValidationError
		if _, err := e.admins.SetRoles(ctx, e.owner, inv.ID, 0, []manage.Grant{{Role: storage.RoleAdmin, StoreIDs: []string{storage.AdministratorsStoreID}}}); !errors.As(err, &ve) {
			t.Errorf("SetRoles to the administrators store = %v", err)
		}
		// The only owner cannot give up owning.
		before := e.auditCount(t)
		if _, err := e.admins.SetRoles(ctx, e.owner, e.owner.ID, 0, []manage.Grant{{Role: storage.RoleAdmin}}); !errors.Is(err, manage.ErrConflict) {
			t.Errorf("demoting the last owner = %v, want ErrConflict", err)
		}
		if _, err := e.admins.SetRoles(ctx, manage.System(), e.owner.ID, 0, []manage.Grant{{Role: storage.RoleOwner, StoreIDs: []string{"eu"}}}); !errors.Is(err, manage.ErrConflict) {
			t.Errorf("limiting the last owner to a store = %v, want ErrConflict", err)
		}
		if e.auditCount(t) != before {
			t.Error("a refused change wrote an audit entry")
		}
		if _, err := e.admins.SetRoles(ctx, a, inv.ID, 0, []manage.Grant{{Role: storage.RoleOwner}}); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("support promoting itself = %v, want ErrForbidden", err)
		}
		if _, err := e.admins.SetRoles(ctx, e.owner, "missing", 0, []manage.Grant{{Role: storage.RoleAdmin}}); !errors.Is(err, manage.ErrNotFound) {
			t.Errorf("SetRoles of nobody = %v, want ErrNotFound", err)
		}
	})
}

func TestAdministratorsDisableAndEnable(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		second, err := e.admins.Create(ctx, e.owner, manage.NewAdministrator{Email: "second@example.com",
			Password: "second-password", Grants: []manage.Grant{{Role: storage.RoleOwner}}})
		if err != nil {
			t.Fatal(err)
		}
		sess := &storage.Session{AccountID: second.ID, AuthTime: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
		if err := e.s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		tok := &storage.Token{Kind: storage.TokenAccess, Signature: "sig-second", RequestID: "req", ClientID: manage.ConsoleClientID,
			Subject: second.ID, Active: true, Data: []byte(`{}`), ExpiresAt: time.Now().Add(time.Hour)}
		if err := e.s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admins.Disable(ctx, e.owner, e.owner.ID, 0); !errors.Is(err, manage.ErrConflict) {
			t.Errorf("disabling oneself = %v, want ErrConflict", err)
		}
		got, err := e.admins.Disable(ctx, e.owner, second.ID, 0)
		if err != nil || got.Status != storage.AccountDisabled {
			t.Fatalf("Disable = %+v, %v", got, err)
		}
		if _, err := e.s.GetSession(ctx, sess.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("session survived: %v", err)
		}
		if _, err := e.s.GetToken(ctx, tok.Kind, tok.Signature); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("token survived: %v", err)
		}
		if _, err := e.core.Administrator(ctx, second.ID, "", ""); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("a disabled administrator is still an actor: %v", err)
		}
		if entry := e.lastAudit(t); entry.Action != "administrator.disabled" || entry.TargetID != second.ID ||
			!strings.Contains(entry.After, `"status":"disabled"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		// Now the first owner is the last: the system cannot disable it.
		if _, err := e.admins.Disable(ctx, manage.System(), e.owner.ID, 0); !errors.Is(err, manage.ErrConflict) {
			t.Errorf("disabling the last enabled owner = %v, want ErrConflict", err)
		}
		got, err = e.admins.Enable(ctx, e.owner, second.ID, 0)
		if err != nil || got.Status != storage.AccountEnabled {
			t.Fatalf("Enable = %+v, %v", got, err)
		}
		if entry := e.lastAudit(t); entry.Action != "administrator.enabled" {
			t.Errorf("audit entry = %+v", entry)
		}
		// With two enabled owners, one may disable the other.
		if _, err := e.admins.Disable(ctx, e.actor(t, second.ID), e.owner.ID, 0); err != nil {
			t.Errorf("second owner disabling the first: %v", err)
		}
		if _, err := e.admins.Enable(ctx, actorWith(storage.AdminGrant{Role: storage.RoleAdmin}), e.owner.ID, 0); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("admin enabling = %v, want ErrForbidden", err)
		}
	})
}

func TestAdministratorsRemove(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		inv, err := e.admins.Invite(ctx, e.owner, manage.NewAdministrator{Email: "gone@example.com", Grants: []manage.Grant{{Role: storage.RoleOwner}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.admins.Remove(ctx, e.owner, e.owner.ID, 0); !errors.Is(err, manage.ErrConflict) {
			t.Errorf("removing oneself = %v, want ErrConflict", err)
		}
		if err := e.admins.Remove(ctx, e.actor(t, inv.ID), "missing", 0); !errors.Is(err, manage.ErrNotFound) {
			t.Errorf("removing nobody = %v, want ErrNotFound", err)
		}
		if err := e.admins.Remove(ctx, actorWith(storage.AdminGrant{Role: storage.RoleAuditor}), inv.ID, 0); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("auditor removing = %v, want ErrForbidden", err)
		}
		if err := e.admins.Remove(ctx, e.owner, inv.ID, 0); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if _, err := e.s.GetAccount(ctx, inv.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("removed account still there: %v", err)
		}
		if g, err := e.s.ListAdminGrants(ctx, storage.PrincipalAdministrator, inv.ID); err != nil || len(g) != 0 {
			t.Errorf("removed administrator's grants = %v, %v", g, err)
		}
		if entry := e.lastAudit(t); entry.Action != "administrator.removed" || entry.TargetID != inv.ID ||
			!strings.Contains(entry.Before, "gone@example.com") || entry.After != "" {
			t.Errorf("audit entry = %+v", entry)
		}
		if err := e.admins.Remove(ctx, manage.System(), e.owner.ID, 0); !errors.Is(err, manage.ErrConflict) {
			t.Errorf("removing the last owner = %v, want ErrConflict", err)
		}
		if n, err := manage.VerifyAudit(ctx, e.s, nil); err != nil || n != 3 { // created, invited, removed
			t.Errorf("VerifyAudit after the changes = %d, %v", n, err)
		}
	})
}

// Two owners disabling each other at once: one wins, the other is refused,
// and an enabled owner remains.
func TestAdministratorsMutualDisable(t *testing.T) {
	bothAdmins(t, func(t *testing.T, e *adminsEnv) {
		ctx := t.Context()
		second, err := e.admins.Create(ctx, e.owner, manage.NewAdministrator{Email: "second@example.com",
			Password: "second-password", Grants: []manage.Grant{{Role: storage.RoleOwner}}})
		if err != nil {
			t.Fatal(err)
		}
		other := e.actor(t, second.ID)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []struct {
			by     manage.Actor
			target string
		}{{e.owner, second.ID}, {other, e.owner.ID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.admins.Disable(ctx, c.by, c.target, 0)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, manage.ErrConflict):
				t.Errorf("Disable = %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of two mutual disables succeeded (%v); want exactly one", ok, errs)
		}
		list, err := e.admins.List(ctx, manage.System())
		if err != nil {
			t.Fatal(err)
		}
		enabled := 0
		for _, a := range list {
			if a.Status == storage.AccountEnabled {
				enabled++
			}
		}
		if enabled != 1 {
			t.Errorf("%d enabled owners remain, want 1", enabled)
		}
	})
}
