package main

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestPurgeDeletesInBoundedBatches: the cleanup deletes everything that
// expired, however much, in statements of at most the batch size, and
// leaves what is still live.
func TestPurgeDeletesInBoundedBatches(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		store := newStore(t)
		ctx := t.Context()
		now := time.Now().UTC()
		for i := range 25 {
			tok := &storage.Token{Kind: storage.TokenAccess, Signature: fmt.Sprintf("expired-%d", i), RequestID: "r",
				ClientID: "c", Active: true, CreatedAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(-2 * time.Hour)}
			if err := store.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			in := &storage.Interaction{ID: fmt.Sprintf("old-%d", i), ClientID: "c", ExpiresAt: now.Add(-time.Minute)}
			if err := store.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		live := &storage.Token{Kind: storage.TokenAccess, Signature: "live", RequestID: "r", ClientID: "c", Active: true,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := store.CreateToken(ctx, live); err != nil {
			t.Fatal(err)
		}
		purge(ctx, store, now, purgeBatch{size: 10, pause: time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if n, err := store.DeleteExpiredTokens(ctx, now.Add(-time.Hour), 100); err != nil || n != 0 {
			t.Errorf("after purge, %d expired tokens were left (%v)", n, err)
		}
		if n, err := store.PurgeExpired(ctx, now, now.Add(-24*time.Hour), 100); err != nil || n != 0 {
			t.Errorf("after purge, %d expired rows were left (%v)", n, err)
		}
		if _, err := store.GetToken(ctx, storage.TokenAccess, "live"); err != nil {
			t.Errorf("the live token went too: %v", err)
		}
	})
}
