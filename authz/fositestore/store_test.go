package fositestore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestClientCacheExpires: a client deleted from the database keeps working
// on a node for at most clientCacheTTL, then is unknown.
func TestClientCacheExpires(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		db := newStore(t)
		if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop", GrantTypes: []string{"client_credentials"}}); err != nil {
			t.Fatal(err)
		}
		c := &clock{t: time.Now()}
		s := New(db, c.now)
		if _, err := s.GetClient(ctx, "shop"); err != nil {
			t.Fatalf("first load: %v", err)
		}
		if err := db.DeleteClient(ctx, "shop"); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(clientCacheTTL - time.Millisecond)
		if _, err := s.GetClient(ctx, "shop"); err != nil {
			t.Fatalf("within the TTL the cached client should answer: %v", err)
		}
		c.t = c.t.Add(time.Millisecond)
		if _, err := s.GetClient(ctx, "shop"); !errors.Is(err, fosite.ErrNotFound) {
			t.Fatalf("after the TTL: %v, want fosite.ErrNotFound", err)
		}
		if _, err := s.GetClient(ctx, "never-existed"); !errors.Is(err, fosite.ErrNotFound) {
			t.Fatalf("unknown client: %v", err)
		}
	})
}
