package main

import (
	"context"
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
		s.choose(t, "totp|")
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
