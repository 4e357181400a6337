package selfservice_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/selfservice/mfa/mfatest"
	"foyer/selfservice/notify/notifytest"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// Regression tests for ways past the second factor found in review: each
// is a sign-in that must not be handed back to authz.

func linkTo(t *testing.T, m notifytest.Message, path string) string {
	t.Helper()
	for _, l := range m.Links {
		if strings.Contains(l, path) {
			return l
		}
	}
	t.Fatalf("no %s link in %q", path, m.Text)
	return ""
}

// stuck asserts the sign-in was not handed back to authz.
func (fx *mfaEnv) stuck(t *testing.T, what string, s *signIn) {
	t.Helper()
	if s.page.URL.Path == selfservicetest.ResumePath || fx.WasResumed(s.id) {
		t.Fatalf("%s: the sign-in finished", what)
	}
}

// factorNotice takes the next message to to, which must be the notice
// that a sign-in method was changed ("added", "removed").
func (fx *mfaEnv) factorNotice(t *testing.T, to, change string) {
	t.Helper()
	if text := fx.next(t, to); !strings.Contains(text, "A sign-in method was "+change) || !strings.Contains(text, "If this was not you") {
		t.Fatalf("the next message to %s is not the notice that a sign-in method was %s:\n%s", to, change, text)
	}
}

// identifierOnly starts a sign-in in a new browser and answers the
// identifier page (passwordless: a code or link goes out).
func (fx *mfaEnv) identifierOnly(t *testing.T, who string) *signIn {
	t.Helper()
	s := &signIn{b: fx.Browser(t)}
	s.id, s.page = fx.Start(t, s.b, nil)
	s.post(map[string]string{"identifier": who})
	return s
}

// resetToMFA asks for a reset of alice's password in s's interaction,
// follows the mailed link and sets a new password: the page after is the
// MFA step.
func (fx *mfaEnv) resetToMFA(t *testing.T, s *signIn) {
	t.Helper()
	s.page = s.b.Get(fx.RecoverURL(s.id))
	s.post(map[string]string{"identifier": "alice@example.com"})
	fx.Settle(t)
	s.page = s.b.Get(linkTo(t, fx.Inbox.Next(t, "alice@example.com"), selfservice.ResetPath))
	s.post(nil)
	s.post(map[string]string{"password": resetPass, "password_confirm": resetPass})
}

func (fx *mfaEnv) authenticatorID(t *testing.T, kind string) string {
	t.Helper()
	auths, err := fx.Store.ListAuthenticators(context.Background(), fx.alice.ID)
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

// TestPasswordlessLinkIsNotSecondFactor: in passwordless mode with MFA
// required, the code of the sign-in mail proves the first factor; the link
// of the same mail must not then prove the second.
func TestPasswordlessLinkIsNotSecondFactor(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired, Passwordless: true})
	s := fx.identifierOnly(t, "alice@example.com")
	s.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "alice@example.com"))})
	fx.enrollTOTP(t, s)
	fx.claims(t, s)
	fx.factorNotice(t, "alice@example.com", "added")

	fx.Clock.Advance(time.Minute) // past the re-request interval
	s = fx.identifierOnly(t, "alice@example.com")
	fx.Settle(t)
	mail := fx.Inbox.Next(t, "alice@example.com")
	s.post(map[string]string{"code": sixDigits.FindString(mail.Text)})
	s.chooser(t)
	if !s.page.Has("choose") || strings.Contains(s.page.Body, `value="email`) {
		t.Fatalf("expected the MFA step without the mailbox:\n%s", s.page.Body)
	}
	s.page = s.b.Get(linkTo(t, mail, selfservice.MagicLinkPath))
	if s.page.Status == http.StatusOK && strings.Contains(s.page.Body, `<form method="post"`) {
		s.post(nil)
	}
	fx.stuck(t, "the passwordless mail's link as second factor", s)
}

// TestResetMailboxIsNotSecondFactor: after a reset by e-mail link, the
// MFA step does not offer the same mailbox.
func TestResetMailboxIsNotSecondFactor(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	fx.enrollTOTP(t, fx.passwordSignIn(t, "alice@example.com"))
	fx.factorNotice(t, "alice@example.com", "added")
	if err := fx.Store.CreateAuthenticator(context.Background(), &storage.Authenticator{AccountID: fx.alice.ID,
		Kind: storage.AuthenticatorEmail, Address: "Alice@Example.com"}); err != nil {
		t.Fatal(err)
	}
	s := &signIn{b: fx.Browser(t)}
	s.id, s.page = fx.Start(t, s.b, nil)
	fx.resetToMFA(t, s)
	s.chooser(t)
	if !strings.Contains(s.page.Body, `value="totp|`) || strings.Contains(s.page.Body, `value="email|`) ||
		strings.Contains(s.page.Body, `value="email_link|`) {
		t.Fatalf("after a reset by e-mail the MFA step offers the mailbox:\n%s", s.page.Body)
	}
	if p := s.try(map[string]string{"choose": "email|" + fx.authenticatorID(t, storage.AuthenticatorEmail)}); p.Status != http.StatusBadRequest {
		t.Fatalf("choosing the mailbox anyway: %d", p.Status)
	}
}

// TestNoEnrollmentPastExistingFactor: when the policy's methods leave out
// the account's factor, a password alone still cannot enroll a new one:
// the enrolled factor is asked for; and an acr-2 session cannot be made at
// another application by enrolling there.
func TestNoEnrollmentPastExistingFactor(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP}})
	fx.enrollTOTP(t, fx.passwordSignIn(t, "alice@example.com"))
	ctx := context.Background()
	if err := fx.Store.SetMFAPolicy(ctx, selfservicetest.AppID, storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodSMSCode}}); err != nil {
		t.Fatal(err)
	}
	s := fx.passwordSignIn(t, "alice@example.com")
	s.chooser(t)
	if s.page.Has("enroll") || !strings.Contains(s.page.Body, `value="totp|`) {
		t.Fatalf("a policy without TOTP let the password enroll instead of asking for the app:\n%s", s.page.Body)
	}
	if p := s.try(map[string]string{"enroll": "phone"}); p.Status != http.StatusBadRequest {
		t.Fatalf("posting an enrollment at the MFA step: %d", p.Status)
	}

	if err := fx.Store.CreateApplication(ctx, &storage.Application{ID: "promo", StoreID: selfservicetest.StoreID, Name: "Promo",
		MFA: storage.MFAPolicy{Mode: storage.MFAOptional, Methods: []string{storage.MethodSMSCode}}}); err != nil {
		t.Fatal(err)
	}
	if err := fx.Store.CreateClient(ctx, &storage.Client{ID: "promo", Name: "Promo", ApplicationID: "promo", Public: true, FirstParty: true,
		RedirectURIs: []string{"https://promo.example/callback"}, GrantTypes: []string{"authorization_code"},
		ResponseTypes: []string{"code"}, Scopes: []string{"openid", "email"}}); err != nil {
		t.Fatal(err)
	}
	b := fx.Browser(t)
	p := b.Get(fx.LoginURL(fx.Interaction(t, b, "promo", nil)))
	p = b.Submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.Submit(p, map[string]string{"password": alicePass})
	if p.Has("other") {
		p = b.Submit(p, map[string]string{"other": "1"})
	}
	if p.Has("enroll") || !strings.Contains(p.Body, `value="totp|`) {
		t.Fatalf("the optional application offered enrollment past the account's factor:\n%s", p.Body)
	}
}

// TestPasswordlessSameWork: in passwordless mode the identifier page's
// post and "send a new code" run the same statements for a known and an
// unknown identifier (the lookup and the send are the deferred worker's),
// on SQLite and PostgreSQL.
func TestPasswordlessSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			rec := sqltest.NewRecorder(selfservicetest.RequestID)
			fx := newMFAEnv(t, sqltest.OpenRecorded(t, sqltest.URL(t, dialect), rec), storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true})
			browsers := map[string]*selfservicetest.Browser{}
			post := func(identifier string) (*selfservicetest.Page, *selfservicetest.Page) {
				b := fx.Browser(t)
				_, p := fx.Start(t, b, nil)
				noFollow := &selfservicetest.Browser{}
				*noFollow = *b
				client := *b.Client
				client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				noFollow.Client = &client
				sent := noFollow.Submit(p, map[string]string{"identifier": identifier})
				loc, err := sent.Resp.Location()
				if err != nil {
					t.Fatalf("the identifier post did not redirect: %d\n%s", sent.Status, sent.Body)
				}
				page := b.Get(loc.String())
				browsers[identifier] = b
				return sent, b.Submit(page, map[string]string{"resend": "1"})
			}
			knownPost, knownResend := post("alice@example.com")
			unknownPost, unknownResend := post("nobody@example.com")
			fx.Settle(t) // the known account's code is sent and live
			knownWrong := browsers["alice@example.com"].Submit(knownResend, map[string]string{"code": "000000"})
			unknownWrong := browsers["nobody@example.com"].Submit(unknownResend, map[string]string{"code": "000000"})
			for _, c := range []struct {
				what           string
				known, unknown *selfservicetest.Page
			}{{"identifier post", knownPost, unknownPost}, {"send a new code", knownResend, unknownResend}, {"a wrong code", knownWrong, unknownWrong}} {
				sameStatements(t, rec, c.what, c.known, c.unknown)
			}
			if knownWrong.Status != http.StatusBadRequest || unknownWrong.Status != http.StatusBadRequest {
				t.Fatalf("a wrong code: %d and %d, want 400", knownWrong.Status, unknownWrong.Status)
			}
			// The page names the identifier typed; apart from that, the same.
			knownResend.Body = strings.ReplaceAll(knownResend.Body, "alice@example.com", "nobody@example.com")
			sameAnswer(t, "send a new code", knownResend, unknownResend)
		})
	}
}

// TestEnrollmentEdges: a voice code is neither offered nor sent where the
// policy allows only SMS; wrong enrollment codes lock with a message that
// says so.
func TestEnrollmentEdges(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodSMSCode}})
	s := fx.passwordSignIn(t, "alice@example.com")
	s.post(map[string]string{"enroll": "phone"})
	if strings.Contains(s.page.Body, `value="voice"`) || !strings.Contains(s.page.Body, `value="sms"`) {
		t.Fatalf("phone enrollment buttons under an SMS-only policy:\n%s", s.page.Body)
	}
	if p := s.try(map[string]string{"phone": "+4915100000011", "channel": "voice"}); p.Status != http.StatusBadRequest {
		t.Fatalf("a voice code under an SMS-only policy: %d", p.Status)
	}
	fx.Settle(t)
	fx.Inbox.None(t, "+4915100000011")
	s.post(map[string]string{"phone": "+4915100000011", "channel": "sms"})
	fx.next(t, "+4915100000011")
	var last *selfservicetest.Page
	for range 6 {
		last = s.try(map[string]string{"code": "000000"})
	}
	if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Body, "Too many wrong tries") {
		t.Fatalf("six wrong enrollment codes: %d\n%s", last.Status, last.Body)
	}
}

// TestNoCodeOfAnotherPurposeAtMFAStep: a passwordless code to the
// mailbox, left unused, then a reset by the same mailbox; at the MFA step
// the customer picks SMS while its send is held back (no code issued for
// it): the passwordless code must not pass as the SMS code.
func TestNoCodeOfAnotherPurposeAtMFAStep(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired, Passwordless: true,
		Methods: []string{storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodTOTP}})
	if err := fx.Store.CreateAuthenticator(context.Background(), &storage.Authenticator{AccountID: fx.alice.ID,
		Kind: storage.AuthenticatorPhone, Address: "+15551230000"}); err != nil {
		t.Fatal(err)
	}
	s := fx.identifierOnly(t, "alice@example.com")
	mailboxCode := sixDigits.FindString(fx.next(t, "alice@example.com"))
	fx.resetToMFA(t, s)
	s.choose(t, "sms|")
	s.post(map[string]string{"code": mailboxCode})
	fx.stuck(t, "the mailbox's passwordless code as the SMS factor", s)
}

// TestControlCharactersInIdentifiers: an identifier with a NUL byte or
// another control character is refused with the field's message on the
// sign-in and reset pages (PostgreSQL refuses NUL in text: it was a 500
// there, and a queued request retried to exhaustion).
func TestControlCharactersInIdentifiers(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		env := selfservicetest.New(t, selfservicetest.Options{Store: newStore(t)})
		env.Account(t, "alice@example.com", alicePass)
		b := env.Browser(t)
		id, p := env.Start(t, b, nil)
		if r := b.Submit(p, map[string]string{"identifier": "alice\x00@example.com"}); r.Status != http.StatusBadRequest {
			t.Errorf("sign-in with a NUL byte: %d", r.Status)
		}
		p = b.Get(env.RecoverURL(id))
		if r := b.Submit(p, map[string]string{"identifier": "alice\x00@example.com"}); r.Status != http.StatusBadRequest {
			t.Errorf("reset with a NUL byte: %d", r.Status)
		}
		if r := b.Submit(p, map[string]string{"identifier": "alice\u0007@example.com"}); r.Status != http.StatusBadRequest {
			t.Errorf("reset with a control character: %d", r.Status)
		}
		env.Settle(t)
	})
}

// TestLinkOnlyThrottleRenews: with magic links only, a second request
// after the re-request interval gets a new link (the throttle follows the
// link secrets it writes, not codes that are never made).
func TestLinkOnlyThrottleRenews(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true, Methods: []string{storage.MethodEmailLink}})
	fx.identifierOnly(t, "alice@example.com")
	fx.Settle(t)
	linkTo(t, fx.Inbox.Next(t, "alice@example.com"), selfservice.MagicLinkPath)
	fx.Clock.Advance(30 * time.Minute)
	fx.identifierOnly(t, "alice@example.com")
	fx.Settle(t)
	linkTo(t, fx.Inbox.Next(t, "alice@example.com"), selfservice.MagicLinkPath)
}

// TestPasskeyEnrollmentRefused: a creation response that is not the
// browser's answer to this challenge (garbage, or made for another origin)
// is refused with a message and stores nothing.
func TestPasskeyEnrollmentRefused(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	s := fx.passwordSignIn(t, "alice@example.com")
	s.post(map[string]string{"enroll": "passkey"})
	options := capture(t, s.page, `data-webauthn="create" data-options="([^"]*)"`)
	forged, err := mfatest.NewAuthenticator("localhost", "http://evil.example").Create([]byte(options))
	if err != nil {
		t.Fatal(err)
	}
	for what, cred := range map[string]string{"garbage": `{"id":"x"}`, "another origin": string(forged)} {
		if p := s.try(map[string]string{"credential": cred}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "could not be created") {
			t.Errorf("%s: %d\n%s", what, p.Status, p.Body)
		}
	}
	if auths, _ := fx.Store.ListAuthenticators(context.Background(), fx.alice.ID); len(auths) != 0 {
		t.Fatalf("a refused passkey was stored: %+v", auths)
	}
}
