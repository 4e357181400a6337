package mfa

import (
	"encoding/binary"
	"fmt"

	"foyer/storage/seal"
)

// sealDomain separates this package's ciphertexts from anything else sealed
// with the same key: a value sealed elsewhere never opens here.
const sealDomain = "foyer/mfa/seal/v1"

// Sealer encrypts secrets at rest (storage/seal); the additional data binds
// a sealed value to its account and purpose, so it cannot be moved to
// another row (an attacker with write access to the database cannot swap
// one account's TOTP secret into another's).
type Sealer struct{ s *seal.Sealer }

// NewSealer returns a Sealer for a 32-byte key (derive it from the system
// secret; this package does not choose how). It opens values sealed before
// the format had a version byte, so secrets enrolled then still work.
func NewSealer(key []byte) (*Sealer, error) {
	s, err := seal.New(key, seal.AcceptUnversioned())
	if err != nil {
		return nil, fmt.Errorf("mfa: sealer: %w", err)
	}
	return &Sealer{s: s}, nil
}

// Seal encrypts plain for accountID and purpose.
func (s *Sealer) Seal(accountID, purpose string, plain []byte) ([]byte, error) {
	out, err := s.s.Seal(plain, sealAD(accountID, purpose))
	if err != nil {
		return nil, fmt.Errorf("mfa: %w", err)
	}
	return out, nil
}

// Open reverses Seal. Any failure (short input, tampering, another account,
// purpose or key) is ErrSealed: the caller cannot and should not tell them
// apart.
func (s *Sealer) Open(accountID, purpose string, sealed []byte) ([]byte, error) {
	plain, err := s.s.Open(sealed, sealAD(accountID, purpose))
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}

// sealAD length-prefixes the account id so that ("ab", "c") and ("a", "bc")
// give different additional data.
func sealAD(accountID, purpose string) []byte {
	ad := make([]byte, 0, len(sealDomain)+4+len(accountID)+len(purpose))
	ad = append(ad, sealDomain...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(accountID)))
	ad = append(ad, accountID...)
	return append(ad, purpose...)
}
