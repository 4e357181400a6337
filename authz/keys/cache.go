package keys

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/storage"
)

// snapshot is an immutable view of the key table. Readers share it through
// an atomic pointer and never lock; a refresh builds a new one.
type snapshot struct {
	loadedAt time.Time
	keys     []entry           // newest first
	signers  map[string]signer // by algorithm: the newest active key
}

type entry struct {
	public    *jose.JSONWebKey
	active    bool
	retiredAt *time.Time
}

// published reports whether the key belongs in the JWKS at now: active, or
// retired recently enough that tokens it signed may still be presented.
func (e entry) published(now time.Time, retention time.Duration) bool {
	if e.active {
		return true
	}
	return e.retiredAt != nil && e.retiredAt.Add(retention).After(now)
}

// signer keeps a decryption failure next to the algorithm so a bad private
// key stops signing without also taking the JWKS down.
type signer struct {
	key *jose.JSONWebKey
	err error
}

// current returns the cached snapshot, re-reading the database when it is
// older than the refresh interval.
//
// Through a database outage the keys keep working from memory: when the
// re-read fails, the last snapshot serves (signing and JWKS go on; a key
// rotated on another node meanwhile is picked up once the database
// answers), and for retryAfterFailure no request tries the database again,
// so an outage costs each request nothing.
func (m *Manager) current(ctx context.Context) (*snapshot, error) {
	prev := m.snap.Load()
	if prev != nil && m.fresh(prev) {
		return prev, nil
	}
	if failed := m.failedAt.Load(); prev != nil && failed != 0 && m.now().Sub(time.Unix(0, failed)) < retryAfterFailure {
		return prev, nil
	}
	s, err := m.reload(ctx, func(s *snapshot) bool { return s != nil && m.fresh(s) })
	if err != nil && prev != nil && ctx.Err() == nil {
		m.failedAt.Store(m.now().UnixNano())
		return prev, nil
	}
	if err == nil {
		m.failedAt.Store(0)
	}
	return s, err
}

// retryAfterFailure is how long the keys serve from memory after a failed
// re-read before the next request tries the database again.
const retryAfterFailure = time.Second

func (m *Manager) fresh(s *snapshot) bool {
	return m.now().Sub(s.loadedAt) < m.refresh
}

// reload re-reads the key table. Only one reload runs at a time per
// Manager, so a burst of callers finding the cache stale costs one query:
// the ones that waited find satisfied(newSnapshot) true and return it.
// A nil satisfied always re-reads (used after this node wrote keys). The
// lock is a channel so a waiter still honours its context.
func (m *Manager) reload(ctx context.Context, satisfied func(*snapshot) bool) (*snapshot, error) {
	select {
	case m.reloading <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-m.reloading }()

	prev := m.snap.Load()
	if satisfied != nil && satisfied(prev) {
		return prev, nil
	}
	loadedAt := m.now()
	rows, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: list signing keys: %w", err)
	}
	s, err := m.build(prev, rows, loadedAt)
	if err != nil {
		return nil, err
	}
	m.snap.Store(s)
	return s, nil
}

// build turns rows into a snapshot. Private keys already decrypted in prev
// are reused, so a refresh that finds nothing new decrypts nothing.
func (m *Manager) build(prev *snapshot, rows []storage.SigningKey, loadedAt time.Time) (*snapshot, error) {
	sortNewestFirst(rows)
	s := &snapshot{loadedAt: loadedAt, signers: map[string]signer{}}
	for i := range rows {
		row := &rows[i]
		pub, err := parsePublic(row)
		if err != nil {
			return nil, err
		}
		active := row.Status == storage.KeyActive
		s.keys = append(s.keys, entry{public: pub, active: active, retiredAt: row.RetiredAt})
	}
	for _, alg := range []string{RS256, ES256} {
		row := m.signingRow(rows, alg, loadedAt)
		if row == nil {
			continue
		}
		if old, ok := prev.signer(alg); ok && old.err == nil && old.key.KeyID == row.ID {
			s.signers[alg] = old
			continue
		}
		key, err := openPrivate(m.sealer, row)
		s.signers[alg] = signer{key: key, err: err}
	}
	return s, nil
}

// signingRow picks the key to sign with from rows sorted newest first: the
// newest key published long enough that every node's JWKS has it (a new key
// signs only after the activation delay; the key it replaces keeps signing
// until then, retired or not). When no key is that old, as on a fresh
// database's first start, it is the oldest of those keys.
func (m *Manager) signingRow(rows []storage.SigningKey, alg string, at time.Time) *storage.SigningKey {
	var fallback *storage.SigningKey
	for i := range rows {
		row := &rows[i]
		if row.Algorithm != alg {
			continue
		}
		active := row.Status == storage.KeyActive
		handingOver := row.RetiredAt != nil && at.Sub(*row.RetiredAt) < m.activation
		if !active && !handingOver {
			continue
		}
		if !row.CreatedAt.After(at.Add(-m.activation)) {
			return row
		}
		fallback = row
	}
	return fallback
}

func (s *snapshot) signer(alg string) (signer, bool) {
	if s == nil {
		return signer{}, false
	}
	sg, ok := s.signers[alg]
	return sg, ok
}

// sortNewestFirst orders by creation time, newest first, breaking ties by
// kid so that every node picks the same signing key when two nodes created
// keys at the same instant.
func sortNewestFirst(rows []storage.SigningKey) {
	slices.SortStableFunc(rows, func(a, b storage.SigningKey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

func signable(alg string) bool { return alg == RS256 || alg == ES256 }
