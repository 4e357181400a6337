package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"foyer/storage"
	"foyer/storage/migrations"
)

// RecordLoginAttempt inserts, then counts: the count includes every
// attempt committed before it, so parallel attempts cannot all see a low
// number.
func (s *Store) RecordLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, error) {
	db := s.db(ctx)
	if err := db.Exec(`INSERT INTO login_attempts (attempt_key, at) VALUES (?, ?)`, key, dbTime(at)).Error; err != nil {
		return 0, wrapErr(err, "record login attempt")
	}
	var n int64
	err := db.Raw(`SELECT COUNT(*) FROM login_attempts WHERE attempt_key = ? AND at >= ?`, key, dbTime(since)).Scan(&n).Error
	if err != nil {
		return 0, wrapErr(err, "count login attempts")
	}
	return n, nil
}

// RecordAttempts inserts one row per key and counts each key's rows in
// the same statement. A subquery in RETURNING sees the table before the
// statement on PostgreSQL and with the row just inserted on SQLite: the
// PostgreSQL query adds that row itself.
func (s *Store) RecordAttempts(ctx context.Context, at, since time.Time, keys ...string) ([]int64, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	values := make([]string, len(keys))
	var args []any
	for i, k := range keys {
		values[i] = "(?, ?)"
		args = append(args, k, dbTime(at))
	}
	count := `(SELECT COUNT(*) FROM login_attempts l WHERE l.attempt_key = login_attempts.attempt_key AND l.at >= ?)`
	if s.dialect == migrations.Postgres {
		count += ` + 1`
	}
	var rows []struct {
		Key string `gorm:"column:attempt_key"`
		N   int64  `gorm:"column:n"`
	}
	err := s.db(ctx).Raw(`INSERT INTO login_attempts (attempt_key, at) VALUES `+strings.Join(values, ", ")+
		` RETURNING attempt_key, `+count+` AS n`, append(args, dbTime(since))...).Scan(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "record attempts")
	}
	byKey := make(map[string]int64, len(rows))
	for _, r := range rows {
		byKey[r.Key] = r.N
	}
	counts := make([]int64, len(keys))
	for i, k := range keys {
		counts[i] = byKey[k]
	}
	return counts, nil
}

// TallyAttemptWindows asks for each window's count and Max-th newest
// attempt as scalar subqueries of one statement: each is a range of the
// index on (attempt_key, at), and PostgreSQL runs them as init plans,
// without a join to plan.
func (s *Store) TallyAttemptWindows(ctx context.Context, windows ...storage.AttemptLimit) ([]storage.AttemptTally, error) {
	if len(windows) == 0 {
		return nil, nil
	}
	cols := make([]string, 0, 2*len(windows))
	var args []any
	for _, w := range windows {
		if w.Max < 1 {
			return nil, fmt.Errorf("sqlstore: tally attempt windows: a window allows %d attempts, want at least 1", w.Max)
		}
		cols = append(cols, `(SELECT COUNT(*) FROM login_attempts WHERE attempt_key = ? AND at >= ?)`,
			`(SELECT at FROM login_attempts WHERE attempt_key = ? AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?)`)
		args = append(args, w.Key, dbTime(w.Since), w.Key, dbTime(w.Since), w.Max-1)
	}
	counts, heldBy := make([]int64, len(windows)), make([]any, len(windows))
	dest := make([]any, 0, len(cols))
	for i := range windows {
		dest = append(dest, &counts[i], &heldBy[i])
	}
	if err := s.db(ctx).Raw(`SELECT `+strings.Join(cols, ", "), args...).Row().Scan(dest...); err != nil {
		return nil, wrapErr(err, "tally attempt windows")
	}
	out := make([]storage.AttemptTally, len(windows))
	for i := range windows {
		at, err := subqueryTime(heldBy[i])
		if err != nil {
			return nil, fmt.Errorf("sqlstore: tally attempt windows: %w", err)
		}
		out[i] = storage.AttemptTally{Count: counts[i], HeldBy: at}
	}
	return out, nil
}

// sqliteTimeLayout is how the SQLite driver writes a time.Time.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// subqueryTime reads a time a scalar subquery returned (zero for NULL).
// PostgreSQL's driver gives a time.Time; SQLite's gives the text it
// stored, as a column's declared type does not survive a subquery.
func subqueryTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v.UTC(), nil
	case string:
		t, err := time.Parse(sqliteTimeLayout, v)
		return t.UTC(), err
	case []byte:
		t, err := time.Parse(sqliteTimeLayout, string(v))
		return t.UTC(), err
	}
	return time.Time{}, fmt.Errorf("a time of type %T", v)
}

// ClearLoginAttempts forgets the keys' attempts.
func (s *Store) ClearLoginAttempts(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return wrapErr(s.db(ctx).Exec(`DELETE FROM login_attempts WHERE attempt_key IN ?`, keys).Error, "clear login attempts")
}

// PurgeExpired deletes up to limit expired rows of each table, each batch
// picked by an index on its expiry and deleted by key, so no statement
// runs long or locks much however much has piled up.
func (s *Store) PurgeExpired(ctx context.Context, now, attemptsBefore time.Time, limit int) (int64, error) {
	var total int64
	full := false
	for _, q := range []struct {
		// key is what the DELETE matches; pick, when it differs, the
		// columns the batch selects for it (a composite key).
		table, key, pick, where string
		at                      time.Time
	}{
		{"interactions", "id", "", "expires_at < ?", now},
		{"sessions", "id", "", "expires_at < ?", now},
		{"client_assertion_jtis", "jti", "", "expires_at < ?", now},
		{"login_attempts", "id", "", "at < ?", attemptsBefore},
		{"attempt_counters", "(counter_key, bucket)", "counter_key, bucket", "bucket < ?", now.Add(-storage.MaxCounterWindow)},
		{"one_time_secrets", "id", "", "expires_at < ?", now},
		{"upstream_attempts", "state_hash", "", "expires_at < ?", now},
		{"initial_access_tokens", "id", "", "expires_at < ? OR remaining_uses <= 0", now},
		// No activation link for these can still be valid: registrations
		// never completed, which would otherwise hold the address forever.
		{"accounts", "id", "", "status = 'pending' AND created_at < ?", now.Add(-storage.MaxActivationLinkLifetime)},
	} {
		pick := q.pick
		if pick == "" {
			pick = q.key
		}
		// Table, key and condition are this package's constants.
		res := s.db(ctx).Exec(`DELETE FROM `+q.table+` WHERE `+q.key+` IN
			(SELECT `+pick+` FROM `+q.table+` WHERE `+q.where+` LIMIT ?)`, dbTime(q.at), limit)
		if res.Error != nil {
			return total, wrapErr(res.Error, "purge expired %s", q.table)
		}
		total += res.RowsAffected
		full = full || res.RowsAffected >= int64(limit)
	}
	if full {
		return total, nil // the caller comes back for the rest first
	}
	return total, s.truncateWAL(ctx)
}

// truncateWAL, on SQLite, copies the write-ahead log into the database and
// empties it. SQLite's automatic checkpoints reuse the log but never
// shrink it, so one burst of writes (a flood of authorization requests)
// would hold its size on disk for good once the rows are purged. A
// checkpoint that readers keep from finishing is no failure: the next
// purge tries again.
func (s *Store) truncateWAL(ctx context.Context) error {
	if s.dialect != migrations.SQLite {
		return nil
	}
	var busy, logFrames, checkpointed int64
	row := s.sqlDB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	if err := row.Scan(&busy, &logFrames, &checkpointed); err != nil {
		return wrapErr(err, "checkpoint the write-ahead log")
	}
	return nil
}
