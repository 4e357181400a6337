package keys

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// outageStore is the real store that can be made to fail, as a database
// that stopped answering does.
type outageStore struct {
	countingStore
	down atomic.Bool
}

func (o *outageStore) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	o.lists.Add(1)
	if o.down.Load() {
		return nil, errors.New("connection refused")
	}
	return o.SigningKeys.ListSigningKeys(ctx)
}

// TestKeysOutlastAnOutage: once loaded, the keys sign and the JWKS serves
// through a database outage, re-reading at most once a second; when the
// database answers again the next stale read goes back to it. Without any
// snapshot there is nothing to serve and the failure is reported.
func TestKeysOutlastAnOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &outageStore{countingStore: countingStore{SigningKeys: sqltest.SQLite(t)}}
	c := newClock()
	m := newTestManager(store, testSecret(1), c)
	if err := m.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := m.PublicKeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	store.down.Store(true)
	c.Advance(2 * testRefresh)
	lists := store.lists.Load()
	for range 5 {
		set, err := m.PublicKeySet(ctx)
		if err != nil || len(set.Keys) != len(before.Keys) {
			t.Fatalf("JWKS during the outage: %v, %d keys (want %d)", err, len(set.Keys), len(before.Keys))
		}
		if _, err := m.Signer(ctx, "RS256"); err != nil {
			t.Fatalf("signing during the outage: %v", err)
		}
	}
	if n := store.lists.Load() - lists; n != 1 {
		t.Fatalf("%d database reads during one second of outage, want 1", n)
	}
	c.Advance(retryAfterFailure + testRefresh)
	store.down.Store(false)
	if _, err := m.PublicKeySet(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.lists.Load() - lists; n != 2 {
		t.Fatalf("%d database reads, want 2: the recovered database was not read again", n)
	}

	cold := newTestManager(store, testSecret(1), c)
	store.down.Store(true)
	if _, err := cold.PublicKeySet(ctx); err == nil {
		t.Fatal("a manager that never loaded its keys served a JWKS during an outage")
	}
}
