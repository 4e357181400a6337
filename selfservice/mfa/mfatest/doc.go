// Package mfatest is a software WebAuthn authenticator (with the browser's
// part of the ceremony) for tests: it answers the options JSON that
// mfa.WebAuthn's Begin functions produce with the PublicKeyCredential JSON a
// real browser would post, and has hooks to misbehave (another origin or RP
// ID, a counter going backwards, no user verification).
//
// It imports nothing of ours, so any package's tests may use it, mfa's own
// included.
package mfatest
