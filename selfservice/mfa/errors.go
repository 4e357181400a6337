package mfa

import "errors"

// Sentinel errors; callers test them with errors.Is and turn them into form
// errors, never into 500s.
var (
	// ErrWrongCode: the code does not match (also for malformed input).
	ErrWrongCode = errors.New("mfa: wrong code")
	// ErrReplay: the TOTP step is at or before the last used one.
	ErrReplay = errors.New("mfa: code already used")
	// ErrSealed: sealed data was tampered with, or is bound to another
	// account or purpose, or the key is not the one it was sealed with.
	ErrSealed = errors.New("mfa: sealed data does not open")
	// ErrCeremony: a WebAuthn ceremony failed verification; the wrapped
	// go-webauthn error (a *protocol.Error, reachable with errors.As) says why.
	ErrCeremony = errors.New("mfa: webauthn ceremony failed")
	// ErrNoCredentials: BeginLogin for a user without WebAuthn credentials.
	ErrNoCredentials = errors.New("mfa: user has no webauthn credentials")
)
