package main

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"foyer/selfservice/mfa"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestAcrValuesAndStepUp: acr_values=2 asks for a second factor where the
// policy would not, and a single-factor SSO session is not enough for it:
// the browser signs in again.
func TestAcrValuesAndStepUp(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOff}, nil)
	s := fx.passwordSignIn(t)
	if acr, amr := fx.claims(t, s); acr != "1" || !slices.Equal(amr, []string{"pwd"}) {
		t.Fatalf("MFA off: acr %q amr %v", acr, amr)
	}
	// Same browser (an SSO session with acr 1), now asking for acr 2.
	s.verifier = oauth2.GenerateVerifier()
	p := s.b.get(fx.rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(s.verifier), oauth2.SetAuthURLParam("acr_values", "2")))
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("acr_values=2 with a single-factor session did not ask to sign in again: %d\n%s", p.status, p.body)
	}
	p = s.b.submit(p, map[string]string{"identifier": "alice@example.com"})
	s.page = s.b.submit(p, map[string]string{"password": alicePass})
	if !strings.Contains(s.page.body, `name="enroll"`) {
		t.Fatalf("acr_values=2 did not require enrollment:\n%s", s.page.body)
	}
	enrollTOTP(t, s)
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("acr_values=2 sign-in: acr %q", acr)
	}
}

// TestResetEndsInMFAStep: a password reset proves the mailbox, not the
// second factor: with MFA required the reset ends at the MFA step, and
// the relying party's code comes only after it.
func TestResetEndsInMFAStep(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired}, configure)
	secret, _ := enrollTOTP(t, fx.passwordSignIn(t))
	in.factorNotice(t, "alice@example.com", "added")
	s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(s.verifier)))
	s.getLink(t, fx.srv.issuer+capture(t, s.page, `href="(/recover[^"]*)"`))
	s.post(map[string]string{"identifier": "alice@example.com"})
	if err := fx.srv.deferredIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	mail := in.Next(t, "alice@example.com")
	var link string
	for _, l := range mail.Links {
		if strings.Contains(l, "/recover/reset") {
			link = l
		}
	}
	if link == "" {
		t.Fatalf("no reset link in %q", mail.Text)
	}
	s.getLink(t, link)
	s.post(nil) // the confirmation button
	s.post(map[string]string{"password": resetPass, "password_confirm": resetPass})
	if !strings.Contains(s.page.body, `name="choose"`) {
		t.Fatalf("the reset did not end at the MFA step (%d):\n%s", s.page.status, s.page.body)
	}
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
	code, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
	s.post(map[string]string{"code": code})
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Equal(amr, []string{"otp", "mfa"}) {
		t.Fatalf("after reset and MFA: acr %q amr %v, want 2 and otp, mfa", acr, amr)
	}
}

// TestMagicLinkSecondFactor: an e-mail magic link proves the second factor
// only in the browser that started the sign-in, once; in another browser
// it says so and proves nothing.
func TestMagicLinkSecondFactor(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodEmailCode, storage.MethodEmailLink}}, configure)
	enrollEmailCodes(t, fx, in)

	s := fx.passwordSignIn(t)
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "email_link|")})
	mail := in.Next(t, "alice@example.com")
	if len(mail.Links) != 1 || !strings.Contains(mail.Links[0], "/login/link?") {
		t.Fatalf("magic link mail: %q", mail.Text)
	}
	other := newBrowser(t, fx.srv.Listener.Addr().String())
	if p := other.get(mail.Links[0]); p.status != http.StatusBadRequest || !strings.Contains(p.body, "browser where you started") {
		t.Fatalf("link in another browser: %d\n%s", p.status, p.body)
	}
	s.getLink(t, mail.Links[0])
	s.post(nil)
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "mfa") {
		t.Fatalf("magic link: acr %q amr %v", acr, amr)
	}
	if p := s.getLink(t, mail.Links[0]); p.status != http.StatusBadRequest || !strings.Contains(p.body, "expired or was used") {
		t.Fatalf("used link opened again: %d\n%s", p.status, p.body)
	}
}

// TestMFAExpiredCode: a code entered after its lifetime is refused like a
// wrong one and the sign-in stays at the MFA step; a new code works.
func TestMFAExpiredCode(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	clock := newTestClock()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodEmailCode}}, configure, withSelfServiceClock(clock.now))
	enrollEmailCodes(t, fx, in)

	s := fx.passwordSignIn(t)
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "email|")})
	code := sixDigits.FindStringSubmatch(in.Next(t, "alice@example.com").Text)
	clock.advance(11 * time.Minute) // the default code lifetime is 10 minutes
	if p := s.b.submit(s.page, map[string]string{"code": code[1]}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "expired") {
		t.Fatalf("expired code: %d\n%s", p.status, p.body)
	}
	s.post(map[string]string{"resend": "email"})
	code = regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(in.Next(t, "alice@example.com").Text)
	s.post(map[string]string{"code": code[1]})
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("new code after the expired one: acr %q", acr)
	}
}
