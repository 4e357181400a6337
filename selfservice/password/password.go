package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMismatch means the password does not match the hash.
var ErrMismatch = errors.New("password: mismatch")

// ErrMalformed means the stored hash is not an argon2id PHC string.
var ErrMalformed = errors.New("password: malformed hash")

// Params are argon2id's cost parameters.
type Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
	SaltLen     int
	KeyLen      uint32
}

// OWASP is the OWASP Password Storage Cheat Sheet's argon2id configuration:
// m=19 MiB, t=2, p=1.
var OWASP = Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// Hasher hashes with fixed parameters. At most one hash per CPU runs at a
// time: each takes MemoryKiB of memory and a core for its whole run, so
// more at once only adds memory (64 concurrent sign-ins would need 1.2 GiB
// at the OWASP parameters) and slows every one of them down.
type Hasher struct {
	p     Params
	slots chan struct{}
}

// NewHasher returns a hasher for the parameters.
func NewHasher(p Params) *Hasher {
	return &Hasher{p: p, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// acquire waits for a free slot, or for ctx to end.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("password: waiting to hash: %w", ctx.Err())
	}
}

// Hash returns the PHC string of the password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, h.p.Iterations, h.p.MemoryKiB, h.p.Parallelism, h.p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.p.MemoryKiB, h.p.Iterations, h.p.Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// DummyHash is a PHC string with the hasher's parameters that no password
// matches in practice (a fixed salt and key). Verifying against it costs the
// same as verifying a real hash, so a sign-in for an unknown account takes
// as long as one with a wrong password, without hashing anything at start.
func (h *Hasher) DummyHash() string {
	b64 := base64.RawStdEncoding
	salt := make([]byte, h.p.SaltLen)
	key := make([]byte, h.p.KeyLen)
	for i := range salt {
		salt[i] = byte(0xa5 ^ i)
	}
	for i := range key {
		key[i] = byte(0x5a ^ i)
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.p.MemoryKiB, h.p.Iterations, h.p.Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify checks the password against the PHC string. It reports whether the
// hash should be replaced because its parameters differ from the hasher's.
func (h *Hasher) Verify(ctx context.Context, password, phc string) (needsRehash bool, err error) {
	p, salt, want, err := decode(phc)
	if err != nil {
		return false, err
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, ErrMismatch
	}
	same := p.MemoryKiB == h.p.MemoryKiB && p.Iterations == h.p.Iterations &&
		p.Parallelism == h.p.Parallelism && len(want) == int(h.p.KeyLen)
	return !same, nil
}

func decode(phc string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Parallelism); err != nil {
		return p, nil, nil, ErrMalformed
	}
	// Bounds keep a tampered row from making one login cost gigabytes.
	if p.MemoryKiB == 0 || p.MemoryKiB > 1<<20 || p.Iterations == 0 || p.Iterations > 16 || p.Parallelism == 0 {
		return p, nil, nil, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, ErrMalformed
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}
