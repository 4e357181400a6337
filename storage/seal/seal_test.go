package seal_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"testing"

	"foyer/storage/seal"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, seal.KeySize) }

func newSealer(t *testing.T, k []byte, opts ...seal.Option) *seal.Sealer {
	t.Helper()
	s, err := seal.New(k, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unversioned seals as the MFA sealer did before the version byte, with a
// nonce that begins with first when first >= 0.
func unversioned(t *testing.T, k, plain, ad []byte, first int) []byte {
	t.Helper()
	block, _ := aes.NewCipher(k)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	if first >= 0 {
		nonce[0] = byte(first)
	}
	return aead.Seal(nonce, nonce, plain, ad)
}

func TestRoundTrip(t *testing.T) {
	s := newSealer(t, key(1))
	for _, plain := range [][]byte{nil, []byte("secret"), bytes.Repeat([]byte("x"), 4096)} {
		sealed, err := s.Seal(plain, []byte("row-1"))
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != 1 || len(sealed) != 1+12+len(plain)+16 {
			t.Fatalf("sealed %d bytes starting %d; want version 1, nonce, ciphertext, tag", len(sealed), sealed[0])
		}
		if len(plain) > 0 && bytes.Contains(sealed, plain) {
			t.Fatal("sealed value contains the plaintext")
		}
		got, err := s.Open(sealed, []byte("row-1"))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	a, _ := s.Seal([]byte("same"), nil)
	b, _ := s.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals are equal: nonce not random")
	}
}

func TestOpenRefuses(t *testing.T) {
	s := newSealer(t, key(1), seal.AcceptUnversioned())
	sealed, _ := s.Seal([]byte("secret"), []byte("row-1"))
	flip := func(i int) []byte { c := bytes.Clone(sealed); c[i] ^= 1; return c }
	old := unversioned(t, key(1), []byte("secret"), []byte("row-1"), -1)
	for _, tt := range []struct {
		name   string
		sealer *seal.Sealer
		data   []byte
		ad     string
	}{
		{"version byte", s, flip(0), "row-1"},
		{"nonce", s, flip(1), "row-1"},
		{"ciphertext", s, flip(14), "row-1"},
		{"tag", s, flip(len(sealed) - 1), "row-1"},
		{"other row", s, sealed, "row-2"},
		{"other key", newSealer(t, key(2), seal.AcceptUnversioned()), sealed, "row-1"},
		{"truncated", s, sealed[:len(sealed)-1], "row-1"},
		{"short", s, sealed[:5], "row-1"},
		{"empty", s, nil, "row-1"},
		{"unversioned, other row", s, old, "row-2"},
		{"unversioned, not accepted", newSealer(t, key(1)), old, "row-1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.Open(tt.data, []byte(tt.ad))
			if !errors.Is(err, seal.ErrOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

// TestOpenUnversioned: values sealed before the version byte open where
// the caller accepts them, whatever their nonce's first byte.
func TestOpenUnversioned(t *testing.T) {
	s := newSealer(t, key(1), seal.AcceptUnversioned())
	for _, first := range []int{-1, 0, 1, 2, 255} {
		old := unversioned(t, key(1), []byte("secret"), []byte("row-1"), first)
		got, err := s.Open(old, []byte("row-1"))
		if err != nil || string(got) != "secret" {
			t.Fatalf("Open(old %x) = %q, %v", old[:1], got, err)
		}
	}
}

func TestKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := seal.New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}
