package main

import (
	"bytes"
	"errors"
	"testing"

	"foyer/selfservice/upstream"
	"foyer/storage/seal"
)

func TestUpstreamSealerBindsProviderAndField(t *testing.T) {
	s, err := newUpstreamSealer(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.SealUpstreamSecret("p1", upstream.FieldClientSecret, []byte("shh"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.OpenUpstreamSecret("p1", upstream.FieldClientSecret, sealed); err != nil || string(got) != "shh" {
		t.Fatalf("open = %q, %v", got, err)
	}
	for _, c := range []struct{ provider, field string }{{"p2", upstream.FieldClientSecret}, {"p1", upstream.FieldPrivateKey}} {
		if _, err := s.OpenUpstreamSecret(c.provider, c.field, sealed); !errors.Is(err, seal.ErrOpen) {
			t.Errorf("open as %s/%s = %v, want seal.ErrOpen", c.provider, c.field, err)
		}
	}
}
