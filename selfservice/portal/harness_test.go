package portal

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
	"foyer/selfservice/password"
	"foyer/selfservice/route"
	"foyer/selfservice/selfservicetest"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// The harness: a portal Handler over a sqltest store with an injected
// clock, served by httptest, with stand-ins for authz's routes. Tests do
// not sign in through authz: signIn starts an SSO session for an account
// (session.Manager.Start) and sets the portal cookie the way the callback
// does, so a browser reaches the portal's pages signed in. The sign-in
// through authz itself is tested end to end in cmd/foyer.

// Names of what newEnv puts in the store.
const (
	testStoreID      = "store"
	testPortalClient = "portal"
	testPassword     = "correct horse battery staple"
	// authorizePath is the stand-in of authz's authorization endpoint:
	// where the portal sends a browser that must sign in (again).
	authorizePath = "/oauth2/auth"
)

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// testEnv is one portal handler over its own store, served by httptest.
type testEnv struct {
	store    storage.Store
	clock    *selfservicetest.Clock
	handler  *Handler
	sessions *session.Manager
	hasher   *password.Hasher
	inbox    *notifytest.Inbox
	worker   *notify.Worker
	server   *httptest.Server
	issuer   string
}

// newEnv builds the portal over store (a fresh SQLite one when nil)
// holding one identity store, the default application and the portal's
// client.
func newEnv(t testing.TB, store storage.Store) *testEnv {
	t.Helper()
	return newEnvWith(t, store, nil)
}

// newEnvWith is newEnv with the portal's configuration changed by configure.
func newEnvWith(t testing.TB, store storage.Store, configure func(*Config)) *testEnv {
	t.Helper()
	if store == nil {
		store = sqltest.SQLite(t)
	}
	e := &testEnv{store: store, clock: selfservicetest.NewClock(), inbox: notifytest.NewInbox(), hasher: password.NewHasher(password.OWASP)}
	e.seed(t)
	srv := httptest.NewUnstartedServer(nil)
	e.issuer = "http://" + srv.Listener.Addr().String()
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	e.sessions = session.NewManager(store, session.Config{Now: e.clock.Now})
	cfg := Config{Issuer: e.issuer, ClientID: testPortalClient, DefaultStoreID: testStoreID, CookieKey: []byte("portal-cookie-key-for-the-tests!"), Now: e.clock.Now}
	if configure != nil {
		configure(&cfg)
	}
	mailer := notify.NewService(store, renderer, e.clock.Now)
	invites := invite.New(store, mailer, invite.Config{Issuer: e.issuer, InitiatePath: "/oauth2/initiate",
		Languages: renderer.Languages(), Now: e.clock.Now})
	e.handler, err = New(cfg,
		Deps{Store: store, Sessions: e.sessions, Passwords: e.hasher, Renderer: renderer,
			Notify: mailer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Invitations: invites,
			Upstream: upstream.New(upstream.Config{Now: e.clock.Now})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.handler.Close() })
	e.worker = notify.NewWorker(notify.WorkerConfig{Now: e.clock.Now}, store, notify.Providers{
		Email: inboxProvider{e.inbox}, Phone: inboxProvider{e.inbox}})
	r := mux.NewRouter()
	stub := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "authz stand-in: "+r.URL.RawQuery)
	}
	route.Handle(r, route.Authorize, authorizePath, route.Methods{http.MethodGet: stub})
	route.Handle(r, route.Token, "/oauth2/token", route.Methods{http.MethodPost: stub})
	route.Handle(r, route.Initiate, "/oauth2/initiate", route.Methods{http.MethodGet: stub})
	e.handler.Mount(r)
	srv.Config.Handler = r
	srv.Start()
	t.Cleanup(srv.Close)
	e.server = srv
	return e
}

func (e *testEnv) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: testStoreID, Name: "Customers",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername}}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateApplication(ctx, &storage.Application{ID: "default", StoreID: testStoreID, Name: "Foyer"}); err != nil {
		t.Fatal(err)
	}
	e.client(t, testPortalClient, "Account portal")
}

// client stores a first-party client of the default application.
func (e *testEnv) client(t testing.TB, id, name string) { e.appClient(t, "default", id, name, "") }

// appClient stores a first-party client of application app whose brand
// portal (initiate_login_uri) is initiate.
func (e *testEnv) appClient(t testing.TB, app, id, name, initiate string) {
	t.Helper()
	c := &storage.Client{ID: id, Name: name, ApplicationID: app, Public: true, FirstParty: true, InitiateLoginURI: initiate,
		RedirectURIs: []string{"https://" + id + ".example/callback"}, GrantTypes: []string{"authorization_code"},
		ResponseTypes: []string{"code"}, Scopes: []string{"openid", "email"}}
	if err := e.store.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// account stores an enabled account with a confirmed address and
// testPassword, in storeID (testStoreID when empty).
func (e *testEnv) account(t testing.TB, storeID, email string) *storage.Account {
	t.Helper()
	if storeID == "" {
		storeID = testStoreID
	}
	ctx := context.Background()
	a := &storage.Account{StoreID: storeID, Status: storage.AccountEnabled, Email: email, EmailConfirmed: true}
	if err := e.store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	hash, err := e.hasher.Hash(ctx, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPassword(ctx, a.ID, hash); err != nil {
		t.Fatal(err)
	}
	return a
}

// settle delivers every due message to the inbox.
func (e *testEnv) settle(t testing.TB) {
	t.Helper()
	for {
		n, err := e.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("notify worker: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// next is the next message to to, after delivering what is due.
func (e *testEnv) next(t testing.TB, to string) notifytest.Message {
	t.Helper()
	e.settle(t)
	return e.inbox.Next(t, to)
}

type inboxProvider struct{ in *notifytest.Inbox }

func (p inboxProvider) Send(_ context.Context, m notify.Message) error {
	p.in.Add(notifytest.Message{Channel: m.Channel, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	return nil
}

// user is a browser (with a cookie jar and a User-Agent) of an account.
type user struct {
	e       *testEnv
	t       testing.TB
	client  *http.Client
	ua      string
	account *storage.Account
}

// browser returns a signed-out browser of account a.
func (e *testEnv) browser(t testing.TB, a *storage.Account, ua string) *user {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &user{e: e, t: t, ua: ua, account: a, client: &http.Client{Jar: jar, Transport: uaTransport{ua: ua}}}
}

// signedIn returns a browser of a new account email, signed in.
func (e *testEnv) signedIn(t testing.TB, email string) *user {
	t.Helper()
	u := e.browser(t, e.account(t, "", email), "")
	u.signIn()
	return u
}

// signIn is the session-cookie seam: it starts an SSO session for the
// account, as a finished sign-in does, and binds the portal to it as the
// callback does, setting both cookies in the browser.
func (u *user) signIn() *storage.Session {
	u.t.Helper()
	req := httptest.NewRequest(http.MethodGet, u.e.issuer+CallbackPath, nil)
	req.RemoteAddr = "127.0.0.1:40000" // the browser's address, as the callback sees it
	if u.ua != "" {
		req.Header.Set("User-Agent", u.ua)
	}
	rec := httptest.NewRecorder()
	sess, err := u.e.sessions.Start(context.Background(), rec, req, session.Login{AccountID: u.account.ID, AMR: []string{"pwd"}, ACR: "1"})
	if err != nil {
		u.t.Fatal(err)
	}
	u.e.handler.setCookie(rec, portalCookie, u.e.handler.seal("portal", sess.ID), 0)
	base, _ := url.Parse(u.e.issuer)
	u.client.Jar.SetCookies(base, rec.Result().Cookies())
	return sess
}

// page is a fetched page.
type page struct {
	status int
	url    *url.URL
	body   string
	resp   *http.Response
}

func (u *user) get(path string) *page {
	u.t.Helper()
	resp, err := u.client.Get(u.e.issuer + path)
	if err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
	return u.read(resp)
}

// post sends a same-origin form post of the pairs kv to path.
func (u *user) post(path string, kv ...string) *page {
	u.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest(http.MethodPost, u.e.issuer+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.e.issuer)
	resp, err := u.client.Do(req)
	if err != nil {
		u.t.Fatalf("POST %s: %v", path, err)
	}
	return u.read(resp)
}

func (u *user) read(resp *http.Response) *page {
	u.t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	return &page{status: resp.StatusCode, url: resp.Request.URL, body: string(body), resp: resp}
}

// toSignIn reports whether p is authz's authorization endpoint, where the
// portal sends a browser to sign in.
func (p *page) toSignIn() bool { return p.url.Path == authorizePath }

// signedOut reports whether the browser's portal session is gone: the
// portal sends it to sign in.
func (u *user) signedOut() bool {
	u.t.Helper()
	return u.get("/account/security").toSignIn()
}

// uaTransport sends a fixed User-Agent, as a real browser would.
type uaTransport struct{ ua string }

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if u.ua != "" {
		r = r.Clone(r.Context())
		r.Header.Set("User-Agent", u.ua)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func wantStatus(t testing.TB, what string, p *page, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d at %s, want %d:\n%s", what, p.status, p.url, status, p.body)
	}
}

func wantBody(t testing.TB, what string, p *page, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: page at %s lacks %q:\n%s", what, p.url, s, p.body)
		}
	}
}

// Both runs f over SQLite and PostgreSQL, in parallel.
func both(t *testing.T, f func(t *testing.T, e *testEnv)) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) { f(t, newEnv(t, newStore(t))) })
}
