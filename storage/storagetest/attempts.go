package storagetest

import (
	"sync"
	"testing"
	"time"

	"foyer/storage"
)

func testLoginAttempts(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	key, other := unique("key"), unique("key")
	for i, at := range []time.Time{now.Add(-time.Hour), now.Add(-time.Minute), now} {
		n, err := s.RecordLoginAttempt(ctx, key, at, now.Add(-15*time.Minute))
		must(t, "RecordLoginAttempt", err)
		if want := int64(i); n != want {
			t.Fatalf("attempt %d: count %d, want %d (the hour-old one is outside the window)", i, n, want)
		}
	}
	windows := []storage.AttemptLimit{{Key: key, Since: now.Add(-15 * time.Minute), Max: 10}, {Key: key, Since: now.Add(-2 * time.Hour), Max: 10},
		{Key: other, Since: now.Add(-time.Hour), Max: 10}}
	for _, when := range []string{"", " again (counting must store nothing)"} {
		n := tallyCounts(t, s, windows...)
		if len(n) != 3 || n[0] != 2 || n[1] != 3 || n[2] != 0 {
			t.Fatalf("TallyAttemptWindows%s: %v; want [2 3 0] (2 within 15 minutes, 3 within 2 hours, none of the other key)", when, n)
		}
	}
	if n, err := s.RecordLoginAttempt(ctx, other, now, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("another key: %d, %v; keys must not share counts", n, err)
	}
	must(t, "ClearLoginAttempts", s.ClearLoginAttempts(ctx, key))
	if n, err := s.RecordLoginAttempt(ctx, key, now, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("after clearing: %d, %v; want 1", n, err)
	}

	// Of parallel attempts, the n-th stored sees at least n: no more than
	// `limit` of them can see a count within the limit.
	const parallel, limit = 16, 5
	burst := unique("burst")
	counts := make(chan int64, parallel)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.RecordLoginAttempt(ctx, burst, time.Now().UTC(), now.Add(-time.Hour))
			if err != nil {
				t.Error(err)
			}
			counts <- n
		}()
	}
	wg.Wait()
	close(counts)
	within := 0
	for n := range counts {
		if n <= limit {
			within++
		}
	}
	if within > limit {
		t.Fatalf("%d of %d parallel attempts saw a count within %d", within, parallel, limit)
	}
}

func testPurgeExpired(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	for _, in := range []*storage.Interaction{
		{ID: unique("old"), ClientID: "c", ExpiresAt: now.Add(-time.Minute)},
		{ID: unique("live"), ClientID: "c", ExpiresAt: now.Add(time.Minute)},
	} {
		must(t, "CreateInteraction", s.CreateInteraction(ctx, in))
	}
	oldSession := &storage.Session{ID: unique("old"), AccountID: "a", AuthTime: now, ExpiresAt: now.Add(-time.Minute)}
	liveSession := &storage.Session{ID: unique("live"), AccountID: "a", AuthTime: now, ExpiresAt: now.Add(time.Hour)}
	must(t, "CreateSession", s.CreateSession(ctx, oldSession))
	must(t, "CreateSession", s.CreateSession(ctx, liveSession))
	must(t, "UseClientAssertionJTI", s.UseClientAssertionJTI(ctx, unique("jti"), now.Add(-time.Minute)))
	key := unique("key")
	_, err := s.RecordLoginAttempt(ctx, key, now.Add(-48*time.Hour), now.Add(-72*time.Hour))
	must(t, "RecordLoginAttempt", err)
	counter := unique("counter")
	oldBucket, liveBucket := now.Add(-storage.MaxCounterWindow-time.Minute).Truncate(counterWidth), now.Truncate(counterWidth)
	for _, b := range []time.Time{oldBucket, liveBucket} {
		_, err := s.AddToCounters(ctx, b, b, counter)
		must(t, "AddToCounters", err)
	}

	is := &storage.IdentityStore{ID: unique("is"), Name: "Purge"}
	must(t, "CreateIdentityStore", s.CreateIdentityStore(ctx, is))
	old := now.Add(-storage.MaxActivationLinkLifetime - time.Hour)
	abandoned := &storage.Account{StoreID: is.ID, Status: storage.AccountPending, Email: unique("a") + "@example.com", CreatedAt: old}
	waiting := &storage.Account{StoreID: is.ID, Status: storage.AccountPending, Email: unique("w") + "@example.com", CreatedAt: now}
	veteran := &storage.Account{StoreID: is.ID, Status: storage.AccountEnabled, Email: unique("v") + "@example.com", CreatedAt: old}
	for _, a := range []*storage.Account{abandoned, waiting, veteran} {
		must(t, "CreateAccount", s.CreateAccount(ctx, a))
	}

	// Batches of one row per table: several rounds, each bounded, until
	// one comes back empty.
	var n int64
	for round := 1; ; round++ {
		got, err := s.PurgeExpired(ctx, now, now.Add(-24*time.Hour), 1)
		must(t, "PurgeExpired", err)
		if got > 9 {
			t.Fatalf("round %d removed %d rows, more than one per table", round, got)
		}
		if n += got; got == 0 || round > 1000 {
			break
		}
	}
	if n < 5 {
		t.Fatalf("PurgeExpired removed %d rows, want at least the 5 expired ones", n)
	}
	if _, err := s.GetSession(ctx, oldSession.ID); err == nil {
		t.Error("expired session survived")
	}
	if _, err := s.GetSession(ctx, liveSession.ID); err != nil {
		t.Errorf("live session purged: %v", err)
	}
	if n, _ := s.RecordLoginAttempt(ctx, key, now, now.Add(-72*time.Hour)); n != 1 {
		t.Errorf("old login attempt survived the purge: count %d", n)
	}
	if buckets, err := s.ListCounterBuckets(ctx, counter, time.Time{}); err != nil || len(buckets) != 1 || !buckets[0].Bucket.Equal(liveBucket) {
		t.Errorf("counter buckets after the purge: %+v, %v; want the live one alone", buckets, err)
	}
	if _, err := s.GetAccount(ctx, abandoned.ID); err == nil {
		t.Error("a pending account older than any activation link survived the purge")
	}
	for _, a := range []*storage.Account{waiting, veteran} {
		if _, err := s.GetAccount(ctx, a.ID); err != nil {
			t.Errorf("account %s (%s) purged: %v", a.Email, a.Status, err)
		}
	}
}

func testLeases(t *testing.T, s storage.Store) {
	ctx := t.Context()
	name, now := unique("lease"), time.Now().UTC()
	for _, c := range []struct {
		holder string
		at     time.Time
		want   bool
	}{
		{"node-a", now, true},                       // free
		{"node-b", now.Add(time.Minute), false},     // held by a
		{"node-a", now.Add(time.Minute), true},      // a renews, until +6 min
		{"node-b", now.Add(5 * time.Minute), false}, // still a's
		{"node-b", now.Add(6 * time.Minute), true},  // expired: b takes it
		{"node-a", now.Add(7 * time.Minute), false}, // now b's
	} {
		got, err := s.TryLease(ctx, name, c.holder, c.at, 5*time.Minute)
		must(t, "TryLease", err)
		if got != c.want {
			t.Errorf("TryLease(%s at +%v) = %v, want %v", c.holder, c.at.Sub(now), got, c.want)
		}
	}
}

// RecordAttempts stores one attempt per key and counts each key's window,
// the new one included, in one call.
func testRecordAttempts(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC()
	a, b := unique("rec"), unique("rec")
	_, err := s.RecordLoginAttempt(ctx, a, now.Add(-30*time.Second), now.Add(-time.Hour))
	must(t, "RecordLoginAttempt", err)
	_, err = s.RecordLoginAttempt(ctx, a, now.Add(-time.Hour), now.Add(-time.Hour))
	must(t, "RecordLoginAttempt", err)
	n, err := s.RecordAttempts(ctx, now, now.Add(-time.Minute), a, b)
	must(t, "RecordAttempts", err)
	if len(n) != 2 || n[0] != 2 || n[1] != 1 {
		t.Fatalf("RecordAttempts: %v; want [2 1] (a: the one within the minute and this; b: this)", n)
	}
	n, err = s.RecordAttempts(ctx, now, now.Add(-time.Minute), b, a)
	must(t, "RecordAttempts", err)
	if len(n) != 2 || n[0] != 2 || n[1] != 3 {
		t.Fatalf("RecordAttempts again, keys swapped: %v; want [2 3] in the keys' order", n)
	}
	c := tallyCounts(t, s, storage.AttemptLimit{Key: a, Since: now.Add(-2 * time.Hour), Max: 10}, storage.AttemptLimit{Key: b, Since: now, Max: 10})
	if c[0] != 4 || c[1] != 2 {
		t.Fatalf("after RecordAttempts: %v; want [4 2]: each call stored one attempt per key", c)
	}
	if _, err := s.RecordAttempts(ctx, now, now); err != nil {
		t.Fatalf("RecordAttempts without keys: %v", err)
	}
}

// TallyAttemptWindows counts each window and names the attempt that holds
// a full one, to the microsecond, storing nothing; ClearLoginAttempts
// forgets several keys at once and no other.
func testTallyAttemptWindows(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second).Add(123456 * time.Microsecond)
	key, other, kept := unique("tally"), unique("tally"), unique("tally")
	for _, ago := range []time.Duration{time.Hour, 10 * time.Minute, 5*time.Minute + 7*time.Microsecond, time.Minute, 0} {
		_, err := s.RecordLoginAttempt(ctx, key, now.Add(-ago), now)
		must(t, "RecordLoginAttempt", err)
	}
	_, err := s.RecordLoginAttempt(ctx, kept, now, now)
	must(t, "RecordLoginAttempt", err)
	windows := []storage.AttemptLimit{
		{Key: key, Since: now.Add(-15 * time.Minute), Max: 3}, // 4 within: the 3rd newest holds it
		{Key: key, Since: now.Add(-2 * time.Hour), Max: 10},   // 5 within: not full
		{Key: key, Since: now.Add(-2 * time.Hour), Max: 5},    // exactly full: the oldest holds it
		{Key: other, Since: now.Add(-time.Hour), Max: 1},      // nothing
	}
	want := []storage.AttemptTally{{Count: 4, HeldBy: now.Add(-5*time.Minute - 7*time.Microsecond)}, {Count: 5},
		{Count: 5, HeldBy: now.Add(-time.Hour)}, {Count: 0}}
	for _, when := range []string{"", " again (tallying must store nothing)"} {
		got, err := s.TallyAttemptWindows(ctx, windows...)
		must(t, "TallyAttemptWindows", err)
		if len(got) != len(want) {
			t.Fatalf("TallyAttemptWindows%s: %d tallies for %d windows", when, len(got), len(want))
		}
		for i := range want {
			if got[i].Count != want[i].Count || !got[i].HeldBy.Equal(want[i].HeldBy) {
				t.Errorf("TallyAttemptWindows%s, window %d: %+v, want %+v", when, i, got[i], want[i])
			}
		}
	}
	if _, err := s.TallyAttemptWindows(ctx, storage.AttemptLimit{Key: key, Since: now}); err == nil {
		t.Error("TallyAttemptWindows of a window allowing no attempt succeeded")
	}
	if got, err := s.TallyAttemptWindows(ctx); err != nil || len(got) != 0 {
		t.Errorf("TallyAttemptWindows without windows: %v, %v", got, err)
	}

	must(t, "ClearLoginAttempts", s.ClearLoginAttempts(ctx))
	_, err = s.RecordLoginAttempt(ctx, other, now, now)
	must(t, "RecordLoginAttempt", err)
	must(t, "ClearLoginAttempts", s.ClearLoginAttempts(ctx, key, other))
	got, err := s.TallyAttemptWindows(ctx, storage.AttemptLimit{Key: key, Since: time.Time{}, Max: 1},
		storage.AttemptLimit{Key: other, Since: time.Time{}, Max: 1}, storage.AttemptLimit{Key: kept, Since: time.Time{}, Max: 1})
	must(t, "TallyAttemptWindows", err)
	if got[0].Count != 0 || got[1].Count != 0 || got[2].Count != 1 || !got[2].HeldBy.Equal(now) {
		t.Fatalf("after clearing two keys: %+v; want both empty and the third key's attempt kept", got)
	}
}

// tallyCounts is the count of each window, from TallyAttemptWindows.
func tallyCounts(t *testing.T, s storage.Store, windows ...storage.AttemptLimit) []int64 {
	t.Helper()
	tallies, err := s.TallyAttemptWindows(t.Context(), windows...)
	must(t, "TallyAttemptWindows", err)
	counts := make([]int64, len(tallies))
	for i, tally := range tallies {
		counts[i] = tally.Count
	}
	return counts
}
