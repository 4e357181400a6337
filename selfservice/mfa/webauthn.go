package mfa

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// defaultCeremonyTimeout is how long a begun ceremony stays valid when the
// configuration does not say: long enough to find a security key.
const defaultCeremonyTimeout = 5 * time.Minute

// WebAuthn wraps go-webauthn for passkeys (discoverable credentials). It is
// safe for concurrent use; the ceremony state lives with the caller.
type WebAuthn struct {
	wa *webauthn.WebAuthn
}

// WebAuthnConfig is the relying party: RPID is the registrable domain the
// credentials are scoped to (no scheme or port), Origins the exact origins
// the browser may report (scheme, host and port), Timeout how long a begun
// ceremony may take (sent to the browser and enforced on finish).
type WebAuthnConfig struct {
	RPID, RPName string
	Origins      []string
	Timeout      time.Duration
}

// NewWebAuthn checks cfg and returns the relying party.
func NewWebAuthn(cfg WebAuthnConfig) (*WebAuthn, error) {
	if cfg.RPID == "" || cfg.RPName == "" || len(cfg.Origins) == 0 {
		return nil, errors.New("mfa: webauthn needs an RP ID, an RP name and at least one origin")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultCeremonyTimeout
	}
	// Enforce makes the state carry an expiry that finish checks, so an old
	// begun ceremony cannot be completed later.
	timeouts := webauthn.TimeoutConfig{Enforce: true, Timeout: timeout, TimeoutUVD: timeout}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  cfg.RPID,
		RPDisplayName:         cfg.RPName,
		RPOrigins:             slices.Clone(cfg.Origins),
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			RequireResidentKey: protocol.ResidentKeyRequired(),
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			UserVerification:   protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
	})
	if err != nil {
		return nil, fmt.Errorf("mfa: webauthn config: %w", err)
	}
	return &WebAuthn{wa: wa}, nil
}

// User is an account as WebAuthn sees it: ID is the user handle (the account
// id bytes, 1 to 64 of them), which a passkey stores and hands back at a
// discoverable login.
type User struct {
	ID                []byte
	Name, DisplayName string
	Credentials       []webauthn.Credential
}

var _ webauthn.User = User{}

// WebAuthnID implements webauthn.User.
func (u User) WebAuthnID() []byte { return u.ID }

// WebAuthnName implements webauthn.User.
func (u User) WebAuthnName() string { return u.Name }

// WebAuthnDisplayName implements webauthn.User.
func (u User) WebAuthnDisplayName() string { return u.DisplayName }

// WebAuthnCredentials implements webauthn.User.
func (u User) WebAuthnCredentials() []webauthn.Credential { return u.Credentials }

// BeginRegistration returns the options JSON for navigator.credentials.create
// (the content of the publicKey member) and the state to keep server-side
// until FinishRegistration. A resident key is required (a passkey), user
// verification preferred, and u's existing credentials excluded so the same
// authenticator is not registered twice.
func (w *WebAuthn) BeginRegistration(u User) (options []byte, state []byte, err error) {
	exclude := make([]protocol.CredentialDescriptor, 0, len(u.Credentials))
	for i := range u.Credentials {
		exclude = append(exclude, u.Credentials[i].Descriptor())
	}
	creation, session, err := w.wa.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: begin registration: %w", err)
	}
	return marshalCeremony(creation.Response, session)
}

// FinishRegistration checks the browser's PublicKeyCredential JSON against
// state and returns the new credential for the caller to store whole (ID,
// public key, flags, sign count, transports, attachment). The caller must
// also refuse a credential ID already stored for any account.
func (w *WebAuthn) FinishRegistration(u User, state []byte, response []byte) (*webauthn.Credential, error) {
	session, err := unmarshalState(state)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, ceremonyError(err)
	}
	cred, err := w.wa.CreateCredential(u, session, parsed)
	if err != nil {
		return nil, ceremonyError(err)
	}
	return cred, nil
}

// AMR returns the RFC 8176 method for a credential: "hwk" when the key is
// held by a separate device (cross-platform attachment, or a usb, nfc or ble
// transport), else "swk".
func AMR(c *webauthn.Credential) string {
	if c == nil {
		return "swk"
	}
	if c.Authenticator.Attachment == protocol.CrossPlatform {
		return "hwk"
	}
	for _, t := range c.Transport {
		switch t {
		case protocol.USB, protocol.NFC, protocol.BLE:
			return "hwk"
		}
	}
	return "swk"
}

func marshalCeremony(options any, session *webauthn.SessionData) ([]byte, []byte, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: webauthn options: %w", err)
	}
	state, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: webauthn state: %w", err)
	}
	return opts, state, nil
}

// unmarshalState reads the state a Begin function returned. The caller keeps
// it server-side, so a state that does not parse is a broken ceremony rather
// than an attack to report differently.
func unmarshalState(state []byte) (webauthn.SessionData, error) {
	var session webauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil || session.Challenge == "" {
		return session, fmt.Errorf("%w: unreadable ceremony state", ErrCeremony)
	}
	return session, nil
}

// ceremonyError wraps both ErrCeremony and go-webauthn's error, so callers can
// errors.Is the sentinel and errors.As the *protocol.Error.
func ceremonyError(err error) error {
	return &ceremonyErr{err: err}
}

type ceremonyErr struct{ err error }

// Error adds go-webauthn's DevInfo to its message: its Error() is only the
// short Details ("Error validating the authenticator response"), and the log
// line is where the reason ("RP Hash mismatch", "User verification required
// but flag not set") is needed.
func (e *ceremonyErr) Error() string {
	msg := ErrCeremony.Error() + ": " + e.err.Error()
	var perr *protocol.Error
	if errors.As(e.err, &perr) && perr.DevInfo != "" {
		msg += " (" + strings.Join(strings.Fields(perr.DevInfo), " ") + ")"
	}
	return msg
}

func (e *ceremonyErr) Unwrap() []error { return []error{ErrCeremony, e.err} }
