package selfservice

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"foyer/storage"
)

// TestInteractionWait: an address is held until enough of its oldest
// buckets leave the tier they fill that fewer than its budget remain, the
// longer of the two tiers when both are full. A bucket leaves whole, ten
// seconds after the start of the minute (or ten minutes) it began, so a
// hold errs towards lasting longer, by less than a bucket.
func TestInteractionWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 5, 0, time.UTC)
	at := func(hms string, n int64) storage.CounterBucket {
		b, err := time.Parse(time.DateTime, "2026-12-07 "+hms)
		if err != nil {
			t.Fatal(err)
		}
		return storage.CounterBucket{Bucket: b, N: n}
	}
	tenMinutes := []storage.CounterBucket{at("11:50:00", 1), at("11:51:00", 2)}
	for m := range 7 {
		tenMinutes = append(tenMinutes, at("11:5"+string(rune('2'+m))+":00", 4))
	}
	for name, tc := range map[string]struct {
		buckets []storage.CounterBucket
		want    time.Duration
	}{
		"within both tiers":   {[]storage.CounterBucket{at("11:59:50", 2)}, 0},
		"the minute's full":   {[]storage.CounterBucket{at("11:59:40", 1), at("11:59:50", 2)}, 45 * time.Second},
		"one bucket full":     {[]storage.CounterBucket{at("12:00:00", 3)}, 65 * time.Second},
		"one left the minute": {[]storage.CounterBucket{at("11:58:50", 1), at("11:59:30", 2)}, 0},
		// 11:59:00 holds submits up to 65 s old: the bucket still counts.
		"the bucket at the window's start counts": {[]storage.CounterBucket{at("11:59:00", 1), at("12:00:00", 2)}, 5 * time.Second},
		// 31 of 30: two buckets must leave.
		"ten minutes' full, overtaken": {tenMinutes, 65 * time.Second},
		"both full, the longer one": {append(slices.Clone(tenMinutes), at("11:59:40", 1), at("11:59:50", 2)),
			2*time.Minute + 5*time.Second},
	} {
		if got := waitFor(tc.buckets, 3, now); got != tc.want {
			t.Errorf("%s: wait %v, want %v", name, got, tc.want)
		}
	}
}

// counted is a call of AddToCounters.
type counted struct {
	bucket, since time.Time
	keys          []string
}

// budgetStore is the counters' side of Store, scripted.
type budgetStore struct {
	Store
	sums, added []int64
	buckets     []storage.CounterBucket
	sumErr      error
	addErr      error
	windows     []storage.CounterWindow
	addCalls    []counted
	listed      int
}

func (s *budgetStore) SumCounters(_ context.Context, windows ...storage.CounterWindow) ([]int64, error) {
	s.windows = windows
	return s.sums, s.sumErr
}

func (s *budgetStore) AddToCounters(_ context.Context, bucket, since time.Time, keys ...string) ([]int64, error) {
	s.addCalls = append(s.addCalls, counted{bucket, since, keys})
	return s.added, s.addErr
}

func (s *budgetStore) ListCounterBuckets(context.Context, string, time.Time) ([]storage.CounterBucket, error) {
	s.listed++
	return s.buckets, nil
}

// TestInteractionBudgetCalls: admitInteraction asks for the three windows
// from their first whole bucket, counts an admitted submit in the
// current bucket of both keys, counts no refused one, holds an
// overtaken one, and hands every storage error to its caller rather
// than admitting or refusing in silence.
func TestInteractionBudgetCalls(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 5, 0, time.UTC)
	bucket, minute, tenMinutes := now.Add(-5*time.Second), now.Add(-65*time.Second), now.Add(-10*time.Minute-5*time.Second)
	failed := errors.New("database down")
	for name, tc := range map[string]struct {
		store    budgetStore
		wait     time.Duration
		err      error
		counted  bool
		listings int
	}{
		"admitted":     {store: budgetStore{sums: []int64{2, 20, 5}, added: []int64{3, 6}}, counted: true},
		"address held": {store: budgetStore{sums: []int64{3, 3, 3}, buckets: []storage.CounterBucket{{Bucket: bucket, N: 3}}}, wait: 65 * time.Second, listings: 1},
		"ten minutes held": {store: budgetStore{sums: []int64{0, 30, 0},
			buckets: []storage.CounterBucket{{Bucket: tenMinutes, N: 28}, {Bucket: bucket.Add(-2 * time.Minute), N: 2}}},
			wait: 5 * time.Second, listings: 1},
		"global held":        {store: budgetStore{sums: []int64{0, 0, 10}}, wait: 65 * time.Second},
		"overtaken":          {store: budgetStore{sums: []int64{2, 2, 2}, added: []int64{4, 4}}, wait: 65 * time.Second, counted: true},
		"overtaken globally": {store: budgetStore{sums: []int64{0, 0, 9}, added: []int64{1, 11}}, wait: 65 * time.Second, counted: true},
		"the sum fails":      {store: budgetStore{sumErr: failed}, err: failed},
		"the add fails":      {store: budgetStore{sums: []int64{0, 0, 0}, addErr: failed}, err: failed, counted: true},
	} {
		h := &Handler{cfg: Config{Now: func() time.Time { return now }, AuthorizeLimits: AuthorizeLimits{PerAddress: 3, Global: 10}},
			store: &tc.store}
		r := httptest.NewRequest("POST", "/login", nil)
		wait, err := h.admitInteraction(t.Context(), r)
		if wait != tc.wait || !errors.Is(err, tc.err) {
			t.Errorf("%s: wait %v, error %v; want %v, %v", name, wait, err, tc.wait, tc.err)
		}
		address, global := authorizeAddressKey(r), authorizeGlobalKey()
		if want := []storage.CounterWindow{{Key: address, Since: minute}, {Key: address, Since: tenMinutes}, {Key: global, Since: minute}}; !slices.Equal(tc.store.windows, want) {
			t.Errorf("%s: summed %+v, want %+v", name, tc.store.windows, want)
		}
		switch {
		case !tc.counted && len(tc.store.addCalls) != 0:
			t.Errorf("%s: a refused submit was counted: %v", name, tc.store.addCalls)
		case tc.counted && (len(tc.store.addCalls) != 1 || !tc.store.addCalls[0].bucket.Equal(bucket) ||
			!tc.store.addCalls[0].since.Equal(minute) || !slices.Equal(tc.store.addCalls[0].keys, []string{address, global})):
			t.Errorf("%s: counted %v; want once, in bucket %v, the minute since %v, both keys", name, tc.store.addCalls, bucket, minute)
		}
		if tc.store.listed != tc.listings {
			t.Errorf("%s: %d listings, want %d", name, tc.store.listed, tc.listings)
		}
	}
}
