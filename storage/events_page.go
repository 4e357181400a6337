package storage

import (
	"context"
	"strings"
	"time"
)

// EventFilter narrows ListEventsPage; zero fields match everything.
type EventFilter struct {
	// Kind is an event kind, exact ("login.failed"), or a prefix when it
	// ends in "." ("login."). Its characters are taken literally: a kind
	// holding "%" or "_" matches only itself.
	Kind string
	// Since keeps events at or after it, Until those before it.
	Since time.Time
	Until time.Time
	// Before continues a listing: only events that come after this
	// position in the newest-first order (the Position of the last event
	// of the previous page). Zero starts at the newest.
	Before EventPosition
}

// KindPrefix reports whether f.Kind is a prefix ("login.") rather than
// one exact kind.
func (f EventFilter) KindPrefix() bool { return strings.HasSuffix(f.Kind, ".") }

// EventPosition is an event's place in an account's log: its time, then
// its append order (Seq), which is unique, so events of the same
// microsecond still page without gaps or repeats.
type EventPosition struct {
	CreatedAt time.Time
	Seq       int64
}

// IsZero reports whether p is the start of the log (no position).
func (p EventPosition) IsZero() bool { return p.Seq == 0 && p.CreatedAt.IsZero() }

// Position is where e sits in its account's log.
func (e Event) Position() EventPosition { return EventPosition{CreatedAt: e.CreatedAt, Seq: e.Seq} }

// EventPager reads an account's activity log a page at a time (the
// admin console's Activity tab and API).
type EventPager interface {
	// ListEventsPage returns up to limit of the account's events matching
	// f, newest first (time, then append order), after f.Before. The
	// position of the last one continues the listing.
	ListEventsPage(ctx context.Context, accountID string, f EventFilter, limit int) ([]Event, error)
}
