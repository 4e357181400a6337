package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// StepSigner signs the redirects between flow steps: the signature binds the
// interaction id to the step the redirect is for, so a link for one step
// cannot be replayed as another, nor an interaction id be guessed into a URL.
type StepSigner struct{ key []byte }

// NewStepSigner returns a signer over a key derived from the system secret.
func NewStepSigner(key []byte) *StepSigner { return &StepSigner{key: key} }

// Sign returns the signature for (interactionID, step).
func (s *StepSigner) Sign(interactionID, step string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(interactionID, step))
}

// Verify reports whether sig is Sign(interactionID, step), in constant time.
func (s *StepSigner) Verify(interactionID, step, sig string) bool {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	return hmac.Equal(got, s.mac(interactionID, step))
}

func (s *StepSigner) mac(interactionID, step string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(step))
	h.Write([]byte{0})
	h.Write([]byte(interactionID))
	return h.Sum(nil)
}
