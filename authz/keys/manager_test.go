package keys

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// clock is a settable time source shared by the Managers of one test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: testNow()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingStore is the real store with a counter on ListSigningKeys, to
// observe how often the cache goes to the database.
type countingStore struct {
	storage.SigningKeys
	lists atomic.Int64
}

func (c *countingStore) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	c.lists.Add(1)
	return c.SigningKeys.ListSigningKeys(ctx)
}

// TestManager runs every case over a fresh database of each dialect:
// the real store, since the cache's correctness depends on what the
// database hands back (ordering, time precision).
func TestManager(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, store storage.SigningKeys)
	}{
		{"EnsureKeysIdempotent", testEnsureKeysIdempotent},
		{"SignerErrors", testSignerErrors},
		{"MovedCiphertext", testMovedCiphertext},
		{"RotateAndRetention", testRotateAndRetention},
		{"SignAndVerify", testSignAndVerify},
		{"OtherNodeRotation", testOtherNodeRotation},
		{"NoStampede", testNoStampede},
		{"ConcurrentRotate", testConcurrentRotate},
	}
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
		}
	})
}

const (
	testRetention = time.Hour
	testRefresh   = 10 * time.Second
)

func newTestManager(store storage.SigningKeys, secret []byte, c *clock) *Manager {
	return NewManager(store, secret, WithClock(c.Now), WithRetention(testRetention), WithRefreshInterval(testRefresh))
}

func signerKIDs(t *testing.T, m *Manager) map[string]string {
	t.Helper()
	kids := map[string]string{}
	for _, alg := range algorithms() {
		k, err := m.Signer(t.Context(), alg)
		if err != nil {
			t.Fatalf("Signer(%s): %v", alg, err)
		}
		kids[alg] = k.KeyID
	}
	return kids
}

func setKIDs(t *testing.T, m *Manager) []string {
	t.Helper()
	set, err := m.PublicKeySet(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Fatalf("kid %s: JWKS holds a private key", k.KeyID)
		}
		kids = append(kids, k.KeyID)
	}
	slices.Sort(kids)
	return kids
}

func testEnsureKeysIdempotent(t *testing.T, store storage.SigningKeys) {
	m := newTestManager(store, testSecret(1), newClock())
	for range 2 {
		if err := m.EnsureKeys(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := store.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d keys after two EnsureKeys, want 2", len(rows))
	}
	for _, alg := range algorithms() {
		if got := activeIDs(rows, alg); len(got) != 1 {
			t.Errorf("%s: %d active keys, want 1", alg, len(got))
		}
	}
	for _, row := range rows {
		priv, err := openPrivate(m.sealer, &row)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv.Key)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(row.PrivateKeyEncrypted, der) {
			t.Errorf("kid %s: private key stored in plaintext", row.ID)
		}
		if bytes.Contains(row.PublicJWK, []byte(`"d"`)) {
			t.Errorf("kid %s: public JWK carries a private part", row.ID)
		}
	}
}

func testSignerErrors(t *testing.T, store storage.SigningKeys) {
	c := newClock()
	m := newTestManager(store, testSecret(1), c)
	if _, err := m.Signer(t.Context(), ES256); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Signer before EnsureKeys: %v, want ErrNotFound", err)
	}
	if err := m.EnsureKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	wrong := newTestManager(store, testSecret(2), c)
	tests := []struct {
		name    string
		m       *Manager
		alg     string
		wantErr error
	}{
		{"right secret", m, ES256, nil},
		{"unsupported algorithm", m, "HS256", ErrUnsupportedAlgorithm},
		{"wrong secret ES256", wrong, ES256, ErrDecrypt},
		{"wrong secret RS256", wrong, RS256, ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.Signer(t.Context(), tt.alg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	// A wrong secret stops signing but not publishing.
	if got := setKIDs(t, wrong); len(got) != 2 {
		t.Fatalf("JWKS under wrong secret has %d keys, want 2", len(got))
	}
}

// testMovedCiphertext stores a row whose encrypted private key was sealed
// for another row: the associated data must make it fail to decrypt.
func testMovedCiphertext(t *testing.T, store storage.SigningKeys) {
	tests := []struct{ name, fromAlg, toAlg string }{
		{"same algorithm, other kid", ES256, ES256},
		{"other algorithm", RS256, ES256},
	}
	c := newClock()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Advance(time.Second) // the victim is the newest key of its algorithm
			m := newTestManager(store, testSecret(1), c)
			donor, _, err := newKey(m.sealer, tt.fromAlg, c.Now())
			if err != nil {
				t.Fatal(err)
			}
			victim, _, err := newKey(m.sealer, tt.toAlg, c.Now())
			if err != nil {
				t.Fatal(err)
			}
			victim.PrivateKeyEncrypted = donor.PrivateKeyEncrypted
			if err := store.CreateSigningKey(t.Context(), victim); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Signer(t.Context(), tt.toAlg); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("err = %v, want ErrDecrypt", err)
			}
		})
	}
}

func testRotateAndRetention(t *testing.T, store storage.SigningKeys) {
	c := newClock()
	m := newTestManager(store, testSecret(1), c)
	if err := m.EnsureKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	old := signerKIDs(t, m)

	c.Advance(time.Minute)
	created, err := m.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 2 {
		t.Fatalf("Rotate created %d keys, want 2", len(created))
	}
	// New keys are published at once but sign only after the activation
	// delay (twice the refresh interval): until then the old keys sign.
	if got := signerKIDs(t, m); !maps.Equal(got, old) {
		t.Fatalf("right after rotation signing with %v, want the old keys %v", got, old)
	}
	c.Advance(2*testRefresh - time.Second)
	if got := signerKIDs(t, m); !maps.Equal(got, old) {
		t.Fatalf("before the activation delay signing with %v, want the old keys %v", got, old)
	}
	// the switch happens at the first cache refresh after the delay
	c.Advance(testRefresh + time.Second)
	cur := signerKIDs(t, m)
	for _, row := range created {
		if cur[row.Algorithm] != row.ID || row.ID == old[row.Algorithm] {
			t.Errorf("%s: signing with %s, rotated to %s, old %s", row.Algorithm, cur[row.Algorithm], row.ID, old[row.Algorithm])
		}
	}
	all := slices.Sorted(slices.Values(append(slices.Collect(maps.Values(old)), slices.Collect(maps.Values(cur))...)))

	tests := []struct {
		name    string
		advance time.Duration // from the previous step
		want    []string
	}{
		{"right after rotation", 0, all},
		{"just before retention ends", testRetention - 3*testRefresh - time.Second, all},
		{"after retention", 2 * time.Second, slices.Sorted(maps.Values(cur))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Advance(tt.advance)
			if got := setKIDs(t, m); !slices.Equal(got, tt.want) {
				t.Fatalf("JWKS kids = %v, want %v", got, tt.want)
			}
			for _, id := range old {
				_, err := m.PublicKey(t.Context(), id)
				if published := slices.Contains(tt.want, id); published != (err == nil) {
					t.Fatalf("PublicKey(%s) err = %v, published = %v", id, err, published)
				}
				if err != nil && !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("PublicKey(%s) err = %v, want ErrNotFound", id, err)
				}
			}
		})
	}
}

func testSignAndVerify(t *testing.T, store storage.SigningKeys) {
	m := newTestManager(store, testSecret(1), newClock())
	if err := m.EnsureKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"sub":"someone"}`)
	for _, alg := range algorithms() {
		t.Run(alg, func(t *testing.T) {
			key, err := m.Signer(t.Context(), alg)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, nil)
			if err != nil {
				t.Fatal(err)
			}
			jws, err := signer.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			compact, err := jws.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jose.ParseSigned(compact)
			if err != nil {
				t.Fatal(err)
			}
			kid := parsed.Signatures[0].Header.KeyID
			if kid != key.KeyID {
				t.Fatalf("header kid %q, want %q", kid, key.KeyID)
			}
			set, err := m.PublicKeySet(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			pubs := set.Key(kid)
			if len(pubs) != 1 {
				t.Fatalf("JWKS has %d keys for kid %s", len(pubs), kid)
			}
			got, err := parsed.Verify(pubs[0])
			if err != nil || !bytes.Equal(got, payload) {
				t.Fatalf("Verify = %q, %v", got, err)
			}
			single, err := m.PublicKey(t.Context(), kid)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parsed.Verify(single); err != nil {
				t.Fatalf("verify with PublicKey: %v", err)
			}
		})
	}
}

// testOtherNodeRotation runs Managers over one database, as nodes would
// be: B keeps its cache until the refresh interval, then follows A; C
// looks a kid it does not know up in the database without waiting for the
// interval, but not again and again for a kid that does not exist.
func testOtherNodeRotation(t *testing.T, store storage.SigningKeys) {
	counted := &countingStore{SigningKeys: store}
	c := newClock()
	a := newTestManager(store, testSecret(1), c)
	b := newTestManager(store, testSecret(1), c)
	cNode := newTestManager(counted, testSecret(1), c)
	if err := a.EnsureKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := signerKIDs(t, b) // B loads at t0
	c.Advance(time.Second)
	_ = setKIDs(t, cNode) // C loads at t0+1s
	created, err := a.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]string{}
	for _, row := range created {
		after[row.Algorithm] = row.ID
	}

	c.Advance(time.Second)
	for _, kid := range after {
		if _, err := cNode.PublicKey(t.Context(), kid); err != nil {
			t.Fatalf("C does not find A's new key %s: %v", kid, err)
		}
	}
	reads := counted.lists.Load()
	for range 3 {
		if _, err := cNode.PublicKey(t.Context(), "no-such-kid"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown kid: %v, want ErrNotFound", err)
		}
	}
	if got := counted.lists.Load() - reads; got != 0 {
		t.Fatalf("unknown kids right after a reload read the database %d times", got)
	}

	tests := []struct {
		name    string
		advance time.Duration // from the previous step
		want    map[string]string
	}{
		{"within the refresh interval", testRefresh - 3*time.Second, before},
		// B has reloaded and publishes the new keys, but they are not yet
		// old enough to sign: the retired keys hand over.
		{"after the refresh interval", time.Second, before},
		{"after the activation delay", testRefresh + time.Second, after},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Advance(tt.advance)
			if got := signerKIDs(t, b); !maps.Equal(got, tt.want) {
				t.Fatalf("B signs with %v, want %v", got, tt.want)
			}
			// whatever B signs with, A's JWKS already has
			for _, kid := range signerKIDs(t, b) {
				if !slices.Contains(setKIDs(t, a), kid) {
					t.Fatalf("B signs with %s, which A does not publish", kid)
				}
			}
		})
	}
}

// testNoStampede lets many callers find the cache stale at once: one of
// them reads the database, the rest use what it loaded.
func testNoStampede(t *testing.T, inner storage.SigningKeys) {
	store := &countingStore{SigningKeys: inner}
	c := newClock()
	m := newTestManager(store, testSecret(1), c)
	if err := m.EnsureKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.Advance(testRefresh)
	start := store.lists.Load()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = m.Signer(t.Context(), RS256)
			} else {
				_, err = m.PublicKeySet(t.Context())
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := store.lists.Load() - start; got != 1 {
		t.Fatalf("%d database reads for one stale cache, want 1", got)
	}
}

// testConcurrentRotate signs and publishes while another goroutine
// rotates; run with -race. Every key handed out must be in the JWKS.
func testConcurrentRotate(t *testing.T, store storage.SigningKeys) {
	c := newClock()
	m := newTestManager(store, testSecret(1), c)
	if err := m.EnsureKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 3 {
			c.Advance(time.Second)
			if _, err := m.Rotate(t.Context()); err != nil {
				t.Error(err)
			}
		}
	})
	for range 8 {
		wg.Go(func() {
			for range 20 {
				k, err := m.Signer(t.Context(), ES256)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := m.PublicKey(t.Context(), k.KeyID); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
