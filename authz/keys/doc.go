// Package keys owns Foyer's JWS signing keys: generating them, encrypting
// their private parts at rest (through storage/seal, bound to kid and
// algorithm), rotating them, and publishing the JWKS.
//
// It also owns DeriveKey, the one place the system secret (FOYER_SECRET)
// is stretched into independent per-purpose keys, so cookie signing, flow
// HMACs and this package's encryption never share key material.
//
// Key ids are RFC 7638 thumbprints (SHA-256, base64url). A thumbprint is
// derived from the public key itself, so two nodes can never mint the same
// kid for different keys, and a kid can be checked against the key it
// names after decryption.
//
// Every node keeps an in-memory snapshot of the key table (private keys
// already decrypted and parsed, because the token endpoint signs on a hot
// path) and re-reads the database once the snapshot is older than the
// refresh interval, since another node may have rotated in the meantime.
package keys
