package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// TestReleaseNodeAccountJobs: a node that restarts after a crash makes
// the jobs its earlier run held claimable at once, and only those (not a
// node whose name merely starts alike).
func TestReleaseNodeAccountJobs(t *testing.T) {
	t.Parallel()
	sqltest.Nodes(t, func(t *testing.T, open func(opts ...sqlstore.Option) *sqlstore.Store) {
		ctx := context.Background()
		s := open()
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "eu", Name: "EU",
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		held := map[string]string{}
		for i, owner := range []string{"a#run-1", "ab#run-1"} {
			j := &storage.AccountJob{StoreID: "eu", Action: "disable", AccountIDs: []string{"x"}, CreatedAt: now.Add(time.Duration(i) * time.Second)}
			if err := s.CreateAccountJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			got, err := s.ClaimAccountJob(ctx, owner, now, time.Minute)
			if err != nil || got.ID != j.ID {
				t.Fatalf("%s claims %v, %v", owner, got, err)
			}
			held[owner] = j.ID
		}
		// a is killed and starts again under its name.
		if n, err := open(sqlstore.WithNode("a")).ReleaseNodeLeases(ctx); err != nil || n != 1 {
			t.Fatalf("the restarted a released %d, %v; want 1", n, err)
		}
		got, err := s.ClaimAccountJob(ctx, "a#run-2", now, time.Minute)
		if err != nil || got.ID != held["a#run-1"] {
			t.Fatalf("after a's restart: claimed %v, %v; want a's job", got, err)
		}
		if _, err := s.ClaimAccountJob(ctx, "c#run-1", now, time.Minute); err == nil {
			t.Error("ab's job was released too")
		}
		if err := s.AdvanceAccountJob(ctx, got.ID, "a#run-1", "x", "", now); err == nil {
			t.Error("the crashed run's owner may still record progress")
		}
	})
}
