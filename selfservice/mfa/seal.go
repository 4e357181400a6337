package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
)

// sealDomain separates this package's ciphertexts from anything else sealed
// with the same key: a value sealed elsewhere never opens here.
const sealDomain = "foyer/mfa/seal/v1"

// Sealer encrypts secrets at rest with AES-256-GCM; the additional data binds a
// sealed value to its account and purpose, so it cannot be moved to another
// row (an attacker with write access to the database cannot swap one
// account's TOTP secret into another's).
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte key (derive it from the system
// secret; this package does not choose how).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("mfa: sealer key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("mfa: sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("mfa: sealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain for accountID and purpose; the result is the random
// nonce followed by the ciphertext and tag.
func (s *Sealer) Seal(accountID, purpose string, plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("mfa: seal nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plain, sealAD(accountID, purpose)), nil
}

// Open reverses Seal. Any failure (short input, tampering, another account,
// purpose or key) is ErrSealed: the caller cannot and should not tell them
// apart.
func (s *Sealer) Open(accountID, purpose string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrSealed
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], sealAD(accountID, purpose))
	if err != nil {
		return nil, ErrSealed // GCM's own error says no more than this
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
