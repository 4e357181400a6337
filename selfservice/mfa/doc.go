// Package mfa owns the logic of Foyer's second factors and passkeys, without
// routing or storage: sealing secrets at rest (storage/seal's AES-256-GCM,
// bound to the account and purpose; values sealed before its version byte
// still open), TOTP enrollment and verification with replay refusal,
// recovery codes (generation, normalisation, account-bound hashes), six-digit
// one-time codes with salted hashes, and the
// WebAuthn registration and login ceremonies over go-webauthn, with the opaque
// ceremony state the caller keeps server-side between begin and finish.
//
// Callers own persistence: they store the sealed TOTP secret and its last used
// step, recovery-code hashes, and each webauthn.Credential as this package
// returns it (its flags and sign count included, as the next login checks
// them).
//
// The software authenticator used in tests lives in the mfatest sub-package.
package mfa
