package manage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// authEnv is the customer notices and the authenticators service over a
// real store: store "s1" with a non-organizational application "shop"
// (client shop-web) and an organizational one "b2b" (client b2b-web), an
// organization with bob as member; store "s2" with its own client; the
// console's client. Accounts: alice (e-mail, English), bob (e-mail,
// German, member), carol (phone only), dave (of s2).
type authEnv struct {
	s       storage.Store
	notices *manage.CustomerNotices
	auth    *manage.AccountAuthenticators
	ended   *endedSessions
	alice   *storage.Account
	bob     *storage.Account
	carol   *storage.Account
	dave    *storage.Account
	inbox   *notifytest.Inbox
	worker  *notify.Worker
}

// endedSessions records EndAccountInTx calls.
type endedSessions struct {
	mu  sync.Mutex
	ids []string
}

func (e *endedSessions) EndInTx(context.Context, *storage.Session) error { return nil }

func (e *endedSessions) EndAccountInTx(_ context.Context, accountID string) ([]storage.Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ids = append(e.ids, accountID)
	return nil, nil
}

func (e *endedSessions) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ids...)
}

// Actors of the tests.
var (
	supportAll = appAdmin(storage.RoleSupport)
	auditorAll = appAdmin(storage.RoleAuditor)
	supportS2  = appAdmin(storage.RoleSupport, "s2")
)

func newAuthEnv(t *testing.T, s storage.Store) *authEnv {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	idents := []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierPhone}
	must(s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "s1", Name: "S1", IdentifierTypes: idents}))
	must(s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "s2", Name: "S2", IdentifierTypes: idents}))
	if _, err := s.GetIdentityStore(ctx, storage.AdministratorsStoreID); errors.Is(err, storage.ErrNotFound) {
		must(s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: storage.AdministratorsStoreID, Name: "Admins", IdentifierTypes: idents}))
	}
	apps := []storage.Application{
		{ID: "shop", StoreID: "s1", Name: "Acme Shop", PrimaryColor: "#112233", LogoURL: "https://cdn.example/shop.png"},
		{ID: "b2b", StoreID: "s1", Name: "Acme Business", Organizational: true},
		{ID: "other", StoreID: "s2", Name: "Other Shop"},
	}
	if _, err := s.GetApplication(ctx, manage.ConsoleApplicationID); errors.Is(err, storage.ErrNotFound) {
		apps = append(apps, storage.Application{ID: manage.ConsoleApplicationID, StoreID: storage.AdministratorsStoreID, Name: "Console"})
	}
	for i := range apps {
		must(s.CreateApplication(ctx, &apps[i]))
	}
	clients := []storage.Client{
		{ID: "shop-web", ApplicationID: "shop", Name: "Shop web", InitiateLoginURI: "https://shop.example/login"},
		{ID: "b2b-web", ApplicationID: "b2b", Name: "Business web"},
		{ID: "other-web", ApplicationID: "other", Name: "Other web"},
	}
	if _, err := s.GetClient(ctx, manage.ConsoleClientID); errors.Is(err, storage.ErrNotFound) {
		clients = append(clients, storage.Client{ID: manage.ConsoleClientID, ApplicationID: manage.ConsoleApplicationID, Name: "Console", Public: true})
	}
	for i := range clients {
		must(s.CreateClient(ctx, &clients[i]))
	}
	e := &authEnv{s: s, ended: &endedSessions{}}
	e.alice = &storage.Account{StoreID: "s1", Status: storage.AccountEnabled, Email: "alice@example.com", EmailConfirmed: true, Language: "en"}
	e.bob = &storage.Account{StoreID: "s1", Status: storage.AccountEnabled, Email: "bob@example.com", EmailConfirmed: true, Language: "de"}
	e.carol = &storage.Account{StoreID: "s1", Status: storage.AccountEnabled, Phone: "+41791234567", PhoneConfirmed: true}
	e.dave = &storage.Account{StoreID: "s2", Status: storage.AccountEnabled, Email: "dave@example.com", EmailConfirmed: true}
	for _, a := range []*storage.Account{e.alice, e.bob, e.carol, e.dave} {
		must(s.CreateAccount(ctx, a))
	}
	org := &storage.Organization{StoreID: "s1", Name: "Acme Partners"}
	must(s.CreateOrganization(ctx, org))
	must(s.AddOrganizationMember(ctx, &storage.OrganizationMember{OrganizationID: org.ID, AccountID: e.bob.ID, StoreID: "s1"}))

	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	must(err)
	sender := notify.NewService(s, renderer, nil)
	sender.UseTemplates(s) // as cmd/foyer wires it
	core := manage.NewCore(s, nil)
	e.notices = manage.NewCustomerNotices(core, s, sender, renderer)
	e.auth = manage.NewAccountAuthenticators(core, manage.AuthenticatorDeps{Store: s, Notices: e.notices, Sender: sender,
		Texts: renderer, Sessions: e.ended, Hasher: password.NewHasher(testParams), Rules: password.NewRules(),
		Issuer: "https://id.example", Lockouts: testLockouts})
	return e
}

// testParams make argon2id cheap for tests.
var testParams = password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// deliver sends the queued messages through the real SMTP server and
// webhook of a notifytest inbox.
func (e *authEnv) deliver(t *testing.T) *notifytest.Inbox {
	t.Helper()
	if e.inbox == nil {
		in, smtpURL, hookURL := notifytest.Start(t)
		in.RequireHTML = true
		mail, err := notify.NewSMTP(smtpURL, "foyer@id.example", nil)
		if err != nil {
			t.Fatal(err)
		}
		e.inbox = in
		e.worker = notify.NewWorker(notify.WorkerConfig{}, e.s, notify.Providers{Email: mail, Phone: notify.NewWebhook(hookURL, nil)})
	}
	for {
		n, err := e.worker.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return e.inbox
		}
	}
}

// queued lists the outbox, newest first.
func (e *authEnv) queued(t *testing.T) []storage.Notification {
	t.Helper()
	got, err := e.s.ListNotifications(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *authEnv) audits(t *testing.T) []storage.AuditEntry {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// lastAudit is the newest entry, failing when the log is empty.
func (e *authEnv) lastAudit(t *testing.T) storage.AuditEntry {
	t.Helper()
	got := e.audits(t)
	if len(got) == 0 {
		t.Fatal("the audit log is empty")
	}
	return got[0]
}

func (e *authEnv) account(t *testing.T, id string) *storage.Account {
	t.Helper()
	a, err := e.s.GetAccount(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func bothAuth(t *testing.T, fn func(t *testing.T, e *authEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newAuthEnv(t, newStore(t)))
	})
}

// wantField fails unless err is a validation error naming the field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a validation error on %s", err, field)
	}
	if _, ok := ve.Fields[field]; !ok {
		t.Fatalf("validation error %v does not name %s", ve, field)
	}
}

func authErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// testLockouts stands in for cmd/foyer's selfservice keys (admin may not
// import selfservice/regulate; cmd/foyer tests the real ones): one
// sign-in counter per e-mail address, ten tries in fifteen minutes.
func testLockouts(acct *storage.Account) []manage.LockoutCounter {
	return []manage.LockoutCounter{{Key: "sign-in:" + acct.Email, Window: 15 * time.Minute, Max: 10}}
}
