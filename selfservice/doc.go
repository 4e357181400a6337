// Package selfservice owns the end-user pages. Sign-in is a sequence of
// steps (identifier, then password or a passwordless code) run by a small
// engine over an interaction kept in the database. Every first factor
// (password, passkey, passwordless code or link, a reset, an activation,
// a registration) ends in one MFA gate, which adds the MFA step, an
// enrollment or the account portal's action, or starts the SSO session
// and sends the browser back to authz to resume. Registration, activation
// and recovery live here too; their per-account work runs in the deferred
// request worker, so unknown identifiers cost the request the same work.
package selfservice
