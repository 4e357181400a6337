package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// The harness: a console Handler over a sqltest store with an injected
// clock, served by httptest, with stand-ins for authz's routes. Tests do
// not sign in through authz: signIn starts an SSO session for an account
// (session.Manager.Start) and sets the console cookie the way the
// callback does. The sign-in through authz is tested in Chromium (e2e).

// Identity stores newEnv creates besides the administrators store.
const (
	storeA = "store-a"
	storeB = "store-b"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testEnv struct {
	store    storage.Store
	clock    *testClock
	handler  *Handler
	sessions *session.Manager
	admins   *manage.Administrators
	server   *httptest.Server
}

// consoleStore is what the harness needs of the store: everything, and
// the services' own needs.
type consoleStore interface {
	storage.Store
	manage.AdministratorsStore
	manage.ApplicationsStore
	manage.PoliciesStore
	manage.GroupsStore
	manage.StoresStore
	manage.RolesStore
	manage.OrganizationsStore
	manage.PartnerCodesStore
	manage.PartnerLookupStore
	storage.AuditLog
}

// newEnv builds the console over store (a fresh SQLite one when nil)
// holding the administrators store and two customer stores.
func newEnv(t testing.TB, store storage.Store) *testEnv {
	t.Helper()
	if store == nil {
		store = sqltest.SQLite(t)
	}
	cs, ok := store.(consoleStore)
	if !ok {
		t.Fatalf("%T lacks the administrators' or audit log's storage", store)
	}
	e := &testEnv{store: store, clock: &testClock{t: time.Now().Truncate(time.Second)}}
	ctx := context.Background()
	for _, s := range []storage.IdentityStore{{ID: storage.AdministratorsStoreID, Name: "Administrators"}, {ID: storeA, Name: "Store A"}, {ID: storeB, Name: "Store B"}} {
		s.IdentifierTypes = []storage.IdentifierType{storage.IdentifierEmail}
		if err := store.CreateIdentityStore(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	e.sessions = session.NewManager(store, session.Config{Now: e.clock.Now})
	core := manage.NewCore(cs, e.clock.Now)
	e.admins = manage.NewAdministrators(core, cs, notify.NewService(store, renderer, e.clock.Now), issuer)
	e.handler, err = New(Config{Issuer: issuer, CookieKey: []byte("console-cookie-key-for-the-tests"), Now: e.clock.Now},
		Deps{Core: core, Store: store, Sessions: e.sessions, Renderer: renderer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Audit: manage.NewAudit(cs), Administrators: e.admins, Applications: manage.NewApplications(core, cs), Policies: manage.NewPolicies(core, cs), Clients: manage.NewClients(core, cs, testRegistry{}), Groups: manage.NewGroups(core, cs), Stores: manage.NewStores(core, cs),
			Roles: manage.NewRoles(core, cs), Organizations: manage.NewOrganizations(core, cs),
			AccountRoles:         manage.NewAccountRoles(core, cs),
			VerificationPolicies: manage.NewVerificationPolicies(core, cs), Verifications: manage.NewAccountVerifications(core, cs),
			AccountActivity: manage.NewAccountActivity(core, cs, e.sessions, testDevices{}),
			AccountActions:  manage.NewAccountActions(core, cs, e.sessions), AccountProfiles: manage.NewAccountProfiles(core, cs, nil),
			Invitations: manage.NewInvitations(core, cs, notify.NewService(store, renderer, e.clock.Now),
				invite.Config{Issuer: issuer, InitiatePath: "/oauth2/initiate", Languages: renderer.Languages(), Now: e.clock.Now}),
			PartnerCodes: manage.NewPartnerCodes(core, cs), PartnerLookups: manage.NewPartnerLookups(core, cs, newTestSealer(t)),
			Upstreams:        manage.NewUpstreams(core, cs, newTestSealer(t), issuer),
			MessageTemplates: manage.NewMessageTemplates(core, cs, notify.NewService(store, renderer, e.clock.Now)),
			Brandings:        manage.NewBrandings(core, cs),
			Translations:     manage.NewTranslations(core, cs, renderer),
		})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	stub := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "authz stand-in: "+r.URL.RawQuery)
	}
	route.Handle(r, route.Authorize, "/oauth2/auth", route.Methods{http.MethodGet: stub})
	route.Handle(r, route.Token, "/oauth2/token", route.Methods{http.MethodPost: stub})
	e.handler.Mount(r)
	srv.Config.Handler = r
	srv.Start()
	t.Cleanup(srv.Close)
	e.server = srv
	return e
}

// admin stores an enabled administrator holding grants.
func (e *testEnv) admin(t testing.TB, email string, grants ...storage.AdminGrant) *storage.Account {
	t.Helper()
	a := e.account(t, storage.AdministratorsStoreID, email)
	for _, g := range grants {
		g.PrincipalKind, g.PrincipalID = storage.PrincipalAdministrator, a.ID
		if err := e.store.(consoleStore).CreateAdminGrant(context.Background(), &g); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func (e *testEnv) account(t testing.TB, storeID, email string) *storage.Account {
	t.Helper()
	a := &storage.Account{StoreID: storeID, Status: storage.AccountEnabled, Email: email, EmailConfirmed: true}
	if err := e.store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func grant(role storage.AdminRole, stores ...string) storage.AdminGrant {
	return storage.AdminGrant{Role: role, StoreIDs: stores}
}

// browser is a cookie jar signed in to the console (or not).
type browser struct {
	e      *testEnv
	client *http.Client
	b      binding
}

// signedOut is a browser with no cookies.
func (e *testEnv) signedOut(t testing.TB) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signIn is a browser of account a signed in to the console: an SSO
// session and the console cookie the callback would set.
func (e *testEnv) signIn(t testing.TB, a *storage.Account) *browser {
	t.Helper()
	br := e.signedOut(t)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, e.server.URL+"/admin/callback", nil)
	sess, err := e.sessions.Start(context.Background(), rec, req, session.Login{AccountID: a.ID, AMR: []string{"pwd", "otp"}, ACR: session.ACRMFA})
	if err != nil {
		t.Fatal(err)
	}
	br.b = binding{SessionID: sess.ID, AccountID: a.ID}
	e.handler.setCookie(rec, consoleCookie, e.handler.signer().SealUntil("console", sess.ID+"\x00"+a.ID,
		e.clock.Now().Add(e.handler.cfg.SessionLifetime)), e.handler.cfg.SessionLifetime)
	u, _ := url.Parse(e.server.URL)
	br.client.Jar.SetCookies(u, rec.Result().Cookies())
	return br
}

// response is a finished request's status, body and Location.
type response struct {
	status   int
	body     string
	location string
}

func (br *browser) do(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := br.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, body: string(body), location: res.Header.Get("Location")}
}

func (br *browser) get(t testing.TB, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, br.e.server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return br.do(t, req)
}

// post submits form with the session's form token, as the pages' forms
// do, from the console's own origin.
func (br *browser) post(t testing.TB, path string, form url.Values) response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get(formTokenField) == "" && br.b.SessionID != "" {
		form.Set(formTokenField, br.e.handler.formToken(br.b))
	}
	return br.postRaw(t, path, form, br.e.server.URL)
}

// postRaw submits form as is, from origin.
func (br *browser) postRaw(t testing.TB, path string, form url.Values, origin string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, br.e.server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return br.do(t, req)
}

// auditActions are the actions of the audit log, newest first.
func (e *testEnv) auditActions(t testing.TB) []string {
	t.Helper()
	entries, err := e.store.(consoleStore).ListAuditEntries(context.Background(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(entries))
	for i, en := range entries {
		out[i] = en.Action
	}
	return out
}
