package portal

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// provider stores an OAuth 2.0 upstream provider of storeID (testStoreID
// when empty): its authorization URL needs no discovery, so starting a
// link reaches no network.
func (e *testEnv) provider(t testing.TB, storeID, name string, enabled bool) *storage.UpstreamProvider {
	t.Helper()
	if storeID == "" {
		storeID = testStoreID
	}
	p := &storage.UpstreamProvider{StoreID: storeID, Name: name, Kind: storage.UpstreamOAuth2, Enabled: enabled,
		AuthURL: "https://idp.example/" + strings.ToLower(name) + "/authorize", TokenURL: "https://idp.example/token",
		UserInfoURL: "https://idp.example/userinfo", ClientID: "foyer", Scopes: []string{"user"}}
	if err := e.store.CreateUpstreamProvider(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// link links an identity of provider to the account.
func (e *testEnv) link(t testing.TB, acct *storage.Account, provider, subject, email string) {
	t.Helper()
	if err := e.store.LinkExternalIdentity(context.Background(), &storage.ExternalIdentity{AccountID: acct.ID,
		Provider: provider, Subject: subject, Email: email}); err != nil {
		t.Fatal(err)
	}
}

// postRaw is post without following the redirect (the upstream is not
// reachable from the tests): the status and the Location.
func (u *user) postRaw(path string, kv ...string) (int, string) {
	u.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest(http.MethodPost, u.e.issuer+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.e.issuer)
	c := *u.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		u.t.Fatalf("POST %s: %v", path, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// The settings page names each linked identity by its provider's name
// (a legacy one by its raw provider string) with its e-mail and dates,
// and offers Connect for the enabled providers of the account's store
// not linked yet: all of them while the portal application's policy
// names none, else those it names, in its order.
func TestLinkedAccountsList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	e.otherStore(t)
	contoso := e.provider(t, "", "Contoso", true)
	google := e.provider(t, "", "Google", true)
	gitHub := e.provider(t, "", "GitHub", true)
	e.provider(t, "", "Retired", false)
	e.provider(t, "other", "Elsewhere", true)
	alice := e.signedIn(t, "alice@example.com")
	e.link(t, alice.account, contoso.ID, "c-alice", "alice@contoso.example")
	e.link(t, alice.account, "google", "g-legacy", "")
	at := e.clock.Now().Add(-time.Hour).Truncate(time.Minute)
	if err := e.store.RecordExternalSignIn(ctx, contoso.ID, "c-alice", []string{"pwd"}, "", at); err != nil {
		t.Fatal(err)
	}

	p := alice.get("/account/settings")
	wantStatus(t, "settings", p, http.StatusOK)
	wantBody(t, "settings", p, "Linked accounts", "Contoso", "alice@contoso.example", ">Unlink Contoso<", ">Unlink google<",
		"last used "+themes.NewMoment("en", at, nil).Text, "not used to sign in yet",
		">Connect Google<", ">Connect GitHub<", `value="`+google.ID+`"`)
	for _, not := range []string{"Connect Contoso", "Retired", "Elsewhere"} {
		if strings.Contains(p.body, not) {
			t.Errorf("settings show %q:\n%s", not, p.body)
		}
	}

	// The policy names GitHub (and a provider of another store, which
	// stays hidden): only GitHub is offered.
	if err := e.store.SetSelfServicePolicy(ctx, "default", storage.SelfServicePolicy{
		External: storage.ExternalSignIn{Providers: []string{gitHub.ID, contoso.ID}}}); err != nil {
		t.Fatal(err)
	}
	p = alice.get("/account/settings")
	wantBody(t, "with a policy", p, ">Connect GitHub<")
	if strings.Contains(p.body, "Connect Google") || strings.Contains(p.body, "Connect Contoso") {
		t.Errorf("policy ignored:\n%s", p.body)
	}
}

// Connect sends the browser upstream with PKCE and the account's e-mail
// as the login hint, to the callback every provider registers, and keeps
// the round trip server side: the SSO session, the account and the
// portal page to come back to.
func TestConnectStartsLinkAttempt(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		google := e.provider(t, "", "Google", true)
		alice := e.browser(t, e.account(t, "", "alice@example.com"), "")
		sess := alice.signIn()

		status, loc := alice.postRaw("/account/settings/connect", "provider", google.ID)
		if status != http.StatusSeeOther {
			t.Fatalf("connect: status %d", status)
		}
		to, err := url.Parse(loc)
		if err != nil || to.Host != "idp.example" || to.Path != "/google/authorize" {
			t.Fatalf("connect went to %q", loc)
		}
		q := to.Query()
		if got, want := q.Get("redirect_uri"), e.issuer+"/login/external/"+google.ID+"/callback"; got != want {
			t.Errorf("redirect_uri %q, want %q", got, want)
		}
		if q.Get("login_hint") != "alice@example.com" || q.Get("code_challenge_method") != "S256" || q.Get("state") == "" {
			t.Errorf("authorization request %v", q)
		}
		digest := sha256.Sum256([]byte(q.Get("state")))
		a, err := e.store.TakeUpstreamAttempt(ctx, digest[:], e.clock.Now())
		if err != nil {
			t.Fatalf("attempt: %v", err)
		}
		challenge := sha256.Sum256([]byte(a.CodeVerifier))
		if a.Purpose != storage.UpstreamLink || a.ProviderID != google.ID || a.AccountID != alice.account.ID ||
			a.SessionID != sess.ID || a.ReturnTo != "/account/settings" || a.InteractionID != "" ||
			base64.RawURLEncoding.EncodeToString(challenge[:]) != q.Get("code_challenge") ||
			a.ExpiresAt.Sub(e.clock.Now()).Round(time.Second) != 10*time.Minute {
			t.Errorf("attempt %+v", a)
		}
	})
}

// Only a provider the page offers can be connected: a linked one, a
// disabled one, another store's or an unknown id is 404 and starts
// nothing; a sign-in older than five minutes is sent to sign in again.
func TestConnectRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.otherStore(t)
	google := e.provider(t, "", "Google", true)
	linked := e.provider(t, "", "Contoso", true)
	off := e.provider(t, "", "Retired", false)
	elsewhere := e.provider(t, "other", "Elsewhere", true)
	alice := e.signedIn(t, "alice@example.com")
	e.link(t, alice.account, linked.ID, "c-alice", "")
	for _, id := range []string{linked.ID, off.ID, elsewhere.ID, "nope", ""} {
		wantStatus(t, "connect "+id, alice.post("/account/settings/connect", "provider", id), http.StatusNotFound)
	}

	e.clock.Advance(6 * time.Minute)
	if status, loc := alice.postRaw("/account/settings/connect", "provider", google.ID); status != http.StatusSeeOther ||
		!strings.HasPrefix(loc, "/account/login?") || !strings.Contains(loc, "fresh=1") {
		t.Fatalf("stale sign-in: %d to %q", status, loc)
	}
	p := alice.post("/account/settings/connect", "provider", google.ID)
	if !p.toSignIn() || !strings.Contains(p.body, "prompt=login") {
		t.Errorf("stale sign-in did not lead to a new sign-in: %s %s", p.url, p.body)
	}
	wantBody(t, "not fresh", alice.get("/account/settings"), "asks you to sign in again first")
}

// ?external= from finishLink becomes a message; anything else is ignored.
func TestLinkOutcomeMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	alice := e.signedIn(t, "alice@example.com")
	for q, want := range map[string]string{
		"linked": `role="status">The account is linked`, "failed": `role="alert" id="form-error">The account was not linked`,
		"unavailable": `role="alert" id="form-error">The provider cannot be reached`,
		"taken":       `role="alert" id="form-error">That account is already linked to another account here`,
		"already":     `role="alert" id="form-error">An account of this provider is already linked to yours`,
	} {
		wantBody(t, q, alice.get("/account/settings?external="+q), want)
	}
	if p := alice.get("/account/settings?external=%3Cb%3E"); strings.Contains(p.body, "alert-error") || strings.Contains(p.body, "<b>") {
		t.Errorf("unknown outcome shown:\n%s", p.body)
	}
}

// accountWithout stores an enabled account with a confirmed address and
// no password, as a just-in-time registration through a provider makes.
func (e *testEnv) accountWithout(t testing.TB, email string) *storage.Account {
	t.Helper()
	a := &storage.Account{StoreID: testStoreID, Status: storage.AccountEnabled, Email: email, EmailConfirmed: true}
	if err := e.store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// links is the account's linked identities as provider/subject.
func (e *testEnv) links(t testing.TB, acct *storage.Account) []string {
	t.Helper()
	xs, err := e.store.ListExternalIdentities(context.Background(), acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.Provider+"/"+x.Subject)
	}
	return out
}

// An account whose only way in is one identity cannot unlink it (409,
// said in words, nothing changed); with another identity it can, and
// the event names the provider and the owner gets a notice.
func TestUnlinkRefusesTheLastWayIn(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		google := e.provider(t, "", "Google", true)
		gitHub := e.provider(t, "", "GitHub", false) // disabled for now: still a way in once enabled again
		jit := e.browser(t, e.accountWithout(t, "jit@example.com"), "")
		jit.signIn()
		e.link(t, jit.account, google.ID, "g-jit", "jit@gmail.example")

		p := jit.post("/account/settings/unlink", "provider", google.ID, "subject", "g-jit")
		wantStatus(t, "last way in", p, http.StatusConflict)
		wantBody(t, "last way in", p, `id="unlink-error">This account cannot be unlinked: it is your only way to sign in.`)
		if got := e.links(t, jit.account); len(got) != 1 {
			t.Fatalf("refused unlink changed the links: %v", got)
		}

		e.link(t, jit.account, gitHub.ID, "gh-jit", "")
		p = jit.post("/account/settings/unlink", "provider", google.ID, "subject", "g-jit")
		wantBody(t, "unlink", p, "The linked account is removed.")
		if got := e.links(t, jit.account); len(got) != 1 || got[0] != gitHub.ID+"/gh-jit" {
			t.Fatalf("after unlink: %v", got)
		}
		events, err := e.store.ListEvents(ctx, jit.account.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 || events[0].Kind != "external.unlinked" || events[0].Data["provider"] != google.ID ||
			events[0].Data["provider_name"] != "Google" || events[0].Actor != jit.account.ID {
			t.Errorf("events %+v", events)
		}
		m := e.next(t, "jit@example.com")
		if !strings.Contains(m.Text, "A linked account was removed") || !strings.Contains(m.Text, "unlinked from your account") {
			t.Errorf("notice %q:\n%s", m.Subject, m.Text)
		}
		// GitHub is now the last way in, disabled or not.
		wantStatus(t, "last, disabled", jit.post("/account/settings/unlink", "provider", gitHub.ID, "subject", "gh-jit"), http.StatusConflict)
	})
}

// Other ways in: a password, a code to the confirmed address where an
// application of the store is passwordless; a legacy identity (no
// provider of the store) is none, so it may always go.
func TestUnlinkOtherWaysIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	google := e.provider(t, "", "Google", true)

	withPassword := e.signedIn(t, "pw@example.com")
	e.link(t, withPassword.account, google.ID, "g-pw", "")
	wantBody(t, "with a password", withPassword.post("/account/settings/unlink", "provider", google.ID, "subject", "g-pw"),
		"The linked account is removed.")

	legacyOnly := e.browser(t, e.accountWithout(t, "legacy@example.com"), "")
	legacyOnly.signIn()
	e.link(t, legacyOnly.account, "google", "g-legacy", "")
	wantBody(t, "a legacy identity", legacyOnly.post("/account/settings/unlink", "provider", "google", "subject", "g-legacy"),
		"The linked account is removed.")

	codes := e.browser(t, e.accountWithout(t, "codes@example.com"), "")
	codes.signIn()
	e.link(t, codes.account, google.ID, "g-codes", "")
	wantStatus(t, "no passwordless application", codes.post("/account/settings/unlink", "provider", google.ID, "subject", "g-codes"),
		http.StatusConflict)
	if err := e.store.CreateApplication(ctx, &storage.Application{ID: "magic", StoreID: testStoreID, Name: "Magic",
		MFA: storage.MFAPolicy{Passwordless: true, Methods: []string{storage.MethodEmailCode}}}); err != nil {
		t.Fatal(err)
	}
	wantBody(t, "passwordless application", codes.post("/account/settings/unlink", "provider", google.ID, "subject", "g-codes"),
		"The linked account is removed.")
}

// Unlinking needs a recent sign-in, as removing a factor does; an
// identity of another account is 404 and stays.
func TestUnlinkNeedsRecentSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	google := e.provider(t, "", "Google", true)
	alice := e.signedIn(t, "alice@example.com")
	bob := e.account(t, "", "bob@example.com")
	e.link(t, alice.account, google.ID, "g-alice", "")
	e.link(t, bob, google.ID, "g-bob", "")
	wantStatus(t, "bob's", alice.post("/account/settings/unlink", "provider", google.ID, "subject", "g-bob"), http.StatusNotFound)
	e.clock.Advance(6 * time.Minute)
	p := alice.post("/account/settings/unlink", "provider", google.ID, "subject", "g-alice")
	if !p.toSignIn() || !strings.Contains(p.body, "prompt=login") {
		t.Errorf("stale sign-in did not lead to a new sign-in: %s %s", p.url, p.body)
	}
	if len(e.links(t, alice.account)) != 1 || len(e.links(t, bob)) != 1 {
		t.Error("links changed")
	}
}

// signInWithFactor is signIn for an account with a second factor: the
// session's sign-in proved it (acr 2), as a fresh sign-in must.
func (u *user) signInWithFactor() {
	u.t.Helper()
	req := httptest.NewRequest(http.MethodGet, u.e.issuer+CallbackPath, nil)
	rec := httptest.NewRecorder()
	sess, err := u.e.sessions.Start(context.Background(), rec, req, session.Login{AccountID: u.account.ID,
		AMR: []string{"pwd", "mfa"}, ACR: "2"})
	if err != nil {
		u.t.Fatal(err)
	}
	u.e.handler.setCookie(rec, portalCookie, u.e.handler.seal("portal", sess.ID), 0)
	base, _ := url.Parse(u.e.issuer)
	u.client.Jar.SetCookies(base, rec.Result().Cookies())
}

// A passkey signs in on its own, so it is another way in; an
// authenticator app only confirms a sign-in, so it is none.
func TestUnlinkWithFactors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	google := e.provider(t, "", "Google", true)
	for _, c := range []struct {
		kind   string
		status int
	}{{storage.AuthenticatorTOTP, http.StatusConflict}, {storage.AuthenticatorPasskey, http.StatusOK}} {
		u := e.browser(t, e.accountWithout(t, c.kind+"@example.com"), "")
		a := &storage.Authenticator{AccountID: u.account.ID, Kind: c.kind, Name: c.kind, Secret: []byte("sealed")}
		if c.kind == storage.AuthenticatorPasskey {
			a.CredentialID = []byte("credential-" + u.account.ID)
		}
		if err := e.store.CreateAuthenticator(ctx, a); err != nil {
			t.Fatal(err)
		}
		u.signInWithFactor()
		e.link(t, u.account, google.ID, "g-"+c.kind, "")
		wantStatus(t, c.kind, u.post("/account/settings/unlink", "provider", google.ID, "subject", "g-"+c.kind), c.status)
	}
}

// otherStore adds the identity store "other", whose providers the
// default store's accounts must never be offered.
func (e *testEnv) otherStore(t *testing.T) {
	t.Helper()
	if err := e.store.CreateIdentityStore(t.Context(), &storage.IdentityStore{ID: "other", Name: "Other",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
		t.Fatal(err)
	}
}
