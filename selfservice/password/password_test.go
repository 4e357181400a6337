package password

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; OWASP is exercised once for its encoding.
var cheap = Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(cheap)
	phc, err := h.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", phc)
	}
	other, _ := h.Hash("correct horse")
	if other == phc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		name     string
		password string
		phc      string
		wantErr  error
	}{
		{"right password", "correct horse", phc, nil},
		{"wrong password", "correct horsE", phc, ErrMismatch},
		{"empty password", "", phc, ErrMismatch},
		{"not argon2id", "x", "$2a$10$abcdefghijklmnopqrstuv", ErrMalformed},
		{"garbage", "x", "nonsense", ErrMalformed},
		{"huge memory", "x", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", ErrMalformed},
		{"bad base64", "x", "$argon2id$v=19$m=64,t=1,p=1$!!!$!!!", ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.Verify(tc.password, tc.phc)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Verify() error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestNeedsRehashWhenParametersChange(t *testing.T) {
	old := NewHasher(cheap)
	phc, err := old.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if rehash, err := old.Verify("pw", phc); err != nil || rehash {
		t.Fatalf("same parameters: rehash=%v err=%v", rehash, err)
	}
	stronger := cheap
	stronger.Iterations = 2
	if rehash, err := NewHasher(stronger).Verify("pw", phc); err != nil || !rehash {
		t.Fatalf("new parameters: rehash=%v err=%v, want rehash", rehash, err)
	}
}

func TestOWASPEncoding(t *testing.T) {
	phc, err := NewHasher(OWASP).Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("OWASP parameters not encoded: %q", phc)
	}
}
