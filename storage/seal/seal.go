package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrOpen means a sealed value did not open: tampered with, truncated,
// bound to another row, or sealed under another key. GCM says no more, and
// callers should not try to tell these apart.
var ErrOpen = errors.New("seal: sealed value does not open")

// KeySize is the key length: AES-256.
const KeySize = 32

// v1 is AES-256-GCM with a 12-byte random nonce: v1 || nonce || ciphertext.
const v1 byte = 1

// Sealer seals and opens values with one key. cipher.AEAD is safe for
// concurrent use, so one Sealer serves a whole process.
type Sealer struct {
	aead cipher.AEAD
	// unversioned: also open nonce || ciphertext, the MFA sealer's format
	// before the version byte.
	unversioned bool
}

// Option configures a Sealer.
type Option func(*Sealer)

// AcceptUnversioned lets Open read values sealed without a version byte
// (nonce || ciphertext), as the MFA sealer wrote them at first.
func AcceptUnversioned() Option { return func(s *Sealer) { s.unversioned = true } }

// New returns a Sealer for a KeySize-byte key.
func New(key []byte, opts ...Option) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: gcm: %w", err)
	}
	s := &Sealer{aead: aead}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Seal encrypts plain bound to ad (the row: its id, kind, owner) and
// returns v1 || nonce || ciphertext.
func (s *Sealer) Seal(plain, ad []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	out := make([]byte, 0, 1+len(nonce)+len(plain)+s.aead.Overhead())
	out = append(append(out, v1), nonce...)
	return s.aead.Seal(out, nonce, plain, ad), nil
}

// Open reverses Seal for the same ad; any failure is ErrOpen. An
// unversioned value whose random nonce happens to begin with the version
// byte fails as v1 and is then tried as unversioned: GCM's tag, not the
// first byte, decides what opens.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) >= 1+n+s.aead.Overhead() && sealed[0] == v1 {
		if plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], ad); err == nil {
			return plain, nil
		}
	}
	if s.unversioned && len(sealed) >= n+s.aead.Overhead() {
		if plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], ad); err == nil {
			return plain, nil
		}
	}
	return nil, ErrOpen
}
