package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// AddToCounters upserts each key's bucket and returns its window's sum in
// the same statement. The row's own count comes from RETURNING n, the
// value the upsert left: on PostgreSQL a conflicting upsert waits for a
// parallel one's row lock and adds to its committed value, so parallel
// calls on one bucket see each other. The older buckets come from a
// subquery that leaves the current bucket out, as a subquery in RETURNING
// sees the table before the statement on PostgreSQL and after the row on
// SQLite.
func (s *Store) AddToCounters(ctx context.Context, bucket, since time.Time, keys ...string) ([]int64, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	// One order of rows for every caller, so parallel statements sharing
	// rows (the global key's) lock them in the same order.
	sorted := slices.Sorted(slices.Values(keys))
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return nil, fmt.Errorf("sqlstore: add to counters: key %q named twice", sorted[i])
		}
	}
	b := dbTime(bucket)
	values := make([]string, len(sorted))
	args := make([]any, 0, 2*len(sorted)+2)
	for i, k := range sorted {
		values[i] = "(?, ?, 1)"
		args = append(args, k, b)
	}
	args = append(args, dbTime(since), b)
	var rows []struct {
		Key string `gorm:"column:counter_key"`
		N   int64  `gorm:"column:n"`
	}
	err := s.db(ctx).Raw(`INSERT INTO attempt_counters (counter_key, bucket, n) VALUES `+strings.Join(values, ", ")+
		` ON CONFLICT (counter_key, bucket) DO UPDATE SET n = attempt_counters.n + 1
		RETURNING counter_key, n + (SELECT COALESCE(SUM(c.n), 0) FROM attempt_counters c
			WHERE c.counter_key = attempt_counters.counter_key AND c.bucket >= ? AND c.bucket < ?) AS n`, args...).
		Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "add to counters")
	}
	byKey := make(map[string]int64, len(rows))
	for _, r := range rows {
		byKey[r.Key] = r.N
	}
	sums := make([]int64, len(keys))
	for i, k := range keys {
		n, ok := byKey[k]
		if !ok {
			return nil, errors.New("sqlstore: add to counters: no count returned for a key")
		}
		sums[i] = n
	}
	return sums, nil
}

// SumCounters asks for each window's sum as a scalar subquery of one
// statement: each is a range of the primary key (counter_key, bucket) of
// at most window / width + 1 rows.
func (s *Store) SumCounters(ctx context.Context, windows ...storage.CounterWindow) ([]int64, error) {
	if len(windows) == 0 {
		return nil, nil
	}
	cols := make([]string, len(windows))
	args := make([]any, 0, 2*len(windows))
	for i, w := range windows {
		cols[i] = `(SELECT COALESCE(SUM(n), 0) FROM attempt_counters WHERE counter_key = ? AND bucket >= ?)`
		args = append(args, w.Key, dbTime(w.Since))
	}
	sums := make([]int64, len(windows))
	dest := make([]any, len(windows))
	for i := range sums {
		dest[i] = &sums[i]
	}
	if err := s.db(ctx).Raw(`SELECT `+strings.Join(cols, ", "), args...).Row().Scan(dest...); err != nil {
		return nil, wrapErr(err, "sum counters")
	}
	return sums, nil
}

// ListCounterBuckets reads a range of the primary key.
func (s *Store) ListCounterBuckets(ctx context.Context, key string, since time.Time) ([]storage.CounterBucket, error) {
	var rows []struct {
		Bucket time.Time `gorm:"column:bucket"`
		N      int64     `gorm:"column:n"`
	}
	err := s.db(ctx).Raw(`SELECT bucket, n FROM attempt_counters WHERE counter_key = ? AND bucket >= ? ORDER BY bucket`,
		key, dbTime(since)).Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list counter buckets")
	}
	out := make([]storage.CounterBucket, len(rows))
	for i, r := range rows {
		out[i] = storage.CounterBucket{Bucket: r.Bucket.UTC(), N: r.N}
	}
	return out, nil
}
