package selfservicetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice"
	"foyer/selfservice/invite"
	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
	"foyer/selfservice/partnerlookup"
	"foyer/selfservice/password"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// Names of what New puts in the store.
const (
	StoreID  = "store"
	AppID    = "app"
	ClientID = "shop"
	// PortalClientID is the account portal's client, the only one whose
	// requests may carry an account action.
	PortalClientID = "portal"
	// ResumePath is the stub of authz's resume endpoint.
	ResumePath = "/resume"
	// InitiatePath is the stub of authz's third-party initiated login
	// (route.Initiate), where links to a client's brand portal lead.
	InitiatePath = "/initiate"
	// AccountPath is the stand-in of the account portal's start.
	AccountPath = "/account"
	// AppName is the application's display name, on every page and message.
	AppName = "Acme Shop"
)

// Options tune New; the zero value is a SQLite store, the default policies
// and the OWASP password parameters.
type Options struct {
	// Store is the (migrated, empty) store to run over; a fresh SQLite one
	// when nil (sqltest.Both hands out the PostgreSQL ones).
	Store storage.Store
	// App changes the application before it is stored (policies, steps).
	App func(*storage.Application)
	// IdentityStore changes the identity store before it is stored.
	IdentityStore func(*storage.IdentityStore)
	// Client changes ClientID's client before it is stored (a brand
	// portal, say: InitiateLoginURI).
	Client func(*storage.Client)
	// Passwords are the hasher's parameters (password.OWASP when zero).
	Passwords password.Params
	// Partners resolves partner codes Foyer does not know (nil: none).
	Partners partnerlookup.PartnerResolver
	// SignInLimits are the password-guessing budgets (defaults when zero).
	SignInLimits selfservice.SignInLimits
	// Upstream talks to upstream identity providers (nil: none, and every
	// external sign-in is refused).
	Upstream *upstream.Client
}

// Env is one selfservice handler over its own store, served by httptest.
type Env struct {
	Store    storage.Store
	Clock    *Clock
	Handler  *selfservice.Handler
	Server   *httptest.Server
	Sessions *session.Manager
	Steps    *session.StepSigner
	Hasher   *password.Hasher
	// Inbox receives the messages Settle delivers.
	Inbox *notifytest.Inbox
	// Logs is everything the handler logged.
	Logs *SyncBuffer
	// Invites sends the invitations whose links the handler accepts.
	Invites *invite.Service

	worker    *notify.Worker
	renderer  *themes.Renderer
	mu        sync.Mutex
	resumed   map[string]Resumption
	initiated []Initiation
}

// Resumption is what a finished flow handed back to authz.
type Resumption struct {
	Interaction string
	SessionID   string
	AccountID   string
	AMR         []string
	ACR         string
}

// New builds the handler over a fresh store holding one identity store,
// one application and two clients (ClientID and PortalClientID), and
// serves it until the test ends.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	store := o.Store
	if store == nil {
		store = sqltest.SQLite(t)
	}
	e := &Env{Store: store, Clock: NewClock(), Inbox: notifytest.NewInbox(), Logs: &SyncBuffer{}, resumed: map[string]Resumption{}}
	e.seed(t, o)
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	e.renderer = renderer
	sealer, err := mfa.NewSealer(key("mfa-seal"))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := mfa.NewWebAuthn(mfa.WebAuthnConfig{RPID: "localhost", RPName: "Foyer", Origins: []string{issuer}})
	if err != nil {
		t.Fatal(err)
	}
	params := o.Passwords
	if params == (password.Params{}) {
		params = password.OWASP
	}
	e.Hasher = password.NewHasher(params)
	e.Sessions = session.NewManager(store, session.Config{Now: e.Clock.Now, Key: key(sessionCookies)})
	e.Steps = session.NewStepSigner(key("flow-steps"))
	log := slog.New(slog.NewTextHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	notifications := notify.NewService(store, renderer, e.Clock.Now)
	notifications.UseTemplates(store)
	e.Invites = invite.New(store, notifications, invite.Config{Issuer: issuer, InitiatePath: InitiatePath,
		Languages: renderer.Languages(), Now: e.Clock.Now})
	e.Handler, err = selfservice.New(selfservice.Config{
		Issuer: issuer, Now: e.Clock.Now, PortalClientID: PortalClientID, SignInLimits: o.SignInLimits,
	}, selfservice.Deps{
		Store: store, Sessions: e.Sessions, Steps: e.Steps, Passwords: e.Hasher, Renderer: renderer,
		Logger: log, Notify: notifications, Sealer: sealer, WebAuthn: rp, Partners: o.Partners,
		Invites: e.Invites, Upstream: o.Upstream,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.worker = notify.NewWorker(notify.WorkerConfig{Now: e.Clock.Now}, store, notify.Providers{
		Email: inboxProvider{e.Inbox}, Phone: inboxProvider{e.Inbox},
	})
	srv.Config.Handler = e.routes()
	srv.Start()
	t.Cleanup(srv.Close)
	e.Server = srv
	return e
}

// routes mounts the handler and, under authz's route names, the resume
// and initiate stubs (selfservice builds its links to them from those
// names).
func (e *Env) routes() http.Handler {
	r := mux.NewRouter()
	route.Handle(r, route.Resume, ResumePath, route.Methods{http.MethodGet: e.resume})
	route.Handle(r, route.Initiate, InitiatePath, route.Methods{http.MethodGet: e.initiate})
	// The account portal's start, which activation pages and mails link to.
	route.Handle(r, route.AccountHome, AccountPath, route.Methods{http.MethodGet: func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("account portal stand-in"))
	}})
	// The footer's language picker, as cmd/foyer mounts it.
	r.Handle("/language", e.renderer.LanguageHandler())
	e.Handler.Mount(r)
	return tagRequests(r)
}

// resume stands in for authz's resume endpoint: it checks the link as
// authz does and records the session the flow started.
func (e *Env) resume(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("interaction")
	if !e.Steps.Verify(id, "resume", r.URL.Query().Get("sig")) {
		http.Error(w, "bad resume link", http.StatusBadRequest)
		return
	}
	in, err := e.Store.GetInteraction(r.Context(), id)
	if err != nil {
		http.Error(w, "no interaction: "+err.Error(), http.StatusBadRequest)
		return
	}
	sso, err := e.Store.GetSession(r.Context(), in.SessionID)
	if err != nil {
		http.Error(w, "no session: "+err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.resumed[id] = Resumption{Interaction: id, SessionID: sso.ID, AccountID: sso.AccountID, AMR: sso.AMR, ACR: sso.ACR}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "resumed")
}

// Resumed returns what the flow of interaction id handed back, failing the
// test when it has not finished.
func (e *Env) Resumed(t testing.TB, id string) Resumption {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.resumed[id]
	if !ok {
		t.Fatalf("interaction %s was not handed back to authz", id)
	}
	return r
}

// WasResumed reports whether the flow of interaction id finished.
func (e *Env) WasResumed(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.resumed[id]
	return ok
}

// Settle does every deferred request and delivers every due message to
// the inbox, as the workers of a node would.
func (e *Env) Settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Handler.DeferredIdle(ctx); err != nil {
		t.Fatalf("deferred requests: %v", err)
	}
	for {
		n, err := e.worker.RunOnce(ctx)
		if err != nil {
			t.Fatalf("notify worker: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// inboxProvider hands messages straight to the inbox (the SMTP and
// webhook providers themselves are notify's tests' business).
type inboxProvider struct{ in *notifytest.Inbox }

func (p inboxProvider) Send(_ context.Context, m notify.Message) error {
	p.in.Add(notifytest.Message{Channel: m.Channel, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		Links: notifytest.FindLinks(m.Text)})
	return nil
}

// sessionCookies is the purpose of the key that signs the session and
// browser-binding cookies; Browser signs its binding cookie with it.
const sessionCookies = "session-cookies"

// key is a fixed test key for a purpose.
func key(purpose string) []byte {
	k := make([]byte, 32)
	copy(k, purpose)
	return k
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SyncBuffer collects log output from concurrent writers.
type SyncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// LoginURL is the signed link to the sign-in page of interaction id.
func (e *Env) LoginURL(id string) string {
	return e.Server.URL + selfservice.LoginPath + "?" + url.Values{"interaction": {id}, "sig": {e.Steps.Sign(id, "login")}}.Encode()
}
