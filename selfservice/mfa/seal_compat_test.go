package mfa

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestSealerOpensValuesSealedBefore: TOTP secrets sealed by the MFA
// sealer before it used storage/seal (nonce || ciphertext, no version
// byte) still open, including one whose random nonce began with the
// version byte, and new values are versioned.
func TestSealerOpensValuesSealedBefore(t *testing.T) {
	s := testSealer(t, 7)
	for _, tt := range []struct{ name, sealed string }{
		// Sealed by the old code: key 32×0x07, account acct-1, purpose totp.
		{"unversioned", "1804193505133e223bbc0854160f2c53d4f0d3a22df77fb35d09792906299c95feae02e6ec1c55f1a2416171"},
		{"unversioned, nonce starting 0x01", "01a5e1e85da8ce4cee3151c753bfcdfe3103708f999519defb915398544ec6932c258b74453d46455dfe3892"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sealed, _ := hex.DecodeString(tt.sealed)
			got, err := s.Open("acct-1", "totp", sealed)
			if err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("Open = %q, %v", got, err)
			}
			if _, err := s.Open("acct-2", "totp", sealed); err == nil {
				t.Fatal("an old value opened for another account")
			}
		})
	}
	fresh, err := s.Seal("acct-1", "totp", []byte("x"))
	if err != nil || fresh[0] != 1 || len(fresh) != 1+12+1+16 {
		t.Fatalf("new value %x, %v: want version 1, nonce, ciphertext, tag", fresh, err)
	}
	if _, err := testSealer(t, 7).Open("acct-1", "totp", bytes.Clone(fresh)); err != nil {
		t.Fatal(err)
	}
}
