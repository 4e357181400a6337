package keys

import (
	"encoding/hex"
	"testing"
)

// TestSealerOpensKeysSealedBefore: a private key sealed by this package's
// own AES-GCM code, before it used storage/seal, still opens.
func TestSealerOpensKeysSealedBefore(t *testing.T) {
	s, err := newSealer(testSecret(1))
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := hex.DecodeString("01ae59e202a05b40b8ba3b9357ac6707510c541b18d1de670f5c1a0e7f7d1b28161eb9a21900a55556397a23")
	got, err := s.open(sealed, "kid-a", ES256)
	if err != nil || string(got) != "pkcs8 der bytes" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := s.open(sealed, "kid-b", ES256); err == nil {
		t.Fatal("an old key opened under another kid")
	}
}
