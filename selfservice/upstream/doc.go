// Package upstream is the relying-party side of Foyer: it signs customers
// in with upstream identity providers (storage.UpstreamProvider). It
// builds the authorization request (state, nonce, PKCE), checks the
// answer (RFC 9207 iss, code exchange, the ID token's signature, issuer,
// audience and nonce, or an OAuth 2.0 provider's user info) and maps the
// upstream's claims to an Identity. Routing, accounts and linking are the
// caller's (selfservice); this package knows nothing of them.
//
// It is logic without routing, like selfservice/password, so the admin
// side may use it too (presets and configuration checks).
package upstream
