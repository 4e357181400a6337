package keys

import (
	"context"
	"fmt"
	"time"

	"foyer/storage"
)

// RetentionFor is how long retired keys must stay published so that every
// token signed with them can be verified until it expires: the longest
// lifetime of a signed token plus a margin for clock skew and relying
// parties' JWKS caches, never less than DefaultRetention.
func RetentionFor(longestSignedTokenLifetime time.Duration) time.Duration {
	const margin = 10 * time.Minute
	return max(DefaultRetention, longestSignedTokenLifetime+margin)
}

// Retention reports how long this Manager keeps retired keys published.
func (m *Manager) Retention() time.Duration { return m.retention }

// RotateIfDue rotates the keys when the newest active key of some algorithm
// is at least interval old (or there is none); an interval of zero or less
// never rotates. Every node may run it: the age is read from the database
// just before rotating, so after one node rotates the others find fresh
// keys and do nothing. Two nodes that check at the same instant both
// rotate; that leaves two new keys per algorithm, both published, and
// signing settles on the newer (see Rotate), which is harmless.
func (m *Manager) RotateIfDue(ctx context.Context, interval time.Duration) (bool, error) {
	if interval <= 0 {
		return false, nil
	}
	if m.secretErr != nil {
		return false, m.secretErr
	}
	rows, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return false, fmt.Errorf("keys: list signing keys: %w", err)
	}
	if !rotationDue(rows, m.now(), interval) {
		return false, nil
	}
	if _, err := m.Rotate(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// rotationDue reports whether, at now, some algorithm's newest active key
// is interval old, or it has no active key.
func rotationDue(rows []storage.SigningKey, now time.Time, interval time.Duration) bool {
	for _, alg := range algorithms() {
		var newest time.Time
		for _, r := range rows {
			if r.Algorithm == alg && r.Status == storage.KeyActive && r.CreatedAt.After(newest) {
				newest = r.CreatedAt
			}
		}
		if newest.IsZero() || !now.Before(newest.Add(interval)) {
			return true
		}
	}
	return false
}
