package selfservice

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
	"foyer/selfservice/password"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// linkEnv is a Handler over a real store for finishLink, which the
// external callback calls with the attempt it took: the tests call it
// the same way, with the identity the upstream vouched for, or with none
// and the callback's parameters when the upstream refused.
type linkEnv struct {
	h        *Handler
	store    storage.Store
	sessions *session.Manager
	inbox    *notifytest.Inbox
	worker   *notify.Worker
	now      time.Time
	provider *storage.UpstreamProvider
}

const linkIssuer = "https://id.example"

func newLinkEnv(t *testing.T, store storage.Store) *linkEnv {
	t.Helper()
	ctx := context.Background()
	e := &linkEnv{store: store, inbox: notifytest.NewInbox(), now: time.Now().UTC().Truncate(time.Second)}
	now := func() time.Time { return e.now }
	if err := store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "store", Name: "Customers",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateApplication(ctx, &storage.Application{ID: "app", StoreID: "store", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(ctx, &storage.Client{ID: "portal", Name: "Portal", ApplicationID: "app", Public: true,
		FirstParty: true, RedirectURIs: []string{linkIssuer + "/account/callback"}, GrantTypes: []string{"authorization_code"},
		ResponseTypes: []string{"code"}, Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	e.provider = &storage.UpstreamProvider{StoreID: "store", Name: "Contoso", Kind: storage.UpstreamOAuth2, Enabled: true,
		AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token", UserInfoURL: "https://idp.example/me", ClientID: "c"}
	if err := store.CreateUpstreamProvider(ctx, e.provider); err != nil {
		t.Fatal(err)
	}
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := mfa.NewSealer([]byte("mfa-seal-key-for-the-link-tests!"))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := mfa.NewWebAuthn(mfa.WebAuthnConfig{RPID: "id.example", RPName: "Foyer", Origins: []string{linkIssuer}})
	if err != nil {
		t.Fatal(err)
	}
	e.sessions = session.NewManager(store, session.Config{Now: now, Key: []byte("session-key-for-the-link-tests!!")})
	notifications := notify.NewService(store, renderer, now)
	e.h, err = New(Config{Issuer: linkIssuer, Now: now, PortalClientID: "portal"}, Deps{Store: store, Sessions: e.sessions,
		Steps: session.NewStepSigner([]byte("step-key-for-the-link-tests!!!!!")), Passwords: password.NewHasher(password.OWASP),
		Renderer: renderer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Notify: notifications, Sealer: sealer,
		WebAuthn: rp, Upstream: upstream.New(upstream.Config{Now: now})})
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	stub := route.Methods{http.MethodGet: func(http.ResponseWriter, *http.Request) {}}
	route.Handle(r, route.AccountHome, "/account", stub)
	route.Handle(r, route.Resume, "/resume", stub)
	route.Handle(r, route.Initiate, "/initiate", stub)
	e.h.Mount(r)
	e.worker = notify.NewWorker(notify.WorkerConfig{Now: now}, store, notify.Providers{Email: linkInbox{e.inbox}})
	return e
}

type linkInbox struct{ in *notifytest.Inbox }

func (p linkInbox) Send(_ context.Context, m notify.Message) error {
	p.in.Add(notifytest.Message{Channel: m.Channel, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	return nil
}

// account stores an enabled account of the store without a password.
func (e *linkEnv) account(t *testing.T, email string) *storage.Account {
	t.Helper()
	a := &storage.Account{StoreID: "store", Status: storage.AccountEnabled, Email: email, EmailConfirmed: true}
	if err := e.store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// signIn starts an SSO session of acct and returns its cookies.
func (e *linkEnv) signIn(t *testing.T, acct *storage.Account) (*storage.Session, []*http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	sess, err := e.sessions.Start(context.Background(), rec, httptest.NewRequest(http.MethodGet, linkIssuer+"/login", nil),
		session.Login{AccountID: acct.ID, AMR: []string{"pwd"}, ACR: "1"})
	if err != nil {
		t.Fatal(err)
	}
	return sess, rec.Result().Cookies()
}

// attempt is the round trip the portal stored for sess.
func (e *linkEnv) attempt(sess *storage.Session) *storage.UpstreamAttempt {
	return &storage.UpstreamAttempt{ProviderID: e.provider.ID, Purpose: storage.UpstreamLink, AccountID: sess.AccountID,
		SessionID: sess.ID, ReturnTo: "/account/settings", Nonce: "n", CodeVerifier: "v", ExpiresAt: e.now.Add(10 * time.Minute)}
}

// finish calls finishLink as the callback does, in a browser with
// cookies, at the callback URL with query.
func (e *linkEnv) finish(t *testing.T, cookies []*http.Cookie, query string, a *storage.UpstreamAttempt,
	id *upstream.Identity) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, linkIssuer+externalCallbackPath(e.provider.ID)+"?"+query, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	if err := e.h.finishLink(rec, req, a, e.provider, id); err != nil {
		t.Fatalf("finishLink: %v", err)
	}
	return rec
}

func (e *linkEnv) links(t *testing.T, acct *storage.Account) []storage.ExternalIdentity {
	t.Helper()
	xs, err := e.store.ListExternalIdentities(context.Background(), acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return xs
}

func wantRedirect(t *testing.T, what string, rec *httptest.ResponseRecorder, location string) {
	t.Helper()
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != location {
		t.Fatalf("%s: %d to %q, want 303 to %q:\n%s", what, rec.Code, rec.Header().Get("Location"), location, rec.Body)
	}
}

// The identity links to the account whose session started the attempt,
// whatever e-mail the upstream gives and whether it is verified; the
// upstream's amr and acr are recorded, the event names the provider and
// the owner is told. Linking it again changes nothing; another identity
// of the same provider is refused.
func TestFinishLinkLinks(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newLinkEnv(t, newStore(t))
		ctx := t.Context()
		alice := e.account(t, "alice@example.com")
		sess, cookies := e.signIn(t, alice)
		id := &upstream.Identity{Subject: "c-alice", Email: "a.l@contoso.example", EmailVerified: false, AMR: []string{"pwd", "otp"}, ACR: "gold"}
		wantRedirect(t, "link", e.finish(t, cookies, "code=x&state=y", e.attempt(sess), id), "/account/settings?external=linked")
		xs := e.links(t, alice)
		if len(xs) != 1 || xs[0].Provider != e.provider.ID || xs[0].Subject != "c-alice" || xs[0].Email != "a.l@contoso.example" ||
			strings.Join(xs[0].AMR, " ") != "pwd otp" || xs[0].ACR != "gold" || xs[0].LastUsedAt == nil {
			t.Fatalf("links %+v", xs)
		}
		events, err := e.store.ListEvents(ctx, alice.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Kind != "external.linked" || events[0].Data["provider"] != e.provider.ID ||
			events[0].Data["provider_name"] != "Contoso" || events[0].Actor != alice.ID {
			t.Fatalf("events %+v", events)
		}
		if _, err := e.worker.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if m := e.inbox.Next(t, "alice@example.com"); !strings.Contains(m.Text, "An external sign-in was connected") {
			t.Errorf("notice:\n%s", m.Text)
		}

		wantRedirect(t, "again", e.finish(t, cookies, "", e.attempt(sess), id), "/account/settings?external=linked")
		second := &upstream.Identity{Subject: "c-alice-2"}
		wantRedirect(t, "a second of the provider", e.finish(t, cookies, "", e.attempt(sess), second), "/account/settings?external=already")
		if events, _ := e.store.ListEvents(ctx, alice.ID, 10); len(events) != 1 || len(e.links(t, alice)) != 1 {
			t.Errorf("linking again changed something: %d events, %+v", len(events), e.links(t, alice))
		}
	})
}

// An identity another account holds is refused with ?external=taken,
// which says nothing about that account, and nothing changes.
func TestFinishLinkTaken(t *testing.T) {
	t.Parallel()
	e := newLinkEnv(t, sqltest.SQLite(t))
	ctx := t.Context()
	alice, bob := e.account(t, "alice@example.com"), e.account(t, "bob@example.com")
	if err := e.store.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: bob.ID, Provider: e.provider.ID, Subject: "c-bob"}); err != nil {
		t.Fatal(err)
	}
	sess, cookies := e.signIn(t, alice)
	rec := e.finish(t, cookies, "", e.attempt(sess), &upstream.Identity{Subject: "c-bob", Email: "bob@example.com", EmailVerified: true})
	wantRedirect(t, "taken", rec, "/account/settings?external=taken")
	if len(e.links(t, alice)) != 0 || len(e.links(t, bob)) != 1 || e.links(t, bob)[0].AccountID != bob.ID {
		t.Errorf("links changed: alice %+v bob %+v", e.links(t, alice), e.links(t, bob))
	}
	if events, _ := e.store.ListEvents(ctx, alice.ID, 10); len(events) != 0 {
		t.Errorf("events %+v", events)
	}
	if n, _ := e.worker.RunOnce(ctx); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// A link attempt finished in a browser whose SSO session is not the one
// that started it (another account's, another session of the same
// account, or none) is refused with a page asking to sign in again, and
// the code is never redeemed.
func TestFinishLinkOtherSession(t *testing.T) {
	t.Parallel()
	e := newLinkEnv(t, sqltest.SQLite(t))
	alice, mallory := e.account(t, "alice@example.com"), e.account(t, "mallory@example.com")
	sess, _ := e.signIn(t, alice)
	_, otherSession := e.signIn(t, alice)
	_, mallorys := e.signIn(t, mallory)
	id := &upstream.Identity{Subject: "c-mallory"}
	for name, cookies := range map[string][]*http.Cookie{"another account": mallorys, "another session": otherSession, "none": nil} {
		rec := e.finish(t, cookies, "code=x&state=y", e.attempt(sess), id)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Sign in to your account again") ||
			!strings.Contains(rec.Body.String(), `href="`+linkIssuer+`/account"`) {
			t.Errorf("%s: %d\n%s", name, rec.Code, rec.Body)
		}
		// Without an identity finishLink would redeem the code: it must
		// refuse first (the upstream is unreachable, which would be 303).
		if rec := e.finish(t, cookies, "code=x&state=y", e.attempt(sess), nil); rec.Code != http.StatusForbidden {
			t.Errorf("%s, code not redeemed: %d", name, rec.Code)
		}
	}
	if len(e.links(t, alice)) != 0 || len(e.links(t, mallory)) != 0 {
		t.Error("linked from another session")
	}
}

// The return path comes from the attempt the portal stored, and is
// checked all the same: anything but a path of the portal is refused.
func TestFinishLinkReturnsOnlyToThePortal(t *testing.T) {
	t.Parallel()
	e := newLinkEnv(t, sqltest.SQLite(t))
	alice := e.account(t, "alice@example.com")
	sess, cookies := e.signIn(t, alice)
	for _, to := range []string{"https://evil.example/account", "//evil.example/account", "/accounts", "/admin", "/account/../admin",
		"/account//evil.example", `/account/\evil`, "", "javascript:alert(1)"} {
		a := e.attempt(sess)
		a.ReturnTo = to
		rec := e.finish(t, cookies, "", a, &upstream.Identity{Subject: "c-alice"})
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Location") != "" {
			t.Errorf("return to %q: %d %q", to, rec.Code, rec.Header().Get("Location"))
		}
	}
	if len(e.links(t, alice)) != 0 {
		t.Error("linked despite a bad return path")
	}
	a := e.attempt(sess)
	a.ReturnTo = "/account/settings?store=eu"
	wantRedirect(t, "portal path with a query", e.finish(t, cookies, "", a, &upstream.Identity{Subject: "c-alice"}),
		"/account/settings?external=linked&store=eu")
}

// When finishLink finishes the exchange itself, the upstream's refusal
// and its outage go back to the portal page as ?external=failed and
// ?external=unavailable, and nothing is linked; so does a provider
// disabled since the attempt started.
func TestFinishLinkUpstreamErrors(t *testing.T) {
	t.Parallel()
	e := newLinkEnv(t, sqltest.SQLite(t))
	alice := e.account(t, "alice@example.com")
	sess, cookies := e.signIn(t, alice)
	wantRedirect(t, "denied", e.finish(t, cookies, "error=access_denied&state=y", e.attempt(sess), nil), "/account/settings?external=failed")
	wantRedirect(t, "no code", e.finish(t, cookies, "state=y", e.attempt(sess), nil), "/account/settings?external=failed")
	wantRedirect(t, "outage", e.finish(t, cookies, "error=temporarily_unavailable&state=y", e.attempt(sess), nil),
		"/account/settings?external=unavailable")
	e.provider.Enabled = false
	wantRedirect(t, "disabled", e.finish(t, cookies, "code=x&state=y", e.attempt(sess), nil), "/account/settings?external=failed")
	wantRedirect(t, "disabled, identity given", e.finish(t, cookies, "", e.attempt(sess), &upstream.Identity{Subject: "c-alice"}),
		"/account/settings?external=failed")
	if len(e.links(t, alice)) != 0 {
		t.Error("linked after an upstream error")
	}
}

// externalCallbackPath is the redirect URI's path that every upstream
// provider registers (after the issuer): /login/external/{id}/callback.
func externalCallbackPath(providerID string) string {
	return "/login/external/" + url.PathEscape(providerID) + "/callback"
}
