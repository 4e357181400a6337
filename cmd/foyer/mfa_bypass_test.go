package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/mfa/mfatest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// Regression tests for ways past the second factor found in review: each
// is a sign-in that must not reach the relying party.

func linkTo(t *testing.T, d delivered, path string) string {
	t.Helper()
	for _, l := range d.Links {
		if strings.Contains(l, path) {
			return l
		}
	}
	t.Fatalf("no %s link in %q", path, d.Text)
	return ""
}

// stuck asserts the sign-in did not end at the client.
func stuck(t *testing.T, what string, p *page) {
	t.Helper()
	if loc, err := p.resp.Location(); err == nil && strings.HasPrefix(loc.String(), rpCallback) {
		t.Fatalf("%s: the sign-in reached the client: %s", what, loc)
	}
}

// TestPasswordlessLinkIsNotSecondFactor: in passwordless mode with MFA
// required, the code of the sign-in mail proves the first factor; the link
// of the same mail must not then prove the second.
func TestPasswordlessLinkIsNotSecondFactor(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	clock := newTestClock()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired, Passwordless: true}, configure,
		withSelfServiceClock(clock.now))
	start := func() *signIn {
		s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
		s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(s.verifier)))
		s.post(map[string]string{"identifier": "alice@example.com"})
		return s
	}
	s := start()
	s.post(map[string]string{"code": sixDigits.FindStringSubmatch(in.Next(t, "alice@example.com").Text)[1]})
	enrollTOTP(t, s)
	fx.claims(t, s)
	in.factorNotice(t, "alice@example.com", "added")

	clock.advance(time.Minute) // past the re-request interval
	s = start()
	mail := in.Next(t, "alice@example.com")
	s.post(map[string]string{"code": sixDigits.FindStringSubmatch(mail.Text)[1]})
	if !strings.Contains(s.page.body, `name="choose"`) || strings.Contains(s.page.body, `value="email`) {
		t.Fatalf("expected the MFA step without the mailbox:\n%s", s.page.body)
	}
	s.getLink(t, linkTo(t, mail, "/login/link"))
	if s.page.status == http.StatusOK {
		s.post(nil)
	}
	stuck(t, "the passwordless mail's link as second factor", s.page)
}

// TestResetMailboxIsNotSecondFactor: after a reset by e-mail link, the
// MFA step does not offer the same mailbox.
func TestResetMailboxIsNotSecondFactor(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired}, configure)
	enrollTOTP(t, fx.passwordSignIn(t))
	in.factorNotice(t, "alice@example.com", "added")
	ctx := context.Background()
	if err := fx.srv.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: fx.alice.ID,
		Kind: storage.AuthenticatorEmail, Address: "Alice@Example.com"}); err != nil {
		t.Fatal(err)
	}
	s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(s.verifier)))
	s.getLink(t, fx.srv.issuer+capture(t, s.page, `href="(/recover[^"]*)"`))
	s.post(map[string]string{"identifier": "alice@example.com"})
	if err := fx.srv.deferredIdle(ctx); err != nil {
		t.Fatal(err)
	}
	s.getLink(t, linkTo(t, in.Next(t, "alice@example.com"), "/recover/reset"))
	s.post(nil)
	s.post(map[string]string{"password": resetPass, "password_confirm": resetPass})
	if !strings.Contains(s.page.body, `value="totp|`) || strings.Contains(s.page.body, `value="email|`) ||
		strings.Contains(s.page.body, `value="email_link|`) {
		t.Fatalf("after a reset by e-mail the MFA step offers the mailbox:\n%s", s.page.body)
	}
	if p := s.b.submit(s.page, map[string]string{"choose": "email|" + mustAuthenticator(t, fx, storage.AuthenticatorEmail)}); p.status != http.StatusBadRequest {
		t.Fatalf("choosing the mailbox anyway: %d", p.status)
	}
}

func mustAuthenticator(t *testing.T, fx *mfaFixture, kind string) string {
	t.Helper()
	auths, err := fx.srv.store.ListAuthenticators(context.Background(), fx.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range auths {
		if a.Kind == kind {
			return a.ID
		}
	}
	t.Fatalf("alice has no %s authenticator", kind)
	return ""
}

// TestNoEnrollmentPastExistingFactor: when the policy's methods leave out
// the account's factor, a password alone still cannot enroll a new one:
// the enrolled factor is asked for; and an acr-2 session cannot be made at
// another application by enrolling there.
func TestNoEnrollmentPastExistingFactor(t *testing.T) {
	t.Parallel()
	_, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodTOTP}}, configure)
	enrollTOTP(t, fx.passwordSignIn(t))
	ctx := context.Background()
	if err := fx.srv.store.SetMFAPolicy(ctx, defaultApplicationID, storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodSMSCode}}); err != nil {
		t.Fatal(err)
	}
	s := fx.passwordSignIn(t)
	if strings.Contains(s.page.body, `name="enroll"`) || !strings.Contains(s.page.body, `value="totp|`) {
		t.Fatalf("a policy without TOTP let the password enroll instead of asking for the app:\n%s", s.page.body)
	}
	if p := s.b.submit(s.page, map[string]string{"enroll": "phone"}); p.status != http.StatusBadRequest {
		t.Fatalf("posting an enrollment at the MFA step: %d", p.status)
	}

	if err := fx.srv.store.CreateApplication(ctx, &storage.Application{ID: "promo", StoreID: defaultStoreID, Name: "Promo",
		MFA: storage.MFAPolicy{Mode: storage.MFAOptional, Methods: []string{storage.MethodSMSCode}}}); err != nil {
		t.Fatal(err)
	}
	id, secret := fx.srv.client(t, authz.ClientSpec{Name: "Promo", ApplicationID: "promo", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	promo := &mfaFixture{srv: fx.srv, alice: fx.alice, rp: newRelyingParty(t, fx.srv.issuer, id, secret, oidc.ScopeOpenID)}
	s = promo.passwordSignIn(t)
	if strings.Contains(s.page.body, `name="enroll"`) || !strings.Contains(s.page.body, `value="totp|`) {
		t.Fatalf("the optional application offered enrollment past the account's factor:\n%s", s.page.body)
	}
}

// testClock is a clock a test moves forward instead of sleeping.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func newTestClock() *testClock { return &testClock{at: time.Now()} }

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

// TestPasswordlessSameWork: in passwordless mode the identifier page's
// post and "send a new code" run the same statements for a known and an
// unknown identifier (the lookup and the send are the deferred worker's),
// on SQLite and PostgreSQL.
func TestPasswordlessSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			log := newRecorder()
			dbURL := sqltest.SQLiteURL(t)
			if dialect == "postgres" {
				dbURL = sqltest.PostgresURL(t)
			}
			fx := newMFAFixture(t, sqltest.OpenRecorded(t, dbURL, log), storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true}, nil)
			post := func(identifier string) (*page, *page) {
				b := newBrowser(t, fx.srv.Listener.Addr().String())
				p := b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				noFollow := *b.Client
				noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				_, values := parseForm(t, p.body)
				values.Set("identifier", identifier)
				req, _ := http.NewRequest(http.MethodPost, fx.srv.issuer+"/login", strings.NewReader(values.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", fx.srv.issuer)
				resp, err := noFollow.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				sent := readPage(t, resp)
				page := b.get(sent.location(t).String())
				return sent, b.submit(page, map[string]string{"resend": "1"})
			}
			knownPost, knownResend := post("alice@example.com")
			unknownPost, unknownResend := post("nobody@example.com")
			for _, c := range []struct {
				what           string
				known, unknown *page
			}{{"identifier post", knownPost, unknownPost}, {"send a new code", knownResend, unknownResend}} {
				k, u := statementsOf(t, log, c.known), statementsOf(t, log, c.unknown)
				t.Logf("%s (%s): known %d statements, unknown %d", c.what, dialect, len(k), len(u))
				if !slices.Equal(k, u) {
					t.Errorf("%s: known and unknown ran different statements:\nknown:\n  %s\nunknown:\n  %s",
						c.what, strings.Join(k, "\n  "), strings.Join(u, "\n  "))
				}
			}
			// The page names the identifier typed; apart from that, the same.
			knownResend.body = strings.ReplaceAll(knownResend.body, "alice@example.com", "nobody@example.com")
			sameAnswer(t, "send a new code", knownResend, unknownResend)
		})
	}
}

// TestEnrollmentEdges: a voice code is neither offered nor sent where the
// policy allows only SMS; a confirmation posted to an enrollment action
// gets a page, not an empty answer; wrong enrollment codes lock with a
// message that says so.
func TestEnrollmentEdges(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodSMSCode}}, configure)
	s := fx.passwordSignIn(t)
	s.post(map[string]string{"enroll": "phone"})
	if strings.Contains(s.page.body, `value="voice"`) || !strings.Contains(s.page.body, `value="sms"`) {
		t.Fatalf("phone enrollment buttons under an SMS-only policy:\n%s", s.page.body)
	}
	if p := s.b.submit(s.page, map[string]string{"phone": "+4915100000011", "channel": "voice"}); p.status != http.StatusBadRequest {
		t.Fatalf("a voice code under an SMS-only policy: %d", p.status)
	}
	in.None(t, "+4915100000011")
	s.post(map[string]string{"phone": "+4915100000011", "channel": "sms"})
	in.Next(t, "+4915100000011")
	var last *page
	for range 6 {
		last = s.b.submit(s.page, map[string]string{"code": "000000"})
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many wrong tries") {
		t.Fatalf("six wrong enrollment codes: %d\n%s", last.status, last.body)
	}

	if err := fx.srv.store.SetMFAPolicy(context.Background(), defaultApplicationID, storage.MFAPolicy{Mode: storage.MFAOff}); err != nil {
		t.Fatal(err)
	}
	u := newPortalUser(t, fx.srv, "dora@example.com")
	p := u.portalAction(t, u.get("/account/security"), "enroll:totp").page
	if p = u.b.submit(p, map[string]string{"confirm": "1"}); p.status == http.StatusOK && strings.TrimSpace(p.body) == "" {
		t.Fatal("a confirmation posted to an enrollment action got an empty page")
	}
}

// TestNoCodeOfAnotherPurposeAtMFAStep: a passwordless code to the
// mailbox, left unused, then a reset by the same mailbox; at the MFA step
// the customer picks SMS while its send is held back (no code issued for
// it): the passwordless code must not pass as the SMS code.
func TestNoCodeOfAnotherPurposeAtMFAStep(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired, Passwordless: true,
		Methods: []string{storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodTOTP}}, configure)
	ctx := context.Background()
	if err := fx.srv.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: fx.alice.ID,
		Kind: storage.AuthenticatorPhone, Address: "+15551230000"}); err != nil {
		t.Fatal(err)
	}
	s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(s.verifier)))
	recoverURL := fx.srv.issuer + capture(t, s.page, `href="(/recover[^"]*)"`)
	s.post(map[string]string{"identifier": "alice@example.com"})
	if err := fx.srv.deferredIdle(ctx); err != nil {
		t.Fatal(err)
	}
	mailboxCode := sixDigits.FindStringSubmatch(in.Next(t, "alice@example.com").Text)[1]
	s.getLink(t, recoverURL)
	s.post(map[string]string{"identifier": "alice@example.com"})
	if err := fx.srv.deferredIdle(ctx); err != nil {
		t.Fatal(err)
	}
	s.getLink(t, linkTo(t, in.Next(t, "alice@example.com"), "/recover/reset"))
	s.post(nil)
	s.post(map[string]string{"password": resetPass, "password_confirm": resetPass})
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "sms|")})
	s.post(map[string]string{"code": mailboxCode})
	stuck(t, "the mailbox's passwordless code as the SMS factor", s.page)
}

// TestControlCharactersInIdentifiers: an identifier with a NUL byte or
// another control character is refused with the field's message on the
// sign-in, reset and reminder pages (PostgreSQL refuses NUL in text: it
// was a 500 there, and a queued request retried to exhaustion).
func TestControlCharactersInIdentifiers(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newRegSetup(t, newStore(t), nil, authz.ClientSpec{})
		b := newBrowser(t, s.srv.Listener.Addr().String())
		p := b.get(s.rp.oauth.AuthCodeURL("state-nul", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if r := b.submit(p, map[string]string{"identifier": "alice\x00@example.com"}); r.status != http.StatusBadRequest {
			t.Errorf("sign-in with a NUL byte: %d", r.status)
		}
		b, p, _ = s.recoverPage(t, "state-nul-reset")
		if r := b.submit(p, map[string]string{"identifier": "alice\x00@example.com"}); r.status != http.StatusBadRequest {
			t.Errorf("reset with a NUL byte: %d", r.status)
		}
		if r := b.submit(p, map[string]string{"identifier": "alice\u0007@example.com"}); r.status != http.StatusBadRequest {
			t.Errorf("reset with a control character: %d", r.status)
		}
		s.srv.drain(t)
	})
}

// TestLinkOnlyThrottleRenews: with magic links only, a second request
// after the re-request interval gets a new link (the throttle follows the
// link secrets it writes, not codes that are never made).
func TestLinkOnlyThrottleRenews(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	clock := &testClock{at: time.Now().Add(-time.Hour)}
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true,
		Methods: []string{storage.MethodEmailLink}}, configure, withSelfServiceClock(clock.now))
	request := func() {
		b := newBrowser(t, fx.srv.Listener.Addr().String())
		p := b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		b.submit(p, map[string]string{"identifier": "alice@example.com"})
		if err := fx.srv.deferredIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	request()
	linkTo(t, in.Next(t, "alice@example.com"), "/login/link")
	clock.advance(30 * time.Minute)
	request()
	linkTo(t, in.Next(t, "alice@example.com"), "/login/link")
}

// TestPasskeyEnrollmentRefused: a creation response that is not the
// browser's answer to this challenge (garbage, or made for another origin)
// is refused with a message and stores nothing.
func TestPasskeyEnrollmentRefused(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired}, nil)
	s := fx.passwordSignIn(t)
	s.post(map[string]string{"enroll": "passkey"})
	options := capture(t, s.page, `data-webauthn="create" data-options="([^"]*)"`)
	evil := mfatest.NewAuthenticator("localhost", "http://evil.example")
	forged, err := evil.Create([]byte(options))
	if err != nil {
		t.Fatal(err)
	}
	for what, cred := range map[string]string{"garbage": `{"id":"x"}`, "another origin": string(forged)} {
		p := s.b.submit(s.page, map[string]string{"credential": cred})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "could not be created") {
			t.Errorf("%s: %d\n%s", what, p.status, p.body)
		}
	}
	if auths, _ := fx.srv.store.ListAuthenticators(context.Background(), fx.alice.ID); len(auths) != 0 {
		t.Fatalf("a refused passkey was stored: %+v", auths)
	}
}
