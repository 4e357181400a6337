package mfa

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
)

// RecoveryCodeCount is how many recovery codes an account gets at a time.
const RecoveryCodeCount = 10

// recoveryAlphabet is Crockford's base32 alphabet in lower case: 32 symbols,
// so each of the ten characters carries exactly 5 bits (50 in all) and a byte
// masked to 5 bits picks one without bias. It leaves out i, l, o and u;
// NormalizeRecoveryCode reads i and l as 1 and o as 0, so a user who mistakes
// one for the other still gets in.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

const recoveryCodeLen = 10

// NewRecoveryCodes returns RecoveryCodeCount distinct codes like "k3f9q-2mxv7",
// to be shown once and stored only as RecoveryCodeHash.
func NewRecoveryCodes() ([]string, error) {
	codes := make([]string, 0, RecoveryCodeCount)
	seen := make(map[string]bool, RecoveryCodeCount)
	for len(codes) < RecoveryCodeCount {
		code, err := newRecoveryCode()
		if err != nil {
			return nil, err
		}
		if seen[code] { // 2^-50 per pair; a duplicate would waste a slot
			continue
		}
		seen[code] = true
		codes = append(codes, code)
	}
	return codes, nil
}

func newRecoveryCode() (string, error) {
	raw := make([]byte, recoveryCodeLen)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("mfa: recovery code: %w", err)
	}
	var b strings.Builder
	for i, r := range raw {
		if i == recoveryCodeLen/2 {
			b.WriteByte('-')
		}
		b.WriteByte(recoveryAlphabet[r&31])
	}
	return b.String(), nil
}

// NormalizeRecoveryCode lower-cases s and strips spaces and dashes, so
// "K3F9Q 2MXV7" matches "k3f9q-2mxv7"; it also reads the look-alikes the
// alphabet leaves out (i and l as 1, o as 0).
func NormalizeRecoveryCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '-', '\t', '\n', '\r':
			continue
		case 'i', 'l':
			r = '1'
		case 'o':
			r = '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// RecoveryCodeHash is SHA-256(accountID || 0x00 || normalized code). The codes
// are high-entropy, so a fast hash is right (no dictionary to slow down);
// binding the account keeps equal codes of two accounts apart.
func RecoveryCodeHash(accountID, code string) []byte {
	h := sha256.New()
	h.Write([]byte(accountID))
	h.Write([]byte{0})
	h.Write([]byte(NormalizeRecoveryCode(code)))
	return h.Sum(nil)
}
