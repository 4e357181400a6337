package mfa

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"foyer/selfservice/mfa/mfatest"
)

// fixture is Alice and Bob, each with a registered passkey on their own
// authenticator, and Alice's credential already used once (count stored).
type fixture struct {
	w          *WebAuthn
	alice, bob *User
	aliceAuth  *mfatest.Authenticator
	bobAuth    *mfatest.Authenticator
	dir        directory
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		w:         newTestWebAuthn(t),
		alice:     &User{ID: []byte("acct-alice"), Name: "alice", DisplayName: "Alice"},
		bob:       &User{ID: []byte("acct-bob"), Name: "bob", DisplayName: "Bob"},
		aliceAuth: mfatest.NewAuthenticator(testRPID, testOrigin),
		bobAuth:   mfatest.NewAuthenticator(testRPID, testOrigin),
	}
	f.dir = directory{"acct-alice": f.alice, "acct-bob": f.bob}
	register(t, f.w, f.alice, f.aliceAuth)
	register(t, f.w, f.bob, f.bobAuth)
	res, err := login(t, f.w, f.alice, false, f.aliceAuth, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	storeBack(f.alice, res.Credential)
	return f
}

// editJSON decodes a JSON object, lets edit change it, and encodes it again.
func editJSON(t *testing.T, data []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// editClientData rewrites the assertion's clientDataJSON bytes.
func editClientData(t *testing.T, response []byte, edit func([]byte) []byte) []byte {
	return editJSON(t, response, func(m map[string]any) {
		r := m["response"].(map[string]any)
		raw, err := base64.RawURLEncoding.DecodeString(r["clientDataJSON"].(string))
		if err != nil {
			t.Fatal(err)
		}
		r["clientDataJSON"] = base64.RawURLEncoding.EncodeToString(edit(raw))
	})
}

func TestWebAuthnLoginRefused(t *testing.T) {
	tests := []struct {
		name string
		// run returns the result of a hostile ceremony against f.
		run func(t *testing.T, f *fixture) error
		// reason is in the error when the intended check refused it.
		reason string
	}{
		{"wrong origin", func(t *testing.T, f *fixture) error {
			f.aliceAuth.SetOrigin("https://id.example.com.evil.test")
			_, err := login(t, f.w, f.alice, false, f.aliceAuth, f.dir)
			return err
		}, "validating origin"},
		{"wrong RP ID in authenticatorData", func(t *testing.T, f *fixture) error {
			f.aliceAuth.SetRPID("example.com")
			_, err := login(t, f.w, nil, false, f.aliceAuth, f.dir)
			return err
		}, "RP Hash mismatch"},
		{"clientDataJSON byte flipped", func(t *testing.T, f *fixture) error {
			return f.tampered(t, func(cd []byte) []byte { cd[len(cd)/2] ^= 0x01; return cd })
		}, "validating challenge"},
		{"clientDataJSON still valid JSON but not what was signed", func(t *testing.T, f *fixture) error {
			return f.tampered(t, func(cd []byte) []byte { return append(cd[:len(cd)-1], []byte(`,"x":1}`)...) })
		}, "assertion signature"},
		{"another user's credential for a named user", func(t *testing.T, f *fixture) error {
			options, state, err := f.w.BeginLogin(f.alice, false)
			if err != nil {
				t.Fatal(err)
			}
			// Bob's authenticator ignores Alice's allowCredentials.
			options = editJSON(t, options, func(m map[string]any) { delete(m, "allowCredentials") })
			response, err := f.bobAuth.Get(options)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.w.FinishLogin(state, response, f.dir.lookup)
			return err
		}, "not owned by the user"},
		{"another user's credential claiming Alice's user handle", func(t *testing.T, f *fixture) error {
			options, state, _ := f.w.BeginLogin(nil, false)
			response, err := f.bobAuth.Get(options)
			if err != nil {
				t.Fatal(err)
			}
			response = editJSON(t, response, func(m map[string]any) {
				m["response"].(map[string]any)["userHandle"] = base64.RawURLEncoding.EncodeToString(f.alice.ID)
			})
			_, _, err = f.w.FinishLogin(state, response, f.dir.lookup)
			return err
		}, "Unable to find the credential"},
		{"lookup maps a discoverable assertion to another user", func(t *testing.T, f *fixture) error {
			options, state, _ := f.w.BeginLogin(nil, false)
			response, _ := f.bobAuth.Get(options)
			_, _, err := f.w.FinishLogin(state, response, func([]byte) (User, error) { return *f.alice, nil })
			return err
		}, "User handle and User ID do not match"},
		{"unknown user handle", func(t *testing.T, f *fixture) error {
			delete(f.dir, "acct-bob")
			_, err := login(t, f.w, nil, false, f.bobAuth, f.dir)
			return err
		}, "no account"},
		{"sign count going backwards", func(t *testing.T, f *fixture) error {
			f.aliceAuth.SetSignCount(1) // stored count is 2
			_, err := login(t, f.w, f.alice, false, f.aliceAuth, f.dir)
			return err
		}, "did not grow"},
		{"sign count not growing", func(t *testing.T, f *fixture) error {
			f.aliceAuth.SetSignCount(f.alice.Credentials[0].Authenticator.SignCount)
			_, err := login(t, f.w, nil, false, f.aliceAuth, f.dir)
			return err
		}, "did not grow"},
		{"assertion replayed against a new challenge", func(t *testing.T, f *fixture) error {
			options, state, _ := f.w.BeginLogin(f.alice, false)
			response, _ := f.aliceAuth.Get(options)
			if _, _, err := f.w.FinishLogin(state, response, f.dir.lookup); err != nil {
				t.Fatalf("the original assertion failed: %v", err)
			}
			_, state2, _ := f.w.BeginLogin(f.alice, false)
			_, _, err := f.w.FinishLogin(state2, response, f.dir.lookup)
			return err
		}, "validating challenge"},
		{"required user verification missing", func(t *testing.T, f *fixture) error {
			f.aliceAuth.SetUserVerified(false)
			_, err := login(t, f.w, nil, true, f.aliceAuth, f.dir)
			return err
		}, "User verification required"},
		{"backup eligibility changed since registration", func(t *testing.T, f *fixture) error {
			f.aliceAuth.SetBackup(false, false)
			_, err := login(t, f.w, f.alice, false, f.aliceAuth, f.dir)
			return err
		}, "Backup Eligible flag inconsistency"},
		{"expired state", func(t *testing.T, f *fixture) error {
			options, state, _ := f.w.BeginLogin(f.alice, false)
			state = editJSON(t, state, func(m map[string]any) { m["expires"] = "2001-01-01T00:00:00Z" })
			response, _ := f.aliceAuth.Get(options)
			_, _, err := f.w.FinishLogin(state, response, f.dir.lookup)
			return err
		}, "Expired"},
		{"registration response used to log in", func(t *testing.T, f *fixture) error {
			_, state, _ := f.w.BeginLogin(nil, false)
			options, _, _ := f.w.BeginRegistration(*f.alice)
			response, _ := mfatest.NewAuthenticator(testRPID, testOrigin).Create(options)
			_, _, err := f.w.FinishLogin(state, response, f.dir.lookup)
			return err
		}, "blank User Handle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t, newFixture(t))
			if !errors.Is(err, ErrCeremony) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want ErrCeremony for %q", err, tt.reason)
			}
		})
	}
}

// tampered runs Alice's discoverable login with the clientDataJSON edited.
func (f *fixture) tampered(t *testing.T, edit func([]byte) []byte) error {
	options, state, _ := f.w.BeginLogin(nil, false)
	response, err := f.aliceAuth.Get(options)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.w.FinishLogin(state, editClientData(t, response, edit), f.dir.lookup)
	return err
}
