package mfa

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
)

// NewCode returns a uniformly drawn six-digit one-time code (sent by
// e-mail, SMS or voice).
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("mfa: random code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// NewSalt returns a random salt for CodeHash.
func NewSalt() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("mfa: random salt: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// CodeHash salts a short code before hashing: a million codes hash to a
// million values, so without the salt the stored hash would give the code
// away, and two accounts' codes could collide on a unique hash column.
// Compare the result in constant time.
func CodeHash(salt, code string) []byte {
	sum := sha256.Sum256([]byte(salt + "\x00" + strings.TrimSpace(code)))
	return sum[:]
}
