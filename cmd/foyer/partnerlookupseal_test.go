package main

import (
	"bytes"
	"errors"
	"testing"

	"foyer/storage/seal"
)

// A partner lookup secret opens for its application only, and not under
// another system secret.
func TestPartnerLookupSealer(t *testing.T) {
	t.Parallel()
	s, err := newPartnerLookupSealer(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.SealPartnerLookupSecret("shop", []byte("plk_secret"))
	if err != nil || bytes.Contains(sealed, []byte("plk_secret")) {
		t.Fatalf("sealed %q %v", sealed, err)
	}
	if plain, err := s.OpenPartnerLookupSecret("shop", sealed); err != nil || string(plain) != "plk_secret" {
		t.Fatalf("open: %q %v", plain, err)
	}
	if _, err := s.OpenPartnerLookupSecret("other", sealed); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("another application's row opened it: %v", err)
	}
	other, err := newPartnerLookupSealer(bytes.Repeat([]byte("x"), 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.OpenPartnerLookupSecret("shop", sealed); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("another key opened it: %v", err)
	}
}
