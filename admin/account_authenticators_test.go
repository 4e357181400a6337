package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// authAPIEnv is apiEnv's API with the account authenticator services, a
// client "shop" of application A (non-organizational) for notices, and
// the customer's path.
type authAPIEnv struct {
	*apiEnv
	customer string // path of the customer account
	id       string
}

func newAuthAPIEnv(t *testing.T, store storage.Store) *authAPIEnv {
	t.Helper()
	e := newAPIEnv(t, store)
	ctx := context.Background()
	e.must(store.CreateClient(ctx, &storage.Client{ID: "shop", ApplicationID: appA, Name: "Shop", InitiateLoginURI: "https://shop.example/"}))
	customer, err := store.FindAccountByIdentifier(ctx, storeA, storage.IdentifierEmail, "customer@example.com")
	e.must(err)
	tokens := fakeTokens{"customer": {Subject: customer.ID, ClientID: manage.ConsoleClientID}}
	for name := range roleTokens {
		tokens[name] = Principal{Subject: e.ids[name], ClientID: manage.ConsoleClientID}
	}
	renderer, err := themes.New(themes.Options{})
	e.must(err)
	sender := notify.NewService(store, renderer, nil)
	core := manage.NewCore(store, nil)
	notices := manage.NewCustomerNotices(core, store, sender, renderer)
	auth := manage.NewAccountAuthenticators(core, manage.AuthenticatorDeps{Store: store, Notices: notices, Sender: sender, Texts: renderer,
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}),
		Rules:  password.NewRules(), Issuer: "https://id.example"})
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(core, store, testRegistry{}),
		Administrators: manage.NewAdministrators(core, store, e.mailer, "https://id.example"), Audit: manage.NewAudit(store),
		Applications: manage.NewApplications(core, store), Policies: manage.NewPolicies(core, store),
		AccountAuth: auth, Notices: notices, Renderer: renderer,
		AccountActions:  manage.NewAccountActions(core, store, session.NewManager(store, session.Config{})).WithNotices(notices),
		AccountProfiles: manage.NewAccountProfiles(core, store, nil).WithNotices(notices)})
	e.must(err)
	router := mux.NewRouter()
	h.Mount(router)
	e.srv = httptest.NewServer(router)
	t.Cleanup(e.srv.Close)
	return &authAPIEnv{apiEnv: e, customer: "/stores/" + storeA + "/accounts/" + customer.ID, id: customer.ID}
}

// refused checks the auditor and the administrator of store B are 403
// and write nothing.
func (e *authAPIEnv) refused(t *testing.T, method, path string, body any) {
	t.Helper()
	n := e.auditCount()
	e.do("auditor", method, path, body).expect(t, "auditor "+method+" "+path, http.StatusForbidden)
	e.do("admin-b", method, path, body).expect(t, "admin-b "+method+" "+path, http.StatusForbidden)
	e.do("customer", method, path, body).expect(t, "customer "+method+" "+path, http.StatusForbidden)
	if e.auditCount() != n {
		t.Errorf("refused %s %s wrote audit entries", method, path)
	}
}

func TestAPIAccountAuthenticatorsList(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAuthAPIEnv(t, newStore(t))
		r := e.do("auditor", "GET", e.customer+"/authenticators", nil).expect(t, "auditor list", http.StatusOK)
		if email, _ := r.body["email"].(map[string]any); email["address"] != "customer@example.com" {
			t.Errorf("list = %s", r.raw)
		}
		e.do("admin-b", "GET", e.customer+"/authenticators", nil).expect(t, "other store", http.StatusForbidden)
		e.do("support", "GET", "/stores/"+storeB+"/accounts/"+e.id+"/authenticators", nil).expect(t, "wrong store", http.StatusNotFound)
		r = e.do("support", "GET", e.customer+"/notice-clients", nil).expect(t, "notice clients", http.StatusOK)
		if !strings.Contains(string(r.raw), `"client_id": "shop"`) {
			t.Errorf("notice clients = %s", r.raw)
		}
	})
}

func TestAPISetPassword(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAuthAPIEnv(t, newStore(t))
		good := map[string]any{"password": "correct horse battery", "notify": map[string]string{"client_id": "shop"}}
		e.refused(t, "PUT", e.customer+"/password", good)
		r := e.do("support", "PUT", e.customer+"/password", map[string]any{"password": "abc", "notify": map[string]string{"client_id": "shop"}}).
			expect(t, "weak", http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.raw), `"field": "password"`) {
			t.Errorf("weak password problem = %s", r.raw)
		}
		e.do("support", "PUT", e.customer+"/password", map[string]any{"password": "correct horse battery"}).expect(t, "no notify", http.StatusUnprocessableEntity)
		e.do("support", "PUT", e.customer+"/password", map[string]any{"password": "x", "secret": 1}).expect(t, "unknown field", http.StatusBadRequest)
		if _, err := e.store.GetPassword(context.Background(), e.id); err == nil {
			t.Fatal("a refused request set the password")
		}
		e.do("support", "PUT", e.customer+"/password", good).expect(t, "set", http.StatusNoContent)
		if a := e.lastAudit(); a.Action != "account.password_set" || a.TargetID != e.id || a.Role != storage.RoleSupport {
			t.Errorf("audit = %+v", a)
		}
		// The customer's address is unconfirmed: no other way in.
		e.do("support", "DELETE", e.customer+"/password", nil).expect(t, "remove the only way in", http.StatusConflict)
		e.do("support", "DELETE", e.customer+"/password", map[string]any{"confirm": true}).expect(t, "remove", http.StatusNoContent)
		if a := e.lastAudit(); a.Action != "account.authenticator_removed" {
			t.Errorf("audit = %+v", a)
		}
	})
}

func TestAPIResetContactLockout(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAuthAPIEnv(t, newStore(t))
		e.refused(t, "POST", e.customer+"/password-reset", map[string]string{"client_id": "shop"})
		e.do("support", "POST", e.customer+"/password-reset", map[string]string{"client_id": "robot-x"}).expect(t, "bad client", http.StatusUnprocessableEntity)
		e.do("support", "POST", e.customer+"/password-reset", map[string]string{"client_id": "shop"}).expect(t, "reset", http.StatusAccepted)
		if a := e.lastAudit(); a.Action != "account.password_reset_sent" {
			t.Errorf("audit = %+v", a)
		}

		contact := map[string]any{"kind": "phone", "address": "+41791112233"}
		e.refused(t, "POST", e.customer+"/contacts", contact)
		e.do("support", "POST", e.customer+"/contacts", map[string]any{"kind": "email", "address": "customer@example.com"}).
			expect(t, "own address", http.StatusAccepted)
		r := e.do("support", "POST", e.customer+"/contacts", contact).expect(t, "start", http.StatusAccepted)
		if r.str("address") != "+41791112233" {
			t.Errorf("pending = %s", r.raw)
		}
		e.do("support", "POST", e.customer+"/contacts/confirm", map[string]any{"kind": "phone", "code": "12"}).expect(t, "wrong code", http.StatusUnprocessableEntity)
		queued, err := e.store.ListNotifications(context.Background(), 10)
		e.must(err)
		code := ""
		for _, m := range queued {
			if m.To == "+41791112233" {
				code = regexp.MustCompile(`\d{6}`).FindString(m.Text)
			}
		}
		e.refused(t, "POST", e.customer+"/contacts/confirm", map[string]any{"kind": "phone", "code": code})
		e.do("support", "POST", e.customer+"/contacts/confirm", map[string]any{"kind": "phone", "code": code}).expect(t, "confirm", http.StatusNoContent)
		if a := e.lastAudit(); a.Action != "account.contact_added" {
			t.Errorf("audit = %+v", a)
		}
		e.do("support", "POST", e.customer+"/contacts/confirm", map[string]any{"kind": "phone", "code": code}).expect(t, "used code", http.StatusUnprocessableEntity)

		e.refused(t, "DELETE", e.customer+"/lockout", nil)
		r = e.do("support", "DELETE", e.customer+"/lockout", nil).expect(t, "clear", http.StatusOK)
		if r.body["attempts_cleared"] != float64(0) {
			t.Errorf("cleared = %s", r.raw)
		}
		e.refused(t, "DELETE", e.customer+"/authenticators/nope", nil)
		e.do("support", "DELETE", e.customer+"/authenticators/nope", nil).expect(t, "unknown authenticator", http.StatusNotFound)
		e.do("support", "DELETE", e.customer+"/recovery-codes", nil).expect(t, "no recovery codes", http.StatusNotFound)
	})
}

// Enabling and disabling take the optional notice; a client that does
// not fit changes nothing.
func TestAPIStatusNotice(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAuthAPIEnv(t, newStore(t))
		n := e.auditCount()
		e.do("support", "POST", e.customer+"/disable", map[string]any{"notify": map[string]string{"client_id": "nope"}}).
			expect(t, "unfit client", http.StatusUnprocessableEntity)
		if got, _ := e.store.GetAccount(context.Background(), e.id); got.Status != storage.AccountEnabled || e.auditCount() != n {
			t.Fatalf("a refused notice disabled the account")
		}
		e.do("auditor", "POST", e.customer+"/disable", map[string]any{"notify": map[string]string{"client_id": "shop"}}).
			expect(t, "auditor", http.StatusForbidden)
		e.do("support", "POST", e.customer+"/disable", map[string]any{"notify": map[string]string{"client_id": "shop"}}).
			expect(t, "disable", http.StatusOK)
		entries, err := e.store.ListAuditEntries(context.Background(), storage.AuditFilter{Limit: 2})
		e.must(err)
		if entries[0].Action != "account.disabled" || entries[1].Action != "account.notified" {
			t.Errorf("audit: %s, %s", entries[0].Action, entries[1].Action)
		}
		e.do("support", "POST", e.customer+"/enable", nil).expect(t, "enable without a body", http.StatusOK)
	})
}
