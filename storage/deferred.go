package storage

import (
	"context"
	"time"
)

// DeferredRequest is self-service work queued by a request and done by a
// worker: whatever depends on whether an identifier names an account
// (lookups, throttles, secrets, messages). A request queues one row for a
// known and for an unknown identifier alike, so its statements, and
// therefore its timing, say nothing about the account. Payload is the
// flow's JSON (never a plaintext password). Rows are leased like the
// outboxes: LockedUntil holds a row against other nodes.
type DeferredRequest struct {
	ID            string
	Kind          string // e.g. "reset", "phone_switch", "username_reminder", "registration"
	Payload       string
	Attempts      int // failed runs so far
	NextAttemptAt time.Time
	LockedUntil   *time.Time
	LastError     string
	CreatedAt     time.Time
}

// DeferredRequests is the queue of deferred self-service work.
type DeferredRequests interface {
	// EnqueueDeferredRequest inserts d, filling in ID, CreatedAt and (to
	// CreatedAt) NextAttemptAt when empty.
	EnqueueDeferredRequest(ctx context.Context, d *DeferredRequest) error
	// ClaimDeferredRequests locks up to limit rows due at now and not
	// locked by anyone, until now+lease, and returns them, oldest due
	// first. It is atomic across nodes: a row is claimed by one caller.
	ClaimDeferredRequests(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]DeferredRequest, error)
	// DeleteDeferredRequest removes a processed row; ErrNotFound when it
	// is gone (another node finished it). Called in the transaction that
	// did the row's work, it makes that work happen once.
	DeleteDeferredRequest(ctx context.Context, id string) error
	// FailDeferredRequest counts a failed run, keeps the error, releases
	// the lock and schedules the next run; ErrNotFound when there is no
	// such row.
	FailDeferredRequest(ctx context.Context, id string, next time.Time, lastError string) error
	// CountDeferredRequests returns how many rows wait, leased or not.
	CountDeferredRequests(ctx context.Context) (int64, error)
}
