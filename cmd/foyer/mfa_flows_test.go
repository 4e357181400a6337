package main

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

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
