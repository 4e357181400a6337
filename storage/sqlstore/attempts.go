package sqlstore

import (
	"context"
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

// CountLoginAttempts counts a key's attempts since since, by the index on
// (attempt_key, at).
func (s *Store) CountLoginAttempts(ctx context.Context, key string, since time.Time) (int64, error) {
	var n int64
	err := s.db(ctx).Raw(`SELECT COUNT(*) FROM login_attempts WHERE attempt_key = ? AND at >= ?`, key, dbTime(since)).Scan(&n).Error
	if err != nil {
		return 0, wrapErr(err, "count login attempts")
	}
	return n, nil
}

// ClearLoginAttempts forgets a key's attempts.
func (s *Store) ClearLoginAttempts(ctx context.Context, key string) error {
	return wrapErr(s.db(ctx).Exec(`DELETE FROM login_attempts WHERE attempt_key = ?`, key).Error, "clear login attempts")
}

// PurgeExpired deletes what expired, table by table, each by an index on
// its expiry.
func (s *Store) PurgeExpired(ctx context.Context, now, attemptsBefore time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM interactions WHERE expires_at < ?`, now},
		{`DELETE FROM sessions WHERE expires_at < ?`, now},
		{`DELETE FROM client_assertion_jtis WHERE expires_at < ?`, now},
		{`DELETE FROM login_attempts WHERE at < ?`, attemptsBefore},
		{`DELETE FROM one_time_secrets WHERE expires_at < ?`, now},
		{`DELETE FROM upstream_attempts WHERE expires_at < ?`, now},
		{`DELETE FROM initial_access_tokens WHERE expires_at < ? OR remaining_uses <= 0`, now},
		// No activation link for these can still be valid: registrations
		// never completed, which would otherwise hold the address forever.
		{`DELETE FROM accounts WHERE status = 'pending' AND created_at < ?`, now.Add(-storage.MaxActivationLinkLifetime)},
	} {
		res := s.db(ctx).Exec(q.sql, dbTime(q.at))
		if res.Error != nil {
			return total, wrapErr(res.Error, "purge expired")
		}
		total += res.RowsAffected
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
