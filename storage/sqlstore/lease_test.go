package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// TestReleaseNodeLeases: a node that restarts after a crash releases at
// once the leases its earlier run held (their messages are due again
// now, not after the lease), and only those: another node's leases and a
// store without a node name release nothing.
func TestReleaseNodeLeases(t *testing.T) {
	t.Parallel()
	sqltest.Nodes(t, func(t *testing.T, open func(opts ...sqlstore.Option) *sqlstore.Store) {
		ctx := context.Background()
		a, b := open(sqlstore.WithNode("a")), open(sqlstore.WithNode("b"))
		now := time.Now().UTC().Truncate(time.Millisecond)
		for range 2 {
			if err := a.EnqueueNotification(ctx, &storage.Notification{Channel: "email", To: "x@example.com", Kind: "k", NextAttemptAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		heldByA, err := a.ClaimNotifications(ctx, now, time.Minute, 1)
		if err != nil || len(heldByA) != 1 {
			t.Fatalf("a claims %v, %v", heldByA, err)
		}
		heldByB, err := b.ClaimNotifications(ctx, now, time.Minute, 1)
		if err != nil || len(heldByB) != 1 {
			t.Fatalf("b claims %v, %v", heldByB, err)
		}
		if n, err := open().ReleaseNodeLeases(ctx); err != nil || n != 0 {
			t.Fatalf("a store without a node name released %d, %v", n, err)
		}
		// a is killed and starts again under its name.
		if n, err := open(sqlstore.WithNode("a")).ReleaseNodeLeases(ctx); err != nil || n != 1 {
			t.Fatalf("the restarted a released %d, %v; want 1", n, err)
		}
		again, err := b.ClaimNotifications(ctx, now, time.Minute, 10)
		if err != nil || len(again) != 1 || again[0].ID != heldByA[0].ID {
			t.Fatalf("after a's restart b claims %v, %v; want only a's message %s (b's own is still leased)", again, err, heldByA[0].ID)
		}
	})
}
