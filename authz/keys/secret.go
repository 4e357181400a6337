package keys

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"

	"foyer/storage/seal"
)

// MinSecretLength is the shortest system secret accepted, in bytes.
const MinSecretLength = 32

// Purposes passed to DeriveKey by Foyer's packages. Changing one of these
// strings changes the derived key and so invalidates whatever it protects.
const (
	PurposeSigningKeys = "signing-keys"
	PurposeCookies     = "cookies"
	PurposeHMAC        = "hmac"
)

var (
	// ErrSecretTooShort means the system secret is under MinSecretLength.
	ErrSecretTooShort = errors.New("keys: secret too short")
	// ErrDecrypt means a stored private key did not decrypt: wrong secret,
	// tampered bytes, or a ciphertext moved from another row.
	ErrDecrypt = errors.New("keys: cannot decrypt signing key")
	// ErrUnsupportedAlgorithm means an algorithm other than RS256 or ES256.
	ErrUnsupportedAlgorithm = errors.New("keys: unsupported algorithm")
)

// DeriveKey returns a 32-byte key for purpose from the system secret,
// using HKDF-SHA256 with no salt and purpose as the info string. Distinct
// purposes give independent keys, so leaking one (a cookie key, say) says
// nothing about the others. Other packages that cannot import this one may
// reproduce it exactly from this description.
func DeriveKey(secret []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		// hkdf.Key fails only for lengths beyond 255 hash blocks.
		panic(fmt.Sprintf("keys: hkdf: %v", err))
	}
	return k
}

// sealer encrypts private keys at rest (storage/seal, whose versioned
// format this package's ciphertexts have always had) under a key derived
// for signing keys alone.
type sealer struct{ s *seal.Sealer }

func newSealer(secret []byte) (*sealer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("%w: %d bytes, need %d", ErrSecretTooShort, len(secret), MinSecretLength)
	}
	s, err := seal.New(DeriveKey(secret, PurposeSigningKeys))
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return &sealer{s: s}, nil
}

// associatedData binds a ciphertext to its row: a private key copied into
// another row (another kid or algorithm) fails authentication instead of
// silently signing under the wrong kid.
func associatedData(kid, alg string) []byte {
	return []byte("foyer/signing-key/v1\x00" + alg + "\x00" + kid)
}

func (s *sealer) seal(plaintext []byte, kid, alg string) ([]byte, error) {
	out, err := s.s.Seal(plaintext, associatedData(kid, alg))
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return out, nil
}

func (s *sealer) open(sealed []byte, kid, alg string) ([]byte, error) {
	pt, err := s.s.Open(sealed, associatedData(kid, alg))
	if err != nil {
		return nil, fmt.Errorf("%w: kid %s: %w", ErrDecrypt, kid, err)
	}
	return pt, nil
}
