package keys

import (
	"slices"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestRotateIfDue drives automatic rotation with a clock: nothing happens
// until the newest key is interval old, then one rotation, after which the
// same node and another node find nothing to do.
func TestRotateIfDue(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		store := newStore(t)
		ctx := t.Context()
		c := newClock()
		node1 := newTestManager(store, testSecret(1), c)
		node2 := newTestManager(store, testSecret(1), c)
		if err := node1.EnsureKeys(ctx); err != nil {
			t.Fatal(err)
		}
		const interval = 720 * time.Hour
		due := func(m *Manager, d time.Duration) bool {
			t.Helper()
			rotated, err := m.RotateIfDue(ctx, d)
			if err != nil {
				t.Fatalf("RotateIfDue: %v", err)
			}
			return rotated
		}
		if due(node1, 0) || due(node1, interval) {
			t.Fatal("fresh keys, or rotation off, must not rotate")
		}
		c.Advance(interval - time.Minute)
		if due(node1, interval) {
			t.Fatal("rotated before the interval passed")
		}
		before := setKIDs(t, node1)
		c.Advance(time.Minute)
		if !due(node1, interval) {
			t.Fatal("did not rotate once the interval passed")
		}
		if due(node1, interval) || due(node2, interval) {
			t.Fatal("a second rotation right after the first")
		}
		after := setKIDs(t, node2)
		if len(after) != len(before)+2 {
			t.Fatalf("JWKS after rotation = %v, want the %d old keys plus two new", after, len(before))
		}
		for _, kid := range before {
			if !slices.Contains(after, kid) {
				t.Fatalf("retired key %s left the JWKS at once", kid)
			}
		}
	})
}

func TestRotationDue(t *testing.T) {
	now := testNow()
	key := func(alg string, age time.Duration, status storage.KeyStatus) storage.SigningKey {
		return storage.SigningKey{Algorithm: alg, Status: status, CreatedAt: now.Add(-age)}
	}
	cases := []struct {
		name string
		rows []storage.SigningKey
		want bool
	}{
		{"no keys", nil, true},
		{"both fresh", []storage.SigningKey{key(ES256, time.Hour, storage.KeyActive), key(RS256, time.Hour, storage.KeyActive)}, false},
		{"one algorithm missing", []storage.SigningKey{key(ES256, time.Hour, storage.KeyActive)}, true},
		{"one old", []storage.SigningKey{key(ES256, time.Hour, storage.KeyActive), key(RS256, 48*time.Hour, storage.KeyActive)}, true},
		{"old one plus a newer active one", []storage.SigningKey{
			key(ES256, time.Hour, storage.KeyActive), key(RS256, 48*time.Hour, storage.KeyActive), key(RS256, time.Hour, storage.KeyActive),
		}, false},
		{"only a fresh retired key", []storage.SigningKey{key(ES256, time.Hour, storage.KeyActive), key(RS256, time.Hour, storage.KeyRetired)}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rotationDue(tc.rows, now, 24*time.Hour); got != tc.want {
				t.Fatalf("rotationDue = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRetentionFor(t *testing.T) {
	for _, tc := range []struct{ longest, want time.Duration }{
		{time.Hour, DefaultRetention},
		{24 * time.Hour, 24*time.Hour + 10*time.Minute},
		{48 * time.Hour, 48*time.Hour + 10*time.Minute},
	} {
		if got := RetentionFor(tc.longest); got != tc.want {
			t.Errorf("RetentionFor(%v) = %v, want %v", tc.longest, got, tc.want)
		}
	}
}
