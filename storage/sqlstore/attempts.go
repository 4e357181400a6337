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

// PurgeExpired deletes up to limit expired rows of each table, each batch
// picked by an index on its expiry and deleted by key, so no statement
// runs long or locks much however much has piled up.
func (s *Store) PurgeExpired(ctx context.Context, now, attemptsBefore time.Time, limit int) (int64, error) {
	var total int64
	full := false
	for _, q := range []struct {
		table, key, where string
		at                time.Time
	}{
		{"interactions", "id", "expires_at < ?", now},
		{"sessions", "id", "expires_at < ?", now},
		{"client_assertion_jtis", "jti", "expires_at < ?", now},
		{"login_attempts", "id", "at < ?", attemptsBefore},
		{"one_time_secrets", "id", "expires_at < ?", now},
		{"upstream_attempts", "state_hash", "expires_at < ?", now},
		{"initial_access_tokens", "id", "expires_at < ? OR remaining_uses <= 0", now},
		// No activation link for these can still be valid: registrations
		// never completed, which would otherwise hold the address forever.
		{"accounts", "id", "status = 'pending' AND created_at < ?", now.Add(-storage.MaxActivationLinkLifetime)},
	} {
		// Table, key and condition are this package's constants.
		res := s.db(ctx).Exec(`DELETE FROM `+q.table+` WHERE `+q.key+` IN
			(SELECT `+q.key+` FROM `+q.table+` WHERE `+q.where+` LIMIT ?)`, dbTime(q.at), limit)
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
