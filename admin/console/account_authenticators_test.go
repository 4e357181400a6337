package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// newAuthEnv is newEnv with the Authenticators tab's services, an
// application of store A (non-organizational) with a client "shop" that
// notices go through, and a customer with a passkey.
func newAuthEnv(t *testing.T, store storage.Store) (*testEnv, *storage.Account, *storage.Authenticator) {
	t.Helper()
	if store == nil {
		store = sqltest.SQLite(t)
	}
	cs := store.(consoleStore)
	e := &testEnv{store: store, clock: &testClock{t: time.Now().Truncate(time.Second)}}
	ctx := context.Background()
	for _, s := range []storage.IdentityStore{{ID: storage.AdministratorsStoreID, Name: "Administrators"}, {ID: storeA, Name: "Store A"}, {ID: storeB, Name: "Store B"}} {
		s.IdentifierTypes = []storage.IdentifierType{storage.IdentifierEmail}
		if err := store.CreateIdentityStore(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.CreateApplication(ctx, &storage.Application{ID: "shop-app", StoreID: storeA, Name: "Acme Shop"}))
	must(store.CreateClient(ctx, &storage.Client{ID: "shop", ApplicationID: "shop-app", Name: "Shop web"}))
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	must(err)
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	e.sessions = session.NewManager(store, session.Config{Now: e.clock.Now})
	core := manage.NewCore(cs, e.clock.Now)
	sender := notify.NewService(store, renderer, e.clock.Now)
	e.admins = manage.NewAdministrators(core, cs, sender, issuer)
	notices := manage.NewCustomerNotices(core, store, sender, renderer)
	auth := manage.NewAccountAuthenticators(core, manage.AuthenticatorDeps{Store: store, Notices: notices, Sender: sender, Texts: renderer,
		Sessions: e.sessions, Hasher: fakeHasher{}, Rules: lengthRule{}, Issuer: issuer})
	e.handler, err = New(Config{Issuer: issuer, CookieKey: []byte("console-cookie-key-for-the-tests"), Now: e.clock.Now},
		Deps{Core: core, Store: store, Sessions: e.sessions, Renderer: renderer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Audit: manage.NewAudit(cs), Administrators: e.admins, Applications: manage.NewApplications(core, cs), Policies: manage.NewPolicies(core, cs),
			Clients: manage.NewClients(core, cs, testRegistry{}), Groups: manage.NewGroups(core, cs), Stores: manage.NewStores(core, cs),
			Roles: manage.NewRoles(core, cs), Organizations: manage.NewOrganizations(core, cs), AccountAuth: auth, Notices: notices,
			AccountRoles:         manage.NewAccountRoles(core, cs),
			VerificationPolicies: manage.NewVerificationPolicies(core, cs), Verifications: manage.NewAccountVerifications(core, cs),
			AccountActivity: manage.NewAccountActivity(core, cs, e.sessions, testDevices{}),
			AccountActions:  manage.NewAccountActions(core, store, e.sessions).WithNotices(notices),
			AccountProfiles: manage.NewAccountProfiles(core, store, nil).WithNotices(notices)})
	must(err)
	r := mux.NewRouter()
	route.Handle(r, route.Authorize, "/oauth2/auth", route.Methods{http.MethodGet: func(http.ResponseWriter, *http.Request) {}})
	route.Handle(r, route.Token, "/oauth2/token", route.Methods{http.MethodPost: func(http.ResponseWriter, *http.Request) {}})
	e.handler.Mount(r)
	srv.Config.Handler = r
	srv.Start()
	t.Cleanup(srv.Close)
	e.server = srv
	customer := e.account(t, storeA, "jane@example.com")
	pk := &storage.Authenticator{AccountID: customer.ID, Kind: storage.AuthenticatorPasskey, Name: "Lost phone", CredentialID: []byte{7}, Secret: []byte("s")}
	must(store.CreateAuthenticator(ctx, pk))
	return e, customer, pk
}

// authOnBoth runs run in parallel on SQLite and PostgreSQL.
func authOnBoth(t *testing.T, run func(t *testing.T, store storage.Store)) {
	t.Helper()
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		run(t, newStore(t))
	})
}

// The tab shows every method to anyone who may read the account; the
// forms only to those who may change it.
func TestAuthenticatorsTab(t *testing.T) {
	authOnBoth(t, func(t *testing.T, store storage.Store) {
		e, customer, _ := newAuthEnv(t, store)
		path := "/admin/stores/" + storeA + "/accounts/" + customer.ID + "/authenticators"
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		page := support.get(t, path)
		for _, want := range []string{"Lost phone", `name="notify_client_id"`, `<option value="shop">Shop web · Acme Shop</option>`,
			"Send reset email", `aria-current="page"`, "Authenticators"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("support's tab (%d) lacks %q", page.status, want)
			}
		}
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		page = auditor.get(t, path)
		if page.status != http.StatusOK || !strings.Contains(page.body, "Lost phone") || strings.Contains(page.body, `name="notify_client_id"`) {
			t.Errorf("auditor's tab %d shows forms: %v", page.status, strings.Contains(page.body, `name="notify_client_id"`))
		}
		other := e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleSupport, storeB)))
		// The console does not find a store it may not see.
		if got := other.get(t, path); got.status != http.StatusNotFound {
			t.Errorf("store B's support: %d", got.status)
		}
		if got := support.get(t, "/admin/stores/"+storeB+"/accounts/"+customer.ID+"/authenticators"); got.status != http.StatusNotFound {
			t.Errorf("wrong store: %d", got.status)
		}
	})
}

// Removing a lost passkey with a notice: the auditor and another store's
// support are refused, support removes it, the audit log and the outbox
// say so.
func TestAuthenticatorsTabRemoveAndNotify(t *testing.T) {
	authOnBoth(t, func(t *testing.T, store storage.Store) {
		e, customer, pk := newAuthEnv(t, store)
		base := "/admin/stores/" + storeA + "/accounts/" + customer.ID + "/authenticators"
		form := url.Values{"form": {"remove-" + pk.ID}, "id": {pk.ID}, "notify_client_id": {"shop"}}
		for _, br := range []*browser{
			e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor))),
			e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleSupport, storeB))),
		} {
			if got := br.post(t, base+"/remove", clone(form)); got.status != http.StatusForbidden {
				t.Errorf("refused removal: %d", got.status)
			}
		}
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		bad := support.post(t, base+"/remove", url.Values{"form": {"remove-" + pk.ID}, "id": {pk.ID}, "notify_client_id": {"nope"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "does not fit the account") {
			t.Errorf("unfit client: %d", bad.status)
		}
		if len(e.auditActions(t)) != 0 {
			t.Fatalf("refusals were audited: %v", e.auditActions(t))
		}
		got := support.post(t, base+"/remove", clone(form))
		if got.status != http.StatusSeeOther || got.location != base+"?notice=authenticator_removed" {
			t.Fatalf("removal: %d to %q\n%s", got.status, got.location, got.body)
		}
		if a := e.auditActions(t); len(a) != 2 || a[0] != "account.authenticator_removed" || a[1] != "account.notified" {
			t.Errorf("audit = %v", a)
		}
		queued, err := store.ListNotifications(context.Background(), 10)
		if err != nil || len(queued) != 1 || queued[0].Kind != manage.NoticeAuthenticatorRemoved || queued[0].To != "jane@example.com" {
			t.Errorf("outbox = %+v, %v", queued, err)
		}
		if page := support.get(t, base+"?notice=authenticator_removed"); strings.Contains(page.body, "Lost phone") {
			t.Error("the passkey is still listed")
		}
	})
}

// A weak password is refused on the form, nothing set; a good one is set
// and the customer told. A contact is added with the code from the
// outbox; a wrong code is refused.
func TestAuthenticatorsTabPasswordAndContact(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, customer, _ := newAuthEnv(t, newStore(t))
		base := "/admin/stores/" + storeA + "/accounts/" + customer.ID + "/authenticators"
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		weak := support.post(t, base+"/password", url.Values{"form": {"password"}, "password": {"abc"}, "password_confirm": {"abc"}, "notify_client_id": {"shop"}})
		if weak.status != http.StatusUnprocessableEntity || !strings.Contains(weak.body, `id="auth-password-error"`) {
			t.Errorf("weak password: %d", weak.status)
		}
		ctx := context.Background()
		if _, err := e.store.GetPassword(ctx, customer.ID); err == nil {
			t.Fatal("a weak password was set")
		}
		good := support.post(t, base+"/password", url.Values{"form": {"password"}, "password": {"correct horse battery"},
			"password_confirm": {"correct horse battery"}, "notify_client_id": {"shop"}})
		if good.status != http.StatusSeeOther || good.location != base+"?notice=password_set" {
			t.Fatalf("set password: %d %q", good.status, good.location)
		}
		if _, err := e.store.GetPassword(ctx, customer.ID); err != nil {
			t.Errorf("no password after setting one: %v", err)
		}

		sent := support.post(t, base+"/contact", url.Values{"form": {"contact"}, "kind": {"email"}, "address": {"jane.new@example.com"}})
		if sent.status != http.StatusSeeOther {
			t.Fatalf("send code: %d\n%s", sent.status, sent.body)
		}
		page := support.get(t, base)
		if !strings.Contains(page.body, "Confirm jane.new@example.com") {
			t.Error("the pending address is not shown")
		}
		wrong := support.post(t, base+"/contact/confirm", url.Values{"form": {"confirm-email"}, "kind": {"email"}, "code": {"12"}})
		if wrong.status != http.StatusUnprocessableEntity || !strings.Contains(wrong.body, "wrong code") {
			t.Errorf("wrong code: %d", wrong.status)
		}
		queued, err := e.store.ListNotifications(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		code := ""
		for _, m := range queued {
			if m.To == "jane.new@example.com" {
				code = regexp.MustCompile(`\n(\d{6})\n`).FindStringSubmatch(m.Text)[1]
			}
		}
		ok := support.post(t, base+"/contact/confirm", url.Values{"form": {"confirm-email"}, "kind": {"email"}, "code": {code}})
		if ok.status != http.StatusSeeOther || ok.location != base+"?notice=contact_added" {
			t.Fatalf("confirm: %d %q", ok.status, ok.location)
		}
		if got, _ := e.store.GetAccount(ctx, customer.ID); got.Email != "jane.new@example.com" || !got.EmailConfirmed {
			t.Errorf("account = %+v", got)
		}
		if a := e.auditActions(t); a[0] != "account.contact_added" {
			t.Errorf("audit = %v", a)
		}
	})
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// fakeHasher and lengthRule stand in for selfservice/password, which the
// console may not import (cmd/foyer wires the real ones).
type fakeHasher struct{}

func (fakeHasher) Hash(_ context.Context, pw string) (string, error) {
	return "$fake$" + strconv.Itoa(len(pw)), nil
}

type lengthRule struct{}

func (lengthRule) Check(p storage.PasswordPolicy, pw, _ string) string {
	if len(pw) < p.MinLength {
		return "too_short"
	}
	return ""
}

// The Attributes form and the overview's status form offer the notice; a
// client that does not fit changes nothing, a fitting one is told.
func TestStatusAndAttributesNotify(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, customer, _ := newAuthEnv(t, newStore(t))
		base := "/admin/stores/" + storeA + "/accounts/" + customer.ID
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		page := support.get(t, base)
		for _, want := range []string{`id="attributes-notify"`, `id="status-notify"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the profile (%d) lacks %s", page.status, want)
			}
		}
		if got := support.post(t, base+"/status", url.Values{"status": {"disabled"}, "notify_client_id": {"nope"}}); got.status != http.StatusUnprocessableEntity {
			t.Errorf("unfit client: %d", got.status)
		}
		ctx := context.Background()
		if got, _ := e.store.GetAccount(ctx, customer.ID); got.Status != storage.AccountEnabled || len(e.auditActions(t)) != 0 {
			t.Fatal("a refused notice disabled the account")
		}
		if got := support.post(t, base+"/status", url.Values{"status": {"disabled"}, "notify_client_id": {"shop"}}); got.status != http.StatusSeeOther {
			t.Fatalf("disable: %d", got.status)
		}
		if a := e.auditActions(t); len(a) != 2 || a[0] != "account.disabled" || a[1] != "account.notified" {
			t.Errorf("audit = %v", a)
		}
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if got := auditor.get(t, base); strings.Contains(got.body, `id="status-notify"`) {
			t.Error("the auditor is offered a notice")
		}
	})
}
