package password

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; OWASP is exercised once for its encoding.
var cheap = Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

var ctx = context.Background()

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(cheap)
	phc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", phc)
	}
	other, _ := h.Hash(ctx, "correct horse")
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
			_, err := h.Verify(ctx, tc.password, tc.phc)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Verify() error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestNeedsRehashWhenParametersChange(t *testing.T) {
	old := NewHasher(cheap)
	phc, err := old.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if rehash, err := old.Verify(ctx, "pw", phc); err != nil || rehash {
		t.Fatalf("same parameters: rehash=%v err=%v", rehash, err)
	}
	stronger := cheap
	stronger.Iterations = 2
	if rehash, err := NewHasher(stronger).Verify(ctx, "pw", phc); err != nil || !rehash {
		t.Fatalf("new parameters: rehash=%v err=%v, want rehash", rehash, err)
	}
}

func TestOWASPEncoding(t *testing.T) {
	phc, err := NewHasher(OWASP).Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("OWASP parameters not encoded: %q", phc)
	}
}

// TestHashingWaitsForAFreeSlot: with every slot taken, a hash waits, and
// gives up when its context ends instead of piling up memory.
func TestHashingWaitsForAFreeSlot(t *testing.T) {
	h := NewHasher(cheap)
	var releases []func()
	for range cap(h.slots) {
		release, err := h.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.Hash(cancelled, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash with all slots busy and a cancelled context: %v", err)
	}
	if _, err := h.Verify(cancelled, "pw", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with all slots busy and a cancelled context: %v", err)
	}
	releases[0]()
	if _, err := h.Hash(ctx, "pw"); err != nil {
		t.Fatalf("Hash after a slot was freed: %v", err)
	}
}

// TestDummyHashCostsAFullVerification: the dummy hash parses with the
// hasher's parameters (so verifying against it does the same work) and
// matches no ordinary password.
func TestDummyHashCostsAFullVerification(t *testing.T) {
	h := NewHasher(cheap)
	dummy := h.DummyHash()
	p, _, key, err := decode(dummy)
	if err != nil {
		t.Fatalf("dummy hash does not parse: %v", err)
	}
	if p.MemoryKiB != cheap.MemoryKiB || p.Iterations != cheap.Iterations || p.Parallelism != cheap.Parallelism || len(key) != int(cheap.KeyLen) {
		t.Fatalf("dummy hash parameters %+v, want %+v", p, cheap)
	}
	for _, pw := range []string{"", "password", "dummy"} {
		if _, err := h.Verify(ctx, pw, dummy); !errors.Is(err, ErrMismatch) {
			t.Fatalf("Verify(%q, dummy) = %v, want ErrMismatch", pw, err)
		}
	}
	if !strings.HasPrefix(NewHasher(OWASP).DummyHash(), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatal("OWASP dummy hash does not carry the OWASP parameters")
	}
}
