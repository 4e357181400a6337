package authz

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/ory/fosite"
)

// sha256Hasher compares client secrets by SHA-256 digest in constant time.
// Client secrets are 256-bit random values, so a slow password hash would
// add nothing but latency on the token endpoint.
type sha256Hasher struct{}

func (sha256Hasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func (sha256Hasher) Compare(_ context.Context, hash, data []byte) error {
	sum := sha256.Sum256(data)
	if subtle.ConstantTimeCompare(hash, sum[:]) != 1 {
		return fosite.ErrInvalidClient
	}
	return nil
}

// NewClientSecret returns a fresh 256-bit secret and its stored digest.
func NewClientSecret() (secret string, digest []byte, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("authz: client secret: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(secret))
	return secret, sum[:], nil
}

// randomID returns n random bytes, base64url-encoded.
func randomID(n int) (string, error) {
	raw := make([]byte, n)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("authz: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// newClientID is a client_id: 128 random bits in hex. Not base64url, whose
// ids may begin with "-" and then read as a flag on the command line
// (`foyer client delete -x…`), nor contain characters a URL or a shell
// treats specially.
func newClientID() (string, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("authz: random: %w", err)
	}
	return hex.EncodeToString(raw), nil
}
