package mfa

import (
	"errors"
	"strings"
	"testing"

	"foyer/selfservice/mfa/mfatest"
)

func TestWebAuthnRegistrationRefused(t *testing.T) {
	alice := User{ID: []byte("acct-alice"), Name: "alice", DisplayName: "Alice"}
	bob := User{ID: []byte("acct-bob"), Name: "bob", DisplayName: "Bob"}
	tests := []struct {
		name   string
		tweak  func(a *mfatest.Authenticator)
		finish func(w *WebAuthn, state, response []byte) error
		reason string
	}{
		{"wrong origin", func(a *mfatest.Authenticator) { a.SetOrigin("https://evil.test") }, nil, "validating origin"},
		{"wrong RP ID", func(a *mfatest.Authenticator) { a.SetRPID("evil.test") }, nil, "RP Hash mismatch"},
		{"finished for another user", nil, func(w *WebAuthn, state, response []byte) error {
			_, err := w.FinishRegistration(bob, state, response)
			return err
		}, "ID mismatch"},
		{"state of a login ceremony", nil, func(w *WebAuthn, _, response []byte) error {
			u := alice
			u.Credentials = nil
			_, state, err := w.BeginLogin(nil, false)
			if err != nil {
				return err
			}
			_, err = w.FinishRegistration(u, state, response)
			return err
		}, "ID mismatch"},
		{"unreadable state", nil, func(w *WebAuthn, _, response []byte) error {
			_, err := w.FinishRegistration(alice, []byte("{"), response)
			return err
		}, "state"},
		{"not JSON", nil, func(w *WebAuthn, state, _ []byte) error {
			_, err := w.FinishRegistration(alice, state, []byte("nope"))
			return err
		}, "Parse error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWebAuthn(t)
			auth := mfatest.NewAuthenticator(testRPID, testOrigin)
			if tt.tweak != nil {
				tt.tweak(auth)
			}
			options, state, err := w.BeginRegistration(alice)
			if err != nil {
				t.Fatal(err)
			}
			response, err := auth.Create(options)
			if err != nil {
				t.Fatal(err)
			}
			if tt.finish == nil {
				_, err = w.FinishRegistration(alice, state, response)
			} else {
				err = tt.finish(w, state, response)
			}
			if !errors.Is(err, ErrCeremony) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want ErrCeremony for %q", err, tt.reason)
			}
		})
	}
}

// Without requireUV an unverified assertion passes, and the result says so;
// the credential's own UV flag is not this assertion's (go-webauthn keeps the
// registration's value), which is why LoginResult.UserVerified exists.
func TestWebAuthnUserVerificationPreferred(t *testing.T) {
	f := newFixture(t)
	f.aliceAuth.SetUserVerified(false)
	res, err := login(t, f.w, nil, false, f.aliceAuth, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.UserVerified {
		t.Error("UserVerified true for an assertion without UV")
	}
	if !res.Credential.Flags.UserVerified {
		t.Error("go-webauthn no longer keeps the registration's UV flag; revisit LoginResult.UserVerified's comment")
	}
}

// A clone warning stored from an earlier ceremony does not refuse a later,
// well-behaved one; only this ceremony's count matters.
func TestWebAuthnStoredCloneWarningIgnored(t *testing.T) {
	for _, discoverable := range []bool{false, true} {
		f := newFixture(t)
		f.alice.Credentials[0].Authenticator.CloneWarning = true
		named := f.alice
		if discoverable {
			named = nil
		}
		res, err := login(t, f.w, named, false, f.aliceAuth, f.dir)
		if err != nil {
			t.Fatalf("discoverable %v: %v", discoverable, err)
		}
		if res.Credential.Authenticator.CloneWarning {
			t.Errorf("discoverable %v: returned credential still carries the old clone warning", discoverable)
		}
	}
}

func TestBeginLoginWithoutCredentials(t *testing.T) {
	w := newTestWebAuthn(t)
	if _, _, err := w.BeginLogin(&User{ID: []byte("acct-x"), Name: "x"}, false); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v, want ErrNoCredentials", err)
	}
}

func TestNewWebAuthnConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  WebAuthnConfig
		ok   bool
	}{
		{"complete", WebAuthnConfig{RPID: "localhost", RPName: "Foyer", Origins: []string{"http://localhost:8080"}}, true},
		{"no RP ID", WebAuthnConfig{RPName: "Foyer", Origins: []string{"http://localhost:8080"}}, false},
		{"no name", WebAuthnConfig{RPID: "localhost", Origins: []string{"http://localhost:8080"}}, false},
		{"no origin", WebAuthnConfig{RPID: "localhost", RPName: "Foyer"}, false},
		{"RP ID with a scheme", WebAuthnConfig{RPID: "https://localhost", RPName: "Foyer", Origins: []string{"https://localhost"}}, false},
	}
	for _, tt := range tests {
		if _, err := NewWebAuthn(tt.cfg); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
