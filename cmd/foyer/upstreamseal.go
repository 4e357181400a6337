package main

import (
	"fmt"

	"foyer/authz/keys"
	"foyer/storage/seal"
)

// upstreamSealDomain separates upstream providers' secrets from anything
// else sealed under a key derived from the same system secret.
const upstreamSealDomain = "foyer/upstream/v1\x00"

// upstreamSealer seals and opens upstream identity providers' secrets
// (storage.UpstreamProvider.ClientSecretSealed and PrivateKeySealed) with
// a key derived from FOYER_SECRET, bound to the provider and the field: a
// sealed value copied to another provider's row, or to the other field,
// does not open. The admin side seals; sign-in (selfservice/upstream)
// opens.
type upstreamSealer struct{ s *seal.Sealer }

func newUpstreamSealer(secret []byte) (*upstreamSealer, error) {
	s, err := seal.New(keys.DeriveKey(secret, "upstream-seal"))
	if err != nil {
		return nil, fmt.Errorf("upstream sealer: %w", err)
	}
	return &upstreamSealer{s: s}, nil
}

func upstreamSealAD(providerID, field string) []byte {
	return []byte(upstreamSealDomain + providerID + "\x00" + field)
}

// SealUpstreamSecret seals one secret field of a provider.
func (u *upstreamSealer) SealUpstreamSecret(providerID, field string, plain []byte) ([]byte, error) {
	return u.s.Seal(plain, upstreamSealAD(providerID, field))
}

// OpenUpstreamSecret reverses SealUpstreamSecret (seal.ErrOpen for
// anything that does not open).
func (u *upstreamSealer) OpenUpstreamSecret(providerID, field string, sealed []byte) ([]byte, error) {
	return u.s.Open(sealed, upstreamSealAD(providerID, field))
}
