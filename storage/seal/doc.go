// Package seal is Foyer's one encryption of values at rest (signing keys,
// TOTP secrets, WebAuthn data): AES-256-GCM under a 32-byte key the caller
// derives from the system secret, with associated data the caller builds
// from the row the value belongs to, so a ciphertext copied into another
// row does not open.
//
// A sealed value is a version byte, the random nonce, and the ciphertext
// with its tag; the version says how to open it, so the format can change
// without guessing what old rows hold. Values sealed before the version
// byte existed (the MFA sealer's nonce-first format) open when the
// Sealer is built with AcceptUnversioned.
//
// It lives under storage because it is how values are stored, and it
// imports nothing of ours, so both authz/keys and selfservice/mfa (which
// may import only storage) use it.
package seal
