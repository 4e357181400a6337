// Package upstream is the relying-party side of Foyer: it signs customers
// in with upstream identity providers (storage.UpstreamProvider). It
// builds the authorization request (state, nonce, PKCE), checks the
// answer (RFC 9207 iss, code exchange, the ID token's signature, issuer,
// audience and nonce, or an OAuth 2.0 provider's user info) and maps the
// upstream's claims to an Identity. Routing, accounts and linking are the
// caller's (selfservice); this package knows nothing of them.
//
// Presets (presets.go) fill in well-known providers; their quirks live in
// discovery.go (Entra's multi-tenant issuers), apple.go (a signed client
// secret, the name in form_post) and github.go (the verified address).
// Validate checks a configuration, Check reaches the provider.
//
// It is logic without routing, like selfservice/password, so the admin
// side may use it too (presets and configuration checks).
package upstream
