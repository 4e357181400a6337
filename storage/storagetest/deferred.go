package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

func testDeferredRequests(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	count := func(want int64) {
		t.Helper()
		n, err := s.CountDeferredRequests(ctx)
		must(t, "CountDeferredRequests", err)
		if n != want {
			t.Fatalf("CountDeferredRequests = %d, want %d", n, want)
		}
	}
	count(0)
	first := &storage.DeferredRequest{Kind: "reset", Payload: `{"typed":"a@example.com"}`, CreatedAt: base.Add(-time.Minute)}
	second := &storage.DeferredRequest{Kind: "registration", Payload: `{"email":"b@example.com"}`, NextAttemptAt: base, CreatedAt: base}
	later := &storage.DeferredRequest{Kind: "username_reminder", NextAttemptAt: base.Add(time.Hour), CreatedAt: base}
	for _, d := range []*storage.DeferredRequest{first, second, later} {
		must(t, "EnqueueDeferredRequest", s.EnqueueDeferredRequest(ctx, d))
		if d.ID == "" || d.CreatedAt.IsZero() || d.NextAttemptAt.IsZero() {
			t.Errorf("EnqueueDeferredRequest left ID %q, CreatedAt or NextAttemptAt unset", d.ID)
		}
	}
	sameTime(t, "NextAttemptAt defaults to CreatedAt", first.NextAttemptAt, base.Add(-time.Minute))
	count(3)
	claim := func(at time.Time, limit int, want ...*storage.DeferredRequest) []storage.DeferredRequest {
		t.Helper()
		got, err := s.ClaimDeferredRequests(ctx, at, 30*time.Second, limit)
		must(t, "ClaimDeferredRequests", err)
		var ids, wantIDs []string
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		for _, d := range want {
			wantIDs = append(wantIDs, d.ID)
		}
		if !equalStrings(ids, wantIDs) {
			t.Fatalf("ClaimDeferredRequests(%v, %d) = %q, want %q", at, limit, ids, wantIDs)
		}
		return got
	}

	// Oldest due first, the limit holds, a claimed row carries its payload
	// and its lock.
	got := claim(base, 1, first)
	if d := got[0]; d.Kind != "reset" || d.Payload != first.Payload || d.Attempts != 0 || d.LockedUntil == nil || d.LastError != "" {
		t.Errorf("claimed row = %+v", d)
	} else {
		sameTime(t, "LockedUntil", *d.LockedUntil, base.Add(30*time.Second))
	}
	claim(base, 10, second)
	claim(base, 10) // both leased, the third not due
	claim(base.Add(31*time.Second), 10, first, second)

	// A failure counts, keeps the error, releases the lease and waits.
	must(t, "FailDeferredRequest", s.FailDeferredRequest(ctx, first.ID, base.Add(10*time.Minute), "database is locked"))
	claim(base.Add(5*time.Minute), 10, second) // its lease ran out
	got = claim(base.Add(10*time.Minute), 10, second, first)
	if got[1].Attempts != 1 || got[1].LastError != "database is locked" {
		t.Errorf("after a failure: attempts %d, last error %q", got[1].Attempts, got[1].LastError)
	}
	wantErr(t, "FailDeferredRequest of an unknown row", s.FailDeferredRequest(ctx, "missing", base, "x"), storage.ErrNotFound)

	// Deleting in a transaction that rolls back keeps the row; the second
	// delete of a row finds nothing (another node did the work).
	tx, err := s.BeginTx(ctx)
	must(t, "BeginTx", err)
	must(t, "DeleteDeferredRequest in a transaction", s.DeleteDeferredRequest(tx, second.ID))
	must(t, "Rollback", s.Rollback(tx))
	count(3)
	must(t, "DeleteDeferredRequest", s.DeleteDeferredRequest(ctx, second.ID))
	wantErr(t, "DeleteDeferredRequest again", s.DeleteDeferredRequest(ctx, second.ID), storage.ErrNotFound)
	count(2)
	claim(base.Add(2*time.Hour), 10, first, later)
}

func testDeferredRequestClaimRace(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	for i := range 5 {
		d := &storage.DeferredRequest{Kind: "reset", NextAttemptAt: base.Add(-time.Duration(i) * time.Second)}
		must(t, "EnqueueDeferredRequest", s.EnqueueDeferredRequest(ctx, d))
	}
	claimed := make([][]storage.DeferredRequest, 16)
	errs := race(len(claimed), func(i int) error {
		var err error
		claimed[i], err = s.ClaimDeferredRequests(ctx, base, 30*time.Second, 2)
		return err
	})
	seen := map[string]int{}
	for i, err := range errs {
		must(t, "ClaimDeferredRequests", err)
		for _, d := range claimed[i] {
			seen[d.ID]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("deferred request %s claimed %d times, want once", id, n)
		}
	}
	if len(seen) == 0 {
		t.Errorf("no deferred request was claimed")
	}
}
