package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
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

// sealVersion prefixes every ciphertext so the format can change later
// without guessing what old rows hold.
const sealVersion byte = 1

// sealer encrypts private keys with AES-256-GCM. cipher.AEAD is safe for
// concurrent use, so one sealer serves the whole Manager.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte) (*sealer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("%w: %d bytes, need %d", ErrSecretTooShort, len(secret), MinSecretLength)
	}
	block, err := aes.NewCipher(DeriveKey(secret, PurposeSigningKeys))
	if err != nil {
		return nil, fmt.Errorf("keys: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keys: gcm: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// associatedData binds a ciphertext to its row: a private key copied into
// another row (another kid or algorithm) fails authentication instead of
// silently signing under the wrong kid.
func associatedData(kid, alg string) []byte {
	return []byte("foyer/signing-key/v1\x00" + alg + "\x00" + kid)
}

// seal returns version || nonce || ciphertext.
func (s *sealer) seal(plaintext []byte, kid, alg string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keys: nonce: %w", err)
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+s.aead.Overhead())
	out = append(append(out, sealVersion), nonce...)
	return s.aead.Seal(out, nonce, plaintext, associatedData(kid, alg)), nil
}

func (s *sealer) open(sealed []byte, kid, alg string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: kid %s: malformed ciphertext", ErrDecrypt, kid)
	}
	pt, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], associatedData(kid, alg))
	if err != nil {
		return nil, fmt.Errorf("%w: kid %s: %w", ErrDecrypt, kid, err)
	}
	return pt, nil
}
