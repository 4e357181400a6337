package sqlstore

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type deferredRequestRow struct {
	ID            string     `gorm:"column:id;primaryKey"`
	Kind          string     `gorm:"column:kind"`
	Payload       string     `gorm:"column:payload"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt time.Time  `gorm:"column:next_attempt_at"`
	LockedUntil   *time.Time `gorm:"column:locked_until"`
	LastError     string     `gorm:"column:last_error"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
}

func (deferredRequestRow) TableName() string { return "deferred_requests" }

// EnqueueDeferredRequest inserts d, filling in ID, CreatedAt and
// NextAttemptAt when empty.
func (s *Store) EnqueueDeferredRequest(ctx context.Context, d *storage.DeferredRequest) error {
	if d.ID == "" {
		d.ID = newID()
	}
	d.CreatedAt = orNow(d.CreatedAt)
	if d.NextAttemptAt.IsZero() {
		d.NextAttemptAt = d.CreatedAt
	}
	d.NextAttemptAt = dbTime(d.NextAttemptAt)
	d.LockedUntil = dbTimePtr(d.LockedUntil)
	row := deferredRequestRow{ID: d.ID, Kind: d.Kind, Payload: d.Payload, Attempts: d.Attempts,
		NextAttemptAt: d.NextAttemptAt, LockedUntil: d.LockedUntil, LastError: d.LastError, CreatedAt: d.CreatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "enqueue deferred request")
}

// ClaimDeferredRequests leases due rows (claimDue).
func (s *Store) ClaimDeferredRequests(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]storage.DeferredRequest, error) {
	claimed, err := s.claimDue(ctx, "deferred_requests", "", at, lease, limit)
	if err != nil || len(claimed) == 0 {
		return nil, err
	}
	var rows []deferredRequestRow
	if err := s.db(ctx).Where("id IN ?", claimed).Order("next_attempt_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "read claimed deferred requests")
	}
	out := make([]storage.DeferredRequest, len(rows))
	for i, r := range rows {
		out[i] = storage.DeferredRequest{ID: r.ID, Kind: r.Kind, Payload: r.Payload, Attempts: r.Attempts,
			NextAttemptAt: r.NextAttemptAt.UTC(), LockedUntil: utcPtr(r.LockedUntil), LastError: r.LastError,
			CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// DeleteDeferredRequest removes a processed row.
func (s *Store) DeleteDeferredRequest(ctx context.Context, id string) error {
	return affected(s.db(ctx).Exec(`DELETE FROM deferred_requests WHERE id = ?`, id), "delete deferred request")
}

// FailDeferredRequest records a failed run and releases the lease.
func (s *Store) FailDeferredRequest(ctx context.Context, id string, next time.Time, lastError string) error {
	return s.failLeased(ctx, "deferred_requests", id, next, lastError)
}

// CountDeferredRequests counts the waiting rows.
func (s *Store) CountDeferredRequests(ctx context.Context) (int64, error) {
	var n int64
	err := s.db(ctx).Model(&deferredRequestRow{}).Count(&n).Error
	return n, wrapErr(err, "count deferred requests")
}

// registerStatementHook reports every statement GORM runs (WithStatementHook).
func registerStatementHook(gdb *gorm.DB, hook func(ctx context.Context, sql string)) error {
	report := func(db *gorm.DB) { hook(db.Statement.Context, db.Statement.SQL.String()) }
	cb := gdb.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("foyer:statement_hook", report),
		cb.Query().After("gorm:query").Register("foyer:statement_hook", report),
		cb.Update().After("gorm:update").Register("foyer:statement_hook", report),
		cb.Delete().After("gorm:delete").Register("foyer:statement_hook", report),
		cb.Row().After("gorm:row").Register("foyer:statement_hook", report),
		cb.Raw().After("gorm:raw").Register("foyer:statement_hook", report),
	} {
		if err != nil {
			return fmt.Errorf("register statement hook: %w", err)
		}
	}
	return nil
}
