package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// Ending in the caller's transaction commits or rolls back with it, with
// the back-channel notices.
func TestEndInTx(t *testing.T) {
	store := sqltest.SQLite(t)
	ctx := context.Background()
	c := &clock{t: time.Now().UTC()}
	m := NewManager(store, Config{Now: c.now})
	if err := store.CreateClient(ctx, &storage.Client{ID: "rp-bc", BackchannelLogoutURI: "https://rp.example/bc"}); err != nil {
		t.Fatal(err)
	}
	notices := func() int {
		t.Helper()
		n, err := store.ClaimLogoutNotices(ctx, c.t.Add(time.Hour), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range n {
			if err := store.DeleteLogoutNotice(ctx, x.ID); err != nil {
				t.Fatal(err)
			}
		}
		return len(n)
	}
	s, _ := startSession(t, m)
	if err := store.RecordSessionClient(ctx, s.ID, "rp-bc"); err != nil {
		t.Fatal(err)
	}

	// Rolled back: the session stays, no notice.
	tx, err := store.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.EndInTx(tx, s); err != nil {
		t.Fatal(err)
	}
	_ = store.Rollback(tx)
	if _, err := store.GetSession(ctx, s.ID); err != nil {
		t.Fatalf("session after a rolled-back end: %v", err)
	}
	if n := notices(); n != 0 {
		t.Fatalf("%d notices after a rolled-back end, want 0", n)
	}

	// Committed: every session gone, one notice.
	other, _ := startSession(t, m)
	tx, _ = store.BeginTx(ctx)
	ended, err := m.EndAccountInTx(tx, "acct-1")
	if err != nil || len(ended) != 2 {
		t.Fatalf("EndAccountInTx = %d sessions, %v; want 2", len(ended), err)
	}
	if err := store.Commit(tx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{s.ID, other.ID} {
		if _, err := store.GetSession(ctx, id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("session %s after EndAccountInTx: %v", id, err)
		}
	}
	if n := notices(); n != 1 {
		t.Fatalf("%d notices after EndAccountInTx, want 1", n)
	}
	tx, _ = store.BeginTx(ctx)
	defer func() { _ = store.Rollback(tx) }()
	if err := m.EndInTx(tx, s); !errors.Is(err, ErrNoSession) || !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("EndInTx of an ended session = %v, want ErrNoSession", err)
	}
}
