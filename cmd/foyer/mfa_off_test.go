package main

import (
	"context"
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

// setMFAPolicy changes the default application's MFA policy mid-test.
func (fx *mfaFixture) setMFAPolicy(t *testing.T, pol storage.MFAPolicy) {
	t.Helper()
	if err := fx.srv.store.SetMFAPolicy(context.Background(), defaultApplicationID, pol); err != nil {
		t.Fatal(err)
	}
}

// TestMFAOffAsksEnrolledFactor: a factor the customer enrolled is asked
// for at every sign-in, also where the application's policy is off, and
// even when the policy's methods do not list it (it is the customer's own
// factor). The policy off still offers no enrollment, and the SSO session
// the sign-in made answers the next request with its acr 2.
func TestMFAOffAsksEnrolledFactor(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newMFAFixture(t, newStore(t), storage.MFAPolicy{Mode: storage.MFARequired}, nil)
		secret, _ := enrollTOTP(t, fx.passwordSignIn(t))
		fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFAOff, Methods: []string{storage.MethodEmailCode}})

		s := fx.passwordSignIn(t)
		if strings.Contains(s.page.body, `name="enroll"`) {
			t.Fatalf("policy off offered enrollment:\n%s", s.page.body)
		}
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
		code, err := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		s.post(map[string]string{"code": code})
		if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "pwd") || !slices.Contains(amr, "otp") || !slices.Contains(amr, "mfa") {
			t.Fatalf("policy off, enrolled TOTP: acr %q amr %v, want 2 with pwd, otp, mfa", acr, amr)
		}
		// The same browser: answered from the SSO session, acr kept.
		s.verifier = oauth2.GenerateVerifier()
		s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(s.verifier)))
		if acr, _ := fx.claims(t, s); acr != "2" {
			t.Fatalf("SSO answer after an MFA sign-in: acr %q", acr)
		}
	})
}

// TestMFAOffPasswordlessEnrolledFactor: with the policy off, passwordless
// sign-in by a code to the address the customer enrolled as a factor has
// used that factor (it is not asked again, nothing else is demanded); an
// account whose factor is an authenticator app is asked for it after the
// e-mailed code.
func TestMFAOffPasswordlessEnrolledFactor(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired}, configure)
	enrollEmailCodes(t, fx, in)
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true,
		Methods: []string{storage.MethodEmailCode, storage.MethodTOTP}})
	passwordless := func() *signIn {
		s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
		s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(s.verifier)))
		s.post(map[string]string{"identifier": "alice@example.com"})
		if err := fx.srv.deferredIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(in.Next(t, "alice@example.com").Text)
		s.post(map[string]string{"code": code[1]})
		return s
	}
	s := passwordless()
	if acr, amr := fx.claims(t, s); acr != "1" || !slices.Equal(amr, []string{"otp"}) {
		t.Fatalf("passwordless by the enrolled address: acr %q amr %v, want 1 and [otp]", acr, amr)
	}

	// Bob's factor is an authenticator app: the e-mailed code is not it.
	fx.srv.account(t, "bob@example.com", alicePass)
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFARequired})
	b := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	b.page = b.b.get(fx.rp.oauth.AuthCodeURL("state-0003", oauth2.S256ChallengeOption(b.verifier)))
	b.post(map[string]string{"identifier": "bob@example.com"})
	b.post(map[string]string{"password": alicePass})
	secret, _ := enrollTOTP(t, b)
	fx.claims(t, b)
	in.factorNotice(t, "bob@example.com", "added")
	fx.setMFAPolicy(t, storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true,
		Methods: []string{storage.MethodEmailCode}})
	b = &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	b.page = b.b.get(fx.rp.oauth.AuthCodeURL("state-0004", oauth2.S256ChallengeOption(b.verifier)))
	b.post(map[string]string{"identifier": "bob@example.com"})
	if err := fx.srv.deferredIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(in.Next(t, "bob@example.com").Text)
	b.post(map[string]string{"code": code[1]})
	b.post(map[string]string{"choose": buttonValue(t, b.page, "choose", "totp|")})
	totp, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
	b.post(map[string]string{"code": totp})
	if acr, amr := fx.claims(t, b); acr != "2" || !slices.Contains(amr, "mfa") {
		t.Fatalf("passwordless with an enrolled app: acr %q amr %v, want 2 with mfa", acr, amr)
	}
}
