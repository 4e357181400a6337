package sqlstore

import (
	"context"
	"time"
)

// The queue tables (logout_notices, notifications, deferred_requests)
// share one leasing scheme: a row is due when next_attempt_at has come and
// no lease holds it; a worker claims it by setting locked_until, and a
// failure releases the lease with the next attempt's time.

// claimDue picks up to limit due rows of table (plus the condition extra,
// "" for none) and leases each with a conditional UPDATE: of several nodes
// racing for one row, only the one whose UPDATE matched (RowsAffected 1)
// has it. This works alike on SQLite and PostgreSQL, without SELECT ... FOR
// UPDATE SKIP LOCKED. It returns the claimed ids; table and extra are
// constants of this package, never input.
func (s *Store) claimDue(ctx context.Context, table, extra string, at time.Time, lease time.Duration, limit int) ([]string, error) {
	at = dbTime(at)
	until := dbTime(at.Add(lease))
	due := `next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)`
	if extra != "" {
		due = extra + " AND " + due
	}
	var ids []string
	err := s.db(ctx).Raw(`SELECT id FROM `+table+` WHERE `+due+` ORDER BY next_attempt_at, id LIMIT ?`, at, at, limit).Scan(&ids).Error
	if err != nil {
		return nil, wrapErr(err, "find due rows of %s", table)
	}
	var claimed []string
	for _, id := range ids {
		res := s.db(ctx).Exec(`UPDATE `+table+` SET locked_until = ?, locked_by = ? WHERE id = ? AND `+due, until, s.node, id, at, at)
		if res.Error != nil {
			return nil, wrapErr(res.Error, "claim row of %s", table)
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, id)
		}
	}
	return claimed, nil
}

// failLeased records a failed attempt at a row of table and releases its
// lease until next.
func (s *Store) failLeased(ctx context.Context, table, id string, next time.Time, lastError string) error {
	res := s.db(ctx).Exec(`UPDATE `+table+`
		SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, locked_until = NULL
		WHERE id = ?`, dbTime(next), truncateText(lastError, 1000), id)
	return affected(res, "record failed attempt at %s", table)
}

// leaseTables are the tables claimDue leases rows of.
var leaseTables = []string{"notifications", "logout_notices", "deferred_requests"}

// ReleaseNodeLeases implements storage.Janitor: the leases this node
// (WithNode) holds are ones its previous life took before it stopped —
// at start it holds none — so their rows are due again at once rather
// than after the lease. Without a node name it releases nothing.
func (s *Store) ReleaseNodeLeases(ctx context.Context) (int64, error) {
	if s.node == "" {
		return 0, nil
	}
	var n int64
	for _, table := range leaseTables {
		res := s.db(ctx).Exec(`UPDATE `+table+` SET locked_until = NULL, locked_by = '' WHERE locked_by = ? AND locked_until IS NOT NULL`, s.node)
		if res.Error != nil {
			return n, wrapErr(res.Error, "release this node's leases of %s", table)
		}
		n += res.RowsAffected
	}
	jobs, err := s.releaseNodeJobs(ctx)
	return n + jobs, err
}

// TryLease takes the named lease when it is free or expired, or renews
// it for its holder, in one conditional upsert: of several nodes racing,
// only the one whose statement changed the row holds it.
func (s *Store) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res := s.db(ctx).Exec(`INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until <= ? OR leases.holder = excluded.holder`,
		name, holder, dbTime(now.Add(ttl)), dbTime(now))
	if res.Error != nil {
		return false, wrapErr(res.Error, "take lease %q", name)
	}
	return res.RowsAffected == 1, nil
}
