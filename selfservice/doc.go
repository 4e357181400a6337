// Package selfservice owns the end-user pages. Sign-in is a sequence of
// steps (identifier, then password, ...) run by a small engine over an
// interaction kept in the database; the application's policy chooses the
// sequence, and later features (registration, recovery, MFA, passkeys) add
// steps without touching the engine. When the last step succeeds the engine
// starts the SSO session and sends the browser back to authz to resume.
package selfservice
