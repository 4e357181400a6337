package keys

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/storage"
)

const (
	// DefaultRetention is how long a retired key stays in the JWKS. It must
	// outlive every token signed with the key (ID tokens, JWT access
	// tokens) plus relying parties' JWKS caching.
	DefaultRetention = 24 * time.Hour
	// DefaultRefreshInterval is how long a node trusts its cached keys
	// before re-reading the database for rotations done by other nodes.
	DefaultRefreshInterval = 10 * time.Second
	// missRefreshFloor limits how often an unknown kid may force a
	// database read, so a client sending random kids cannot hammer it.
	missRefreshFloor = time.Second
)

// Manager generates, rotates, caches and publishes signing keys. It is safe
// for concurrent use.
type Manager struct {
	store     storage.SigningKeys
	sealer    *sealer
	secretErr error // reported by every method when the secret was unusable
	now       func() time.Time
	retention time.Duration
	refresh   time.Duration
	// activation is how long a new key is published before it signs:
	// longer than the refresh interval, so every node's JWKS has it first.
	activation time.Duration

	snap      atomic.Pointer[snapshot]
	reloading chan struct{} // one-slot lock around database reloads
	// failedAt is when the last re-read failed (UnixNano; 0: it did not).
	failedAt atomic.Int64
	writing  sync.Mutex // serializes EnsureKeys and Rotate on this node
}

// Option configures a Manager.
type Option func(*Manager)

// WithClock replaces time.Now (tests move time instead of sleeping).
func WithClock(now func() time.Time) Option { return func(m *Manager) { m.now = now } }

// WithRetention sets how long retired keys stay published.
func WithRetention(d time.Duration) Option { return func(m *Manager) { m.retention = d } }

// WithRefreshInterval sets how long the in-memory cache is trusted; new
// keys start signing after twice this interval.
func WithRefreshInterval(d time.Duration) Option { return func(m *Manager) { m.refresh = d } }

// NewManager returns a Manager over store that encrypts private keys with a
// key derived from secret. A secret shorter than MinSecretLength does not
// panic here (configuration validates it first); every method then fails
// with ErrSecretTooShort instead of encrypting under a weak key.
func NewManager(store storage.SigningKeys, secret []byte, opts ...Option) *Manager {
	m := &Manager{
		store:     store,
		now:       time.Now,
		retention: DefaultRetention,
		refresh:   DefaultRefreshInterval,
		reloading: make(chan struct{}, 1),
	}
	m.sealer, m.secretErr = newSealer(secret)
	for _, o := range opts {
		o(m)
	}
	m.activation = 2 * m.refresh
	return m
}

// EnsureKeys creates an active ES256 and RS256 key for each algorithm that
// has none. Foyer calls it inside the bootstrap transaction, so one node
// creates the first keys. Should two nodes still both create one, both are
// published and every node signs with the oldest until the newer one has
// been published long enough; the next Rotate retires both.
func (m *Manager) EnsureKeys(ctx context.Context) error {
	if m.secretErr != nil {
		return m.secretErr
	}
	m.writing.Lock()
	defer m.writing.Unlock()
	rows, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: list signing keys: %w", err)
	}
	for _, alg := range algorithms() {
		if len(activeIDs(rows, alg)) > 0 {
			continue
		}
		if _, err := m.create(ctx, alg); err != nil {
			return err
		}
	}
	_, err = m.reload(ctx, nil)
	return err
}

// Rotate creates a new active key for each algorithm, then retires the keys
// that were active before. Creating first means there is never a moment
// without an active key; retiring only what was listed before creating
// means two concurrent rotations leave two active keys rather than none.
// New keys are published at once but sign only after the activation delay
// (twice the refresh interval), so no node hands out a token whose key
// another node's JWKS lacks. Retired keys stay in the JWKS for the
// retention period. It returns the new keys.
func (m *Manager) Rotate(ctx context.Context) ([]storage.SigningKey, error) {
	if m.secretErr != nil {
		return nil, m.secretErr
	}
	m.writing.Lock()
	defer m.writing.Unlock()
	rows, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: list signing keys: %w", err)
	}
	var created []storage.SigningKey
	for _, alg := range algorithms() {
		row, err := m.create(ctx, alg)
		if err != nil {
			return created, err
		}
		created = append(created, *row)
		at := m.now()
		for _, id := range activeIDs(rows, alg) {
			// ErrNotFound: another node retired or removed it meanwhile.
			if err := m.store.RetireSigningKey(ctx, id, at); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return created, fmt.Errorf("keys: retire %s: %w", id, err)
			}
		}
	}
	if _, err := m.reload(ctx, nil); err != nil {
		return created, err
	}
	return created, nil
}

func (m *Manager) create(ctx context.Context, alg string) (*storage.SigningKey, error) {
	row, _, err := newKey(m.sealer, alg, m.now())
	if err != nil {
		return nil, err
	}
	if err := m.store.CreateSigningKey(ctx, row); err != nil {
		return nil, fmt.Errorf("keys: store %s key: %w", alg, err)
	}
	return row, nil
}

func activeIDs(rows []storage.SigningKey, alg string) []string {
	var ids []string
	for _, r := range rows {
		if r.Algorithm == alg && r.Status == storage.KeyActive {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Signer returns the signing key for alg ("RS256" or "ES256"): the newest
// active key published for at least the activation delay, with KeyID,
// Algorithm and Use set. The key is decrypted once
// and cached; callers must not modify the returned key material.
func (m *Manager) Signer(ctx context.Context, alg string) (*jose.JSONWebKey, error) {
	if m.secretErr != nil {
		return nil, m.secretErr
	}
	if !signable(alg) {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	s, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	sg, ok := s.signers[alg]
	if !ok {
		return nil, fmt.Errorf("keys: no active %s key: %w", alg, storage.ErrNotFound)
	}
	if sg.err != nil {
		return nil, sg.err
	}
	k := *sg.key
	return &k, nil
}

// PublicKeySet returns the JWKS: every active key and every retired key
// whose retention has not yet passed, newest first.
func (m *Manager) PublicKeySet(ctx context.Context) (*jose.JSONWebKeySet, error) {
	if m.secretErr != nil {
		return nil, m.secretErr
	}
	s, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	now := m.now()
	set := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, e := range s.keys {
		if e.published(now, m.retention) {
			set.Keys = append(set.Keys, *e.public)
		}
	}
	return set, nil
}

// PublicKey returns the published public key with the given kid, for
// verifying tokens Foyer signed (id_token_hint, ...). An unknown kid may be
// one another node just created, so a miss re-reads the database, at most
// once a second. Keys past retention are not returned: tokens they signed
// are no longer accepted. The error wraps storage.ErrNotFound when no
// published key has the kid.
func (m *Manager) PublicKey(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	if m.secretErr != nil {
		return nil, m.secretErr
	}
	s, err := m.current(ctx)
	if err != nil {
		return nil, err
	}
	if k, ok := m.lookup(s, kid); ok {
		return k, nil
	}
	if m.now().Sub(s.loadedAt) >= missRefreshFloor {
		if s, err = m.reload(ctx, func(n *snapshot) bool { return n != s }); err != nil {
			return nil, err
		}
		if k, ok := m.lookup(s, kid); ok {
			return k, nil
		}
	}
	return nil, fmt.Errorf("keys: kid %q: %w", kid, storage.ErrNotFound)
}

func (m *Manager) lookup(s *snapshot, kid string) (*jose.JSONWebKey, bool) {
	now := m.now()
	for _, e := range s.keys {
		if e.public.KeyID == kid && e.published(now, m.retention) {
			k := *e.public
			return &k, true
		}
	}
	return nil, false
}
