package storagetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"foyer/storage"
)

// counterWidth is the bucket width these tests count in, the budgets'.
const counterWidth = 10 * time.Second

// testAttemptCounters: AddToCounters adds one to each key's bucket and
// returns each window's sum in the keys' order; SumCounters sums windows
// of several keys, zero for a key never counted, storing nothing;
// ListCounterBuckets lists a key's buckets oldest first.
func testAttemptCounters(t *testing.T, s storage.Store) {
	ctx := t.Context()
	b0 := time.Now().UTC().Truncate(counterWidth).Add(-5 * time.Minute)
	b1, b2 := b0.Add(counterWidth), b0.Add(2*counterWidth)
	a, b, unknown := unique("ctr"), unique("ctr"), unique("ctr")
	for i := range 3 {
		n, err := s.AddToCounters(ctx, b0, b0, a)
		must(t, "AddToCounters", err)
		if len(n) != 1 || n[0] != int64(i+1) {
			t.Fatalf("add %d to one bucket: %v, want [%d]", i+1, n, i+1)
		}
	}
	n, err := s.AddToCounters(ctx, b1, b0, b, a)
	must(t, "AddToCounters", err)
	if len(n) != 2 || n[0] != 1 || n[1] != 4 {
		t.Fatalf("AddToCounters(b, a) in the next bucket: %v; want [1 4] in the keys' order (a: 3 before, 1 now)", n)
	}
	n, err = s.AddToCounters(ctx, b2, b1, a, b)
	must(t, "AddToCounters", err)
	if len(n) != 2 || n[0] != 2 || n[1] != 2 {
		t.Fatalf("AddToCounters since the second bucket: %v; want [2 2] (the first bucket is outside)", n)
	}
	windows := []storage.CounterWindow{{Key: a, Since: b0}, {Key: a, Since: b1}, {Key: a, Since: b2.Add(counterWidth)},
		{Key: b, Since: b0}, {Key: unknown, Since: time.Time{}}}
	for _, when := range []string{"", " again (summing must store nothing)"} {
		got, err := s.SumCounters(ctx, windows...)
		must(t, "SumCounters", err)
		if want := []int64{5, 2, 0, 2, 0}; !slices.Equal(got, want) {
			t.Fatalf("SumCounters%s: %v, want %v", when, got, want)
		}
	}
	buckets, err := s.ListCounterBuckets(ctx, a, b1)
	must(t, "ListCounterBuckets", err)
	if want := []storage.CounterBucket{{Bucket: b1, N: 1}, {Bucket: b2, N: 1}}; len(buckets) != 2 ||
		!buckets[0].Bucket.Equal(want[0].Bucket) || buckets[0].N != 1 || !buckets[1].Bucket.Equal(want[1].Bucket) || buckets[1].N != 1 {
		t.Fatalf("ListCounterBuckets since the second bucket: %+v, want %+v", buckets, want)
	}
	if buckets, err := s.ListCounterBuckets(ctx, unknown, time.Time{}); err != nil || len(buckets) != 0 {
		t.Fatalf("ListCounterBuckets of an unknown key: %+v, %v; want none", buckets, err)
	}
	if _, err := s.AddToCounters(ctx, b2, b0, a, a); err == nil {
		t.Error("AddToCounters with a key named twice succeeded")
	}
	if got, err := s.SumCounters(ctx, storage.CounterWindow{Key: a, Since: b0}); err != nil || got[0] != 5 {
		t.Fatalf("after the refused call: %v, %v; want 5, nothing added", got, err)
	}
	if n, err := s.AddToCounters(ctx, b0, b0); err != nil || len(n) != 0 {
		t.Errorf("AddToCounters without keys: %v, %v", n, err)
	}
	if n, err := s.SumCounters(ctx); err != nil || len(n) != 0 {
		t.Errorf("SumCounters without windows: %v, %v", n, err)
	}
}

// testCounterBound: 5,000 counts for one key spread over a minute take at
// most a minute / width + 1 rows, and the sums are exact per bucket.
func testCounterBound(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const events, window = 5000, time.Minute
	key, global := unique("bound"), unique("bound")
	now := time.Now().UTC()
	start := now.Add(-window)
	step := window / events
	var last []int64
	// One transaction, so the test waits for one commit, not 5,000.
	tx, err := s.BeginTx(ctx)
	must(t, "BeginTx", err)
	for i := range events {
		at := start.Add(time.Duration(i) * step)
		n, err := s.AddToCounters(tx, at.Truncate(counterWidth), start.Truncate(counterWidth), key, global)
		if err != nil {
			_ = s.Rollback(tx)
			t.Fatalf("AddToCounters: %v", err)
		}
		last = n
	}
	must(t, "Commit", s.Commit(tx))
	if last[0] != events || last[1] != events {
		t.Fatalf("the last add's sums: %v, want %d for both keys", last, events)
	}
	buckets, err := s.ListCounterBuckets(ctx, key, time.Time{})
	must(t, "ListCounterBuckets", err)
	if limit := int(window/counterWidth) + 1; len(buckets) > limit {
		t.Fatalf("%d events in a minute left %d rows for the key, want at most %d", events, len(buckets), limit)
	}
	var total int64
	for _, b := range buckets {
		want := int64(0)
		for i := range events {
			if start.Add(time.Duration(i) * step).Truncate(counterWidth).Equal(b.Bucket) {
				want++
			}
		}
		if b.N != want {
			t.Errorf("bucket %v: %d, want %d", b.Bucket, b.N, want)
		}
		total += b.N
	}
	sums, err := s.SumCounters(ctx, storage.CounterWindow{Key: key, Since: start.Truncate(counterWidth)},
		storage.CounterWindow{Key: global, Since: buckets[len(buckets)-1].Bucket})
	must(t, "SumCounters", err)
	if sums[0] != events || total != events || sums[1] != buckets[len(buckets)-1].N {
		t.Fatalf("sums %v, buckets' total %d; want %d and the last bucket's %d", sums, total, events, buckets[len(buckets)-1].N)
	}
	t.Logf("%d events in a minute: %d rows for the key", events, len(buckets))
}

// testParallelCounters: parallel adds to one bucket each see the others
// that came before: the sums returned are 1 to n, each once, for the key
// they all share.
func testParallelCounters(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const parallel = 16
	bucket := time.Now().UTC().Truncate(counterWidth)
	shared := unique("par")
	sums := make(chan int64, parallel)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.AddToCounters(ctx, bucket, bucket.Add(-time.Minute), unique("own"), shared)
			if err != nil {
				t.Error(err)
				return
			}
			if n[0] != 1 {
				t.Errorf("a key of its own: %d, want 1", n[0])
			}
			sums <- n[1]
		}()
	}
	wg.Wait()
	close(sums)
	var got []int64
	for n := range sums {
		got = append(got, n)
	}
	slices.Sort(got)
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("parallel adds saw %v; want 1 to %d, each once", got, parallel)
		}
	}
}
