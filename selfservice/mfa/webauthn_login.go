package mfa

import (
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// LoginResult is what a verified assertion tells: the account, its updated
// credential to store back, and whether this assertion was user-verified.
type LoginResult struct {
	User       User
	Credential *webauthn.Credential
	// UserVerified is the UV flag of this assertion. Credential.Flags.UserVerified
	// is not that: go-webauthn keeps the value recorded at registration.
	UserVerified bool
}

// BeginLogin starts an assertion. u == nil starts a discoverable
// (username-less) login, for the passkey button and conditional mediation;
// otherwise allowCredentials lists u's credentials (ErrNoCredentials if it has
// none). requireUV demands user verification (a passwordless first factor);
// without it verification is only preferred.
func (w *WebAuthn) BeginLogin(u *User, requireUV bool) (options []byte, state []byte, err error) {
	uv := protocol.VerificationPreferred
	if requireUV {
		uv = protocol.VerificationRequired
	}
	opt := webauthn.WithUserVerification(uv)
	var assertion *protocol.CredentialAssertion
	var session *webauthn.SessionData
	if u == nil {
		assertion, session, err = w.wa.BeginDiscoverableLogin(opt)
	} else {
		if len(u.Credentials) == 0 {
			return nil, nil, ErrNoCredentials
		}
		assertion, session, err = w.wa.BeginLogin(*u, opt)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: begin login: %w", err)
	}
	return marshalCeremony(assertion.Response, session)
}

// FinishLogin checks an assertion; see FinishLoginResult.
func (w *WebAuthn) FinishLogin(state []byte, response []byte, lookup func(userHandle []byte) (User, error)) (User, *webauthn.Credential, error) {
	res, err := w.FinishLoginResult(state, response, lookup)
	if err != nil {
		return User{}, nil, err
	}
	return res.User, res.Credential, nil
}

// FinishLoginResult checks an assertion against state. For a discoverable
// login, lookup is called with the userHandle from the assertion and must
// return that account's User (an error if unknown); for a login begun with a
// user, it is called with that user's id. The credential returned carries the
// new sign count and flags for the caller to store. Every verification
// failure is ErrCeremony: wrong origin or RP ID, a bad signature, a stale
// challenge, a credential the user does not own, missing user verification
// when required, and a sign count that did not grow while either the stored
// or the new count is non-zero (a possible clone).
func (w *WebAuthn) FinishLoginResult(state []byte, response []byte, lookup func(userHandle []byte) (User, error)) (LoginResult, error) {
	session, err := unmarshalState(state)
	if err != nil {
		return LoginResult{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return LoginResult{}, ceremonyError(err)
	}
	var user User
	var cred *webauthn.Credential
	if len(session.UserID) == 0 {
		user, cred, err = w.finishDiscoverable(session, parsed, lookup)
	} else {
		user, cred, err = w.finishForUser(session, parsed, lookup)
	}
	if err != nil {
		return LoginResult{}, err
	}
	if cred.Authenticator.CloneWarning {
		return LoginResult{}, fmt.Errorf("%w: sign count %d did not grow past %d (cloned authenticator?)",
			ErrCeremony, parsed.Response.AuthenticatorData.Counter, cred.Authenticator.SignCount)
	}
	return LoginResult{
		User:         user,
		Credential:   cred,
		UserVerified: parsed.Response.AuthenticatorData.Flags.HasUserVerified(),
	}, nil
}

func (w *WebAuthn) finishDiscoverable(session webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData,
	lookup func([]byte) (User, error)) (User, *webauthn.Credential, error) {
	var found User
	handler := func(_, userHandle []byte) (webauthn.User, error) {
		u, err := lookup(userHandle)
		if err != nil {
			return nil, err
		}
		found = u
		return withoutCloneWarnings(u), nil
	}
	_, cred, err := w.wa.ValidatePasskeyLogin(handler, session, parsed)
	if err != nil {
		return User{}, nil, ceremonyError(err)
	}
	return found, cred, nil
}

func (w *WebAuthn) finishForUser(session webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData,
	lookup func([]byte) (User, error)) (User, *webauthn.Credential, error) {
	u, err := lookup(session.UserID)
	if err != nil {
		return User{}, nil, ceremonyError(err)
	}
	cred, err := w.wa.ValidateLogin(withoutCloneWarnings(u), session, parsed)
	if err != nil {
		return User{}, nil, ceremonyError(err)
	}
	return u, cred, nil
}

// withoutCloneWarnings copies u with every credential's CloneWarning cleared:
// go-webauthn only ever sets the flag, so a warning stored from an earlier
// login would otherwise make this one look like a clone.
func withoutCloneWarnings(u User) User {
	creds := make([]webauthn.Credential, len(u.Credentials))
	copy(creds, u.Credentials)
	for i := range creds {
		creds[i].Authenticator.CloneWarning = false
	}
	u.Credentials = creds
	return u
}
