package mfa

import (
	"bytes"
	"errors"
	"testing"
)

func testSealer(t *testing.T, fill byte) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerRoundTrip(t *testing.T) {
	s := testSealer(t, 7)
	for _, plain := range [][]byte{nil, []byte("JBSWY3DPEHPK3PXP"), bytes.Repeat([]byte("x"), 4096)} {
		sealed, err := s.Seal("acct-1", "totp", plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 0 && bytes.Contains(sealed, plain) {
			t.Fatal("sealed value contains the plaintext")
		}
		got, err := s.Open("acct-1", "totp", sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
	a, _ := s.Seal("acct-1", "totp", []byte("same"))
	b, _ := s.Seal("acct-1", "totp", []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same value are equal: nonce not random")
	}
}

func TestSealerRefuses(t *testing.T) {
	s := testSealer(t, 7)
	sealed, err := s.Seal("acct-1", "totp", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name             string
		sealer           *Sealer
		account, purpose string
		data             []byte
	}{
		{"flipped nonce byte", s, "acct-1", "totp", flip(0)},
		{"flipped ciphertext byte", s, "acct-1", "totp", flip(14)},
		{"flipped tag byte", s, "acct-1", "totp", flip(len(sealed) - 1)},
		{"other account", s, "acct-2", "totp", sealed},
		{"other purpose", s, "acct-1", "webauthn", sealed},
		{"account/purpose boundary moved", s, "acct-1t", "otp", sealed},
		{"other key", testSealer(t, 8), "acct-1", "totp", sealed},
		{"truncated", s, "acct-1", "totp", sealed[:len(sealed)-1]},
		{"shorter than a nonce", s, "acct-1", "totp", sealed[:5]},
		{"empty", s, "acct-1", "totp", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.Open(tt.account, tt.purpose, tt.data)
			if !errors.Is(err, ErrSealed) || got != nil {
				t.Fatalf("Open = %q, %v; want ErrSealed", got, err)
			}
		})
	}
}

func TestNewSealerKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}
