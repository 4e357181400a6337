package sqlstore

import (
	"context"

	"foyer/storage"
)

// ListEventsPage returns up to limit of the account's events matching f,
// newest first by (created_at, seq), after f.Before. The index on
// (account_id, created_at, seq) serves the order and the keyset
// condition, so a late page costs what the first does; a kind filter is
// applied to the rows that index walks, which stays cheap for one
// account's log.
func (s *Store) ListEventsPage(ctx context.Context, accountID string, f storage.EventFilter, limit int) ([]storage.Event, error) {
	q := s.db(ctx).Where("account_id = ?", accountID)
	switch {
	case f.Kind == "":
	case f.KindPrefix():
		// substr, not LIKE: a kind may hold LIKE's wildcards, and they
		// must match only themselves.
		q = q.Where("substr(kind, 1, ?) = ?", len(f.Kind), f.Kind)
	default:
		q = q.Where("kind = ?", f.Kind)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", dbTime(f.Since))
	}
	if !f.Until.IsZero() {
		q = q.Where("created_at < ?", dbTime(f.Until))
	}
	if !f.Before.IsZero() {
		// A row value, not "created_at < ? OR (created_at = ? AND seq
		// < ?)": PostgreSQL turns only the row value into an index
		// condition (the OR was a filter over every newer event).
		q = q.Where("(created_at, seq) < (?, ?)", dbTime(f.Before.CreatedAt), f.Before.Seq)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []eventRow
	if err := q.Order("created_at DESC, seq DESC").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list events of account %q", accountID)
	}
	return eventsOf(rows)
}
