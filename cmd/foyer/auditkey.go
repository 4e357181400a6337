package main

import "foyer/authz/keys"

// auditChainPurpose labels the key of the audit log's hash chain; changing
// it makes every existing chain fail verification.
const auditChainPurpose = "foyer audit chain v1"

// auditChainKey is the audit chain's HMAC key, derived from the system
// secret: the store hashes with it (sqlstore.WithAuditKey) and
// `foyer audit verify` checks with it, so someone who can write the
// database but does not know FOYER_SECRET cannot recompute the chain
// after editing an entry.
func auditChainKey(secret []byte) []byte { return keys.DeriveKey(secret, auditChainPurpose) }
