// Package password hashes and verifies passwords with argon2id, encoded as
// PHC strings, and tells when a stored hash uses outdated parameters so the
// login step can re-hash it transparently.
package password
