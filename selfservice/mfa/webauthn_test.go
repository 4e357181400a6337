package mfa

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"foyer/selfservice/mfa/mfatest"
)

const (
	testRPID   = "id.example.com"
	testOrigin = "https://id.example.com"
)

func newTestWebAuthn(t *testing.T) *WebAuthn {
	t.Helper()
	w, err := NewWebAuthn(WebAuthnConfig{RPID: testRPID, RPName: "Foyer", Origins: []string{testOrigin}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// directory is the test's account store: user handle -> User.
type directory map[string]*User

func (d directory) lookup(handle []byte) (User, error) {
	u, ok := d[string(handle)]
	if !ok {
		return User{}, fmt.Errorf("no account %q", handle)
	}
	return *u, nil
}

// register enrolls a new passkey for u with auth and stores it on u.
func register(t *testing.T, w *WebAuthn, u *User, auth *mfatest.Authenticator) webauthn.Credential {
	t.Helper()
	options, state, err := w.BeginRegistration(*u)
	if err != nil {
		t.Fatal(err)
	}
	response, err := auth.Create(options)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := w.FinishRegistration(*u, state, response)
	if err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
	u.Credentials = append(u.Credentials, *cred)
	return *cred
}

// login runs a ceremony: begin (for u, or discoverable when nil), the
// authenticator's answer, then finish with dir's lookup.
func login(t *testing.T, w *WebAuthn, u *User, requireUV bool, auth *mfatest.Authenticator, dir directory) (LoginResult, error) {
	t.Helper()
	options, state, err := w.BeginLogin(u, requireUV)
	if err != nil {
		t.Fatal(err)
	}
	response, err := auth.Get(options)
	if err != nil {
		t.Fatalf("authenticator: %v", err)
	}
	return w.FinishLoginResult(state, response, dir.lookup)
}

// storeBack saves the updated credential on its user, as the caller must.
func storeBack(u *User, c *webauthn.Credential) {
	for i := range u.Credentials {
		if bytes.Equal(u.Credentials[i].ID, c.ID) {
			u.Credentials[i] = *c
		}
	}
}

func TestWebAuthnRegisterAndLogin(t *testing.T) {
	w := newTestWebAuthn(t)
	alice := &User{ID: []byte("acct-alice"), Name: "alice@example.com", DisplayName: "Alice"}
	dir := directory{"acct-alice": alice}
	auth := mfatest.NewAuthenticator(testRPID, testOrigin)

	cred := register(t, w, alice, auth)
	if !bytes.Equal(cred.ID, auth.CredentialIDs()[0]) || len(cred.PublicKey) == 0 {
		t.Fatalf("credential %x does not match the authenticator's %x", cred.ID, auth.CredentialIDs())
	}
	if !cred.Flags.UserVerified || !cred.Flags.BackupEligible || cred.Authenticator.SignCount != 1 {
		t.Errorf("registered credential flags %+v count %d", cred.Flags, cred.Authenticator.SignCount)
	}
	if got := AMR(&cred); got != "swk" {
		t.Errorf("AMR of a platform passkey = %q, want swk", got)
	}

	// Discoverable: no user named; the assertion's user handle finds Alice.
	res, err := login(t, w, nil, true, auth, dir)
	if err != nil {
		t.Fatalf("discoverable login: %v", err)
	}
	if !bytes.Equal(res.User.ID, alice.ID) || !res.UserVerified {
		t.Fatalf("discoverable login gave user %q uv %v", res.User.ID, res.UserVerified)
	}
	if res.Credential.Authenticator.SignCount != 2 {
		t.Fatalf("sign count after first login = %d, want 2", res.Credential.Authenticator.SignCount)
	}
	storeBack(alice, res.Credential)

	// Non-discoverable (second factor): allowCredentials lists Alice's keys.
	user, c, err := finishLogin(t, w, alice, auth, dir)
	if err != nil {
		t.Fatalf("non-discoverable login: %v", err)
	}
	if !bytes.Equal(user.ID, alice.ID) || c.Authenticator.SignCount != 3 || c.Authenticator.CloneWarning {
		t.Fatalf("login gave user %q count %d clone %v", user.ID, c.Authenticator.SignCount, c.Authenticator.CloneWarning)
	}

	// The state survives a JSON round trip through the caller's storage, and a
	// credential stored as JSON still verifies.
	stored, _ := json.Marshal(c)
	var reloaded webauthn.Credential
	if err := json.Unmarshal(stored, &reloaded); err != nil {
		t.Fatal(err)
	}
	alice.Credentials = []webauthn.Credential{reloaded}
	if _, err := login(t, w, alice, false, auth, dir); err != nil {
		t.Fatalf("login with a credential reloaded from JSON: %v", err)
	}
}

func finishLogin(t *testing.T, w *WebAuthn, u *User, auth *mfatest.Authenticator, dir directory) (User, *webauthn.Credential, error) {
	t.Helper()
	options, state, err := w.BeginLogin(u, false)
	if err != nil {
		t.Fatal(err)
	}
	var opts struct {
		AllowCredentials []struct{ ID string } `json:"allowCredentials"`
		UserVerification string                `json:"userVerification"`
	}
	if err := json.Unmarshal(options, &opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.AllowCredentials) != len(u.Credentials) || opts.UserVerification != "preferred" {
		t.Fatalf("options %s: want allowCredentials for each of %d credentials, uv preferred", options, len(u.Credentials))
	}
	response, err := auth.Get(options)
	if err != nil {
		t.Fatal(err)
	}
	return w.FinishLogin(state, response, dir.lookup)
}

func TestBeginRegistrationOptions(t *testing.T) {
	w := newTestWebAuthn(t)
	alice := &User{ID: []byte("acct-alice"), Name: "alice@example.com", DisplayName: "Alice"}
	auth := mfatest.NewAuthenticator(testRPID, testOrigin)
	register(t, w, alice, auth)

	options, _, err := w.BeginRegistration(*alice)
	if err != nil {
		t.Fatal(err)
	}
	var opts struct {
		RP   struct{ ID, Name string }
		User struct {
			ID          string
			Name        string
			DisplayName string `json:"displayName"`
		}
		Challenge              string
		ExcludeCredentials     []struct{ ID string } `json:"excludeCredentials"`
		AuthenticatorSelection struct {
			ResidentKey      string `json:"residentKey"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
	}
	if err := json.Unmarshal(options, &opts); err != nil {
		t.Fatal(err)
	}
	if opts.RP.ID != testRPID || opts.User.ID != base64.RawURLEncoding.EncodeToString(alice.ID) || opts.User.DisplayName != "Alice" {
		t.Errorf("rp/user wrong in %s", options)
	}
	if len(opts.ExcludeCredentials) != 1 || opts.ExcludeCredentials[0].ID != base64.RawURLEncoding.EncodeToString(alice.Credentials[0].ID) {
		t.Errorf("existing credential not excluded: %s", options)
	}
	if opts.AuthenticatorSelection.ResidentKey != "required" || opts.AuthenticatorSelection.UserVerification != "preferred" {
		t.Errorf("authenticatorSelection %+v", opts.AuthenticatorSelection)
	}
	if _, err := auth.Create(options); err == nil {
		t.Error("the authenticator registered a second credential despite excludeCredentials")
	}
}

func TestWebAuthnAMR(t *testing.T) {
	w := newTestWebAuthn(t)
	u := &User{ID: []byte("acct-key"), Name: "k", DisplayName: "K"}
	key := mfatest.NewAuthenticator(testRPID, testOrigin)
	key.SetAttachment("cross-platform", "usb", "nfc")
	key.SetBackup(false, false)
	cred := register(t, w, u, key)
	if got := AMR(&cred); got != "hwk" {
		t.Errorf("AMR of a USB security key = %q, want hwk", got)
	}
	if got := AMR(&webauthn.Credential{Transport: []protocol.AuthenticatorTransport{protocol.BLE}}); got != "hwk" {
		t.Errorf("AMR of a ble credential = %q", got)
	}
}
