package selfservice_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/selfservice/mfa"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// enrollEmailCodes enrolls alice's address for e-mail codes at a sign-in
// that requires a second factor.
func (fx *mfaEnv) enrollEmailCodes(t *testing.T) {
	t.Helper()
	s := fx.passwordSignIn(t, "alice@example.com")
	s.post(map[string]string{"enroll": "email"})
	s.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "alice@example.com"))})
	s.post(map[string]string{"continue": "1"})
	fx.claims(t, s)
	fx.factorNotice(t, "alice@example.com", "added")
}

// setMFAPolicy changes the application's MFA policy mid-test.
func (fx *mfaEnv) setMFAPolicy(t *testing.T, pol storage.MFAPolicy) {
	t.Helper()
	if err := fx.Store.SetMFAPolicy(context.Background(), selfservicetest.AppID, pol); err != nil {
		t.Fatal(err)
	}
}

// TestResetEndsInMFAStep: a password reset proves the mailbox, not the
// second factor: with MFA required the reset ends at the MFA step, and
// the sign-in is handed back only after it.
func TestResetEndsInMFAStep(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	secret, _ := fx.enrollTOTP(t, fx.passwordSignIn(t, "alice@example.com"))
	fx.factorNotice(t, "alice@example.com", "added")
	s := &signIn{b: fx.Browser(t)}
	s.id, s.page = fx.Start(t, s.b, nil)
	fx.resetToMFA(t, s)
	s.chooser(t)
	if !s.page.Has("choose") {
		t.Fatalf("the reset did not end at the MFA step (%d):\n%s", s.page.Status, s.page.Body)
	}
	s.choose(t, "totp|")
	fx.Clock.Advance(30 * time.Second)
	code, _ := mfa.TOTPCode(secret, fx.Clock.Now())
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
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodEmailCode, storage.MethodEmailLink}})
	fx.enrollEmailCodes(t)

	s := fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "email_link|")
	fx.Settle(t)
	mail := fx.Inbox.Next(t, "alice@example.com")
	if len(mail.Links) != 1 || !strings.Contains(mail.Links[0], selfservice.MagicLinkPath+"?") {
		t.Fatalf("magic link mail: %q", mail.Text)
	}
	if p := fx.Browser(t).Get(mail.Links[0]); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "browser where you started") {
		t.Fatalf("link in another browser: %d\n%s", p.Status, p.Body)
	}
	s.page = s.b.Get(mail.Links[0])
	s.post(nil)
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "mfa") {
		t.Fatalf("magic link: acr %q amr %v", acr, amr)
	}
	if p := s.b.Get(mail.Links[0]); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "expired or was used") {
		t.Fatalf("used link opened again: %d\n%s", p.Status, p.Body)
	}
}

// TestMFAExpiredCode: a code entered after its lifetime is refused like a
// wrong one and the sign-in stays at the MFA step; a new code works.
func TestMFAExpiredCode(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodEmailCode}})
	fx.enrollEmailCodes(t)

	s := fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "email|")
	code := sixDigits.FindString(fx.next(t, "alice@example.com"))
	fx.Clock.Advance(11 * time.Minute) // the default code lifetime is 10 minutes
	if p := s.try(map[string]string{"code": code}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "expired") {
		t.Fatalf("expired code: %d\n%s", p.Status, p.Body)
	}
	s.post(map[string]string{"resend": "email"})
	s.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "alice@example.com"))})
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("new code after the expired one: acr %q", acr)
	}
}

// TestMFAOffPasswordlessEnrolledFactor: with the policy off, passwordless
// sign-in by a code to the address the customer enrolled as a factor has
// used that factor (it is not asked again, nothing else is demanded); an
// account whose factor is an authenticator app is asked for it after the
// e-mailed code.
func TestMFAOffPasswordlessEnrolledFactor(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	fx.enrollEmailCodes(t)
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true,
		Methods: []string{storage.MethodEmailCode, storage.MethodTOTP}})
	s := fx.identifierOnly(t, "alice@example.com")
	s.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "alice@example.com"))})
	if acr, amr := fx.claims(t, s); acr != "1" || !slices.Equal(amr, []string{"otp"}) {
		t.Fatalf("passwordless by the enrolled address: acr %q amr %v, want 1 and [otp]", acr, amr)
	}

	// Bob's factor is an authenticator app: the e-mailed code is not it.
	fx.Account(t, "bob@example.com", alicePass)
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFARequired})
	b := fx.passwordSignIn(t, "bob@example.com")
	secret, _ := fx.enrollTOTP(t, b)
	fx.claims(t, b)
	fx.factorNotice(t, "bob@example.com", "added")
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true,
		Methods: []string{storage.MethodEmailCode}})
	b = fx.identifierOnly(t, "bob@example.com")
	b.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "bob@example.com"))})
	b.choose(t, "totp|")
	fx.Clock.Advance(30 * time.Second)
	totp, _ := mfa.TOTPCode(secret, fx.Clock.Now())
	b.post(map[string]string{"code": totp})
	if acr, amr := fx.claims(t, b); acr != "2" || !slices.Contains(amr, "mfa") {
		t.Fatalf("passwordless with an enrolled app: acr %q amr %v, want 2 with mfa", acr, amr)
	}
}

// TestMFAOneMethodGoesStraight: an account whose only factor is an
// authenticator app lands on the code form at once, without the chooser;
// "Try another method" shows it (the app and the recovery codes) and the
// app still works from there. An account with one e-mail factor is sent
// its code at once; with no recovery codes there is no other method to
// try, so the link is absent.
func TestMFAOneMethodGoesStraight(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	secret, _ := fx.enrollTOTP(t, fx.passwordSignIn(t, "alice@example.com"))
	fx.factorNotice(t, "alice@example.com", "added")
	s := fx.passwordSignIn(t, "alice@example.com")
	if s.page.Has("choose") || !s.page.Has("code") || !strings.Contains(s.page.Body, "authenticator app") ||
		!strings.Contains(s.page.Body, ">Try another method</button>") {
		t.Fatalf("one factor: want its code form and a way to another method:\n%s", s.page.Body)
	}
	s.post(map[string]string{"other": "1"})
	if !strings.Contains(s.page.Body, `value="totp|`) || !strings.Contains(s.page.Body, `value="recovery|`) || s.page.Has("code") {
		t.Fatalf("Try another method: want the chooser:\n%s", s.page.Body)
	}
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
	fx.Clock.Advance(30 * time.Second)
	code, _ := mfa.TOTPCode(secret, fx.Clock.Now())
	s.post(map[string]string{"code": code})
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("after the chooser the app's code gave acr %q", acr)
	}

	bob := fx.AccountWith(t, &storage.Account{Email: "bob@example.com", EmailConfirmed: true}, alicePass)
	if err := fx.Store.CreateAuthenticator(context.Background(), &storage.Authenticator{AccountID: bob.ID,
		Kind: storage.AuthenticatorEmail, Address: "bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodEmailCode}})
	b := fx.passwordSignIn(t, "bob@example.com")
	if b.page.Has("choose") || b.page.Has("other") || !b.page.Has("code") {
		t.Fatalf("the only method: want its form and no other method to try:\n%s", b.page.Body)
	}
	b.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "bob@example.com"))})
	if acr, _ := fx.claims(t, b); acr != "2" {
		t.Fatalf("the code sent at once gave acr %q", acr)
	}
}

// TestEnrolledMailboxIsNoLongerUnproven: an address confirmed at
// registration without activation is unproven, and the first reset
// through it takes the account over (its factors go). Enrolling that
// address as a second factor by the code sent there proves the mailbox:
// the account is no longer unproven, and a later reset keeps its factors.
func TestEnrolledMailboxIsNoLongerUnproven(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	a, err := fx.Store.GetAccount(ctx, fx.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.EmailUnproven = true // as a registration without activation leaves it
	if err := fx.Store.UpdateAccountProfile(ctx, a); err != nil {
		t.Fatal(err)
	}
	fx.enrollEmailCodes(t)
	if after, err := fx.Store.GetAccount(ctx, fx.alice.ID); err != nil || after.EmailUnproven {
		t.Fatalf("after enrolling the address by its code: %+v, %v; want it proven", after, err)
	}
	s := &signIn{b: fx.Browser(t)}
	s.id, s.page = fx.Start(t, s.b, nil)
	fx.resetToMFA(t, s)
	if auths, err := fx.Store.ListAuthenticators(ctx, fx.alice.ID); err != nil || len(auths) == 0 {
		t.Fatalf("a reset by the owner of a proven mailbox removed the account's factors: %v, %v", auths, err)
	}
}
