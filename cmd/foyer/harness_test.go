package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/authz"
	"foyer/authz/keys"
	"foyer/selfservice/notify"
	"foyer/selfservice/selfservicetest"
	"foyer/selfservice/session"
	"foyer/storage"
)

const testSecret = "test-secret-test-secret-test-secret-0123"

// testServer is a whole Foyer node over a store, served by httptest.
type testServer struct {
	*httptest.Server
	store  storage.Store
	issuer string
	logs   *syncBuffer // everything the server logged, at debug level
	keys   *keys.Manager
	// notifications queues messages as the flows do.
	notifications *notify.Service
	// deferredIdle waits until the deferred self-service requests are done.
	deferredIdle func(ctx context.Context) error
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer starts a node over store; opts tune it (on top of a fast
// back-channel logout poll).
func startServer(t testing.TB, store storage.Store, opts ...serverOption) *testServer {
	t.Helper()
	return startServerWith(t, store, nil, opts...)
}

// startServerWith is startServer with a change to the configuration (nil
// for none), e.g. withInbox's real notification providers.
func startServerWith(t testing.TB, store storage.Store, configure func(*Config), opts ...serverOption) *testServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String()
	cfg := defaultConfig()
	cfg.Issuer = issuer
	cfg.BootstrapAdminPassword = "admin-password-123"
	// Tests register clients dynamically with URIs on httptest's loopback
	// servers; withPrivateNetworkGuard turns the guard back on.
	cfg.AllowPrivateNetworkURIs = true
	ctx := context.Background()
	logs := &syncBuffer{}
	cfg.LogLevel = "debug"
	if configure != nil {
		configure(&cfg)
	}
	// A configure that makes the issuer https gets a TLS listener.
	issuer = cfg.Issuer
	log := newLogger(cfg, logs)
	if err := bootstrap(ctx, cfg, store, []byte(testSecret), io.Discard, log); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	opts = append([]serverOption{withBackchannelPoll(10 * time.Millisecond), withNotifyPoll(10 * time.Millisecond)}, opts...)
	srv, err := newServer(ctx, cfg, store, []byte(testSecret), log, opts...)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts.Config.Handler = srv.handler
	if strings.HasPrefix(issuer, "https://") {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	// The back-channel logout worker runs as under serve, stopped first.
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan struct{}, 3)
	go func() {
		defer func() { workerDone <- struct{}{} }()
		srv.backchannel.Run(workerCtx)
	}()
	go func() {
		defer func() { workerDone <- struct{}{} }()
		srv.notify.Run(workerCtx)
	}()
	go func() {
		defer func() { workerDone <- struct{}{} }()
		srv.self.RunDeferred(workerCtx)
	}()
	t.Cleanup(func() { stopWorker(); <-workerDone; <-workerDone; <-workerDone })
	// So do the bulk account jobs.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		srv.accountJobs.Run(jobsCtx)
	}()
	t.Cleanup(func() { stopJobs(); <-jobsDone })
	return &testServer{Server: ts, store: store, issuer: issuer, logs: logs, keys: srv.keys, notifications: srv.notifications,
		deferredIdle: srv.self.DeferredIdle}
}

// client registers a client the way the CLI does.
func (s *testServer) client(t testing.TB, spec authz.ClientSpec) (id, secret string) {
	t.Helper()
	if spec.ApplicationID == "" {
		spec.ApplicationID = defaultApplicationID
	}
	c, secret, err := authz.NewClient(spec)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if err := s.store.CreateClient(context.Background(), c); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	return c.ID, secret
}

func (s *testServer) account(t *testing.T, email, password string) *storage.Account {
	t.Helper()
	a, err := createAccount(context.Background(), s.store, accountSpec{Email: email, Password: password, Verified: true})
	if err != nil {
		t.Fatalf("createAccount: %v", err)
	}
	return a
}

// browser is a cookie-keeping user agent that stops at redirects leaving
// Foyer (to the relying party), like a browser reaching the RP's callback.
type browser struct {
	*http.Client
	t *testing.T
}

func newBrowser(t *testing.T, foyerHost string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, Client: &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host != foyerHost {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}}
}

// page is a fetched HTML page.
type page struct {
	status int
	url    *url.URL
	body   string
	resp   *http.Response
}

func (b *browser) get(rawURL string) *page {
	b.t.Helper()
	resp, err := b.Get(rawURL)
	if err != nil {
		b.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return readPage(b.t, resp)
}

// submit posts the page's first form with its hidden fields plus fields.
func (b *browser) submit(p *page, fields map[string]string) *page {
	b.t.Helper()
	action, values := parseForm(b.t, p.body)
	for k, v := range fields {
		values.Set(k, v)
	}
	target := p.url.ResolveReference(&url.URL{Path: action})
	if u, err := url.Parse(action); err == nil {
		target = p.url.ResolveReference(u)
	}
	req, _ := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.url.Scheme+"://"+p.url.Host)
	resp, err := b.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", target, err)
	}
	return readPage(b.t, resp)
}

func readPage(t *testing.T, resp *http.Response) *page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return &page{status: resp.StatusCode, url: resp.Request.URL, body: string(body), resp: resp}
}

// location is where a redirect response points.
func (p *page) location(t *testing.T) *url.URL {
	t.Helper()
	loc, err := p.resp.Location()
	if err != nil {
		t.Fatalf("expected a redirect, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	return loc
}

// parseForm returns the first form's action and its input values.
func parseForm(t *testing.T, body string) (string, url.Values) {
	t.Helper()
	return selfservicetest.Form(t, body)
}

// signIn drives the login pages from an authorization URL to the redirect
// back to the client and returns that redirect.
func (b *browser) signIn(authURL, identifier, password string) *url.URL {
	b.t.Helper()
	p := b.get(authURL)
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
		b.t.Fatalf("expected the identifier page, got %d at %s (Location %s):\n%s", p.status, p.url, p.resp.Header.Get("Location"), p.body)
	}
	p = b.submit(p, map[string]string{"identifier": identifier})
	if !strings.Contains(p.body, `name="password"`) {
		b.t.Fatalf("expected the password page, got %d:\n%s", p.status, p.body)
	}
	p = b.submit(p, map[string]string{"password": password})
	return p.location(b.t)
}

// stepSig signs a link to the flow step of interaction id as the server
// does, for tests that reach a step directly.
func stepSig(t *testing.T, srv *testServer, id, step string) string {
	t.Helper()
	_ = srv // one secret for every test server
	return session.NewStepSigner(keys.DeriveKey([]byte(testSecret), "flow-steps")).Sign(id, step)
}

// drain waits until the server's deferred self-service requests are done,
// so a test that asserts what was (or was not) sent does not pass before
// the worker had its chance.
func (s *testServer) drain(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.deferredIdle(ctx); err != nil {
		t.Fatalf("deferred requests: %v", err)
	}
}
