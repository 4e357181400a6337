package manage

import (
	"context"
	"encoding/json"
	"time"

	"foyer/storage"
)

// ActivityStore is what the Activity, Sessions and Consents tabs of an
// account read.
type ActivityStore interface {
	AccountGetter
	storage.EventPager
	ListAuditEntries(ctx context.Context, f storage.AuditFilter) ([]storage.AuditEntry, error)
	ListSessionsByAccount(ctx context.Context, accountID string) ([]storage.Session, error)
	GetSession(ctx context.Context, id string) (*storage.Session, error)
	ListConsents(ctx context.Context, accountID string) ([]storage.ConsentRecord, error)
	ListConsentEvents(ctx context.Context, accountID string) ([]storage.ConsentEvent, error)
}

// SessionEnder ends SSO sessions inside the caller's transaction, queuing
// the back-channel logout notice of every relying party that took part
// (selfservice/session's Manager), so the ending commits with its audit
// entry.
type SessionEnder interface {
	EndInTx(ctx context.Context, s *storage.Session) error
	EndAccountInTx(ctx context.Context, accountID string) ([]storage.Session, error)
}

// DeviceNamer names a session's browser, operating system and location
// as the account portal does (selfservice/device).
type DeviceNamer interface {
	Device(ua string) (browser, os string)
	Locate(ip string) string
}

// AccountActivity serves three tabs of an account's profile: its activity
// (the account's event log, and the support actions taken on it), its SSO
// sessions (listed and ended) and its consent log. Reading needs
// ReadAccounts on the account's store, ending sessions WriteAccounts.
type AccountActivity struct {
	core    *Core
	store   ActivityStore
	ender   SessionEnder
	devices DeviceNamer
}

// NewAccountActivity returns the service; devices may be nil (no browser,
// system or location shown).
func NewAccountActivity(core *Core, store ActivityStore, ender SessionEnder, devices DeviceNamer) *AccountActivity {
	return &AccountActivity{core: core, store: store, ender: ender, devices: devices}
}

// Activity paging limits.
const (
	defaultActivityLimit = 50
	maxActivityLimit     = 200
	maxKindLength        = 100
)

// ActivityQuery narrows and pages an account's events or support actions.
type ActivityQuery struct {
	// Kind is an event kind (or, for support actions, an audit action):
	// exact, or a prefix ending in "." ("login.").
	Kind string
	// Since keeps what happened at or after it, Until before it.
	Since, Until time.Time
	// After is the previous page's Page.Next ("" for the first page); it
	// holds the filter, so it only continues the same query.
	After string
	// Limit is the page size, 1 to 200 (0: 50).
	Limit int
}

// ActivityEvent is one entry of an account's event log.
type ActivityEvent struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Actor is who acted: the account's own id (the customer), another
	// account's, "system" or "self-service".
	Actor string            `json:"actor,omitempty"`
	IP    string            `json:"ip,omitempty"`
	Data  map[string]string `json:"data,omitempty"`
	// Browser and OS describe data's user_agent, when it has one.
	Browser   string    `json:"browser,omitempty"`
	OS        string    `json:"os,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// activityCursor is a page's position and the filter it belongs to.
type activityCursor struct {
	Kind  string    `json:"k,omitempty"`
	Since time.Time `json:"s,omitzero"`
	Until time.Time `json:"u,omitzero"`
	At    time.Time `json:"a,omitzero"`
	Seq   int64     `json:"q"`
}

func (c activityCursor) sameQuery(q ActivityQuery) bool {
	return c.Kind == q.Kind && c.Since.Equal(q.Since) && c.Until.Equal(q.Until)
}

// check validates q and returns its limit and the position its cursor
// carries.
func (q ActivityQuery) check() (int, activityCursor, error) {
	p := Problems{}
	if len(q.Kind) > maxKindLength {
		p.Add("kind", "at most 100 characters")
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Until.After(q.Since) {
		p.Add("until", "must be after since")
	}
	limit := q.Limit
	if limit == 0 {
		limit = defaultActivityLimit
	}
	if limit < 1 || limit > maxActivityLimit {
		p.Add("limit", "a whole number from 1 to 200")
	}
	var c activityCursor
	if q.After != "" {
		if err := json.Unmarshal([]byte(q.After), &c); err != nil || c.Seq < 1 || !c.sameQuery(q) {
			p.Add("cursor", "not a cursor of this list with these filters; start from the first page")
		}
	}
	return limit, c, p.Err()
}

// next is the cursor after the item at position (at, seq).
func (q ActivityQuery) next(at time.Time, seq int64) string {
	b, _ := json.Marshal(activityCursor{Kind: q.Kind, Since: q.Since, Until: q.Until, At: at, Seq: seq}) // plain fields always marshal
	return string(b)
}

// Events returns a page of the account's event log, newest first.
func (s *AccountActivity) Events(ctx context.Context, a Actor, storeID, accountID string, q ActivityQuery) (Page[ActivityEvent], error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return Page[ActivityEvent]{}, err
	}
	limit, c, err := q.check()
	if err != nil {
		return Page[ActivityEvent]{}, err
	}
	f := storage.EventFilter{Kind: q.Kind, Since: q.Since, Until: q.Until,
		Before: storage.EventPosition{CreatedAt: c.At, Seq: c.Seq}}
	events, err := s.store.ListEventsPage(ctx, acct.ID, f, limit+1)
	if err != nil {
		return Page[ActivityEvent]{}, err
	}
	var page Page[ActivityEvent]
	if len(events) > limit {
		events = events[:limit]
		last := events[limit-1]
		page.Next = q.next(last.CreatedAt, last.Seq)
	}
	page.Items = make([]ActivityEvent, len(events))
	for i, e := range events {
		page.Items[i] = ActivityEvent{ID: e.ID, Kind: e.Kind, Actor: e.Actor, IP: e.IP, Data: e.Data, CreatedAt: e.CreatedAt}
		if ua := e.Data["user_agent"]; ua != "" && s.devices != nil {
			page.Items[i].Browser, page.Items[i].OS = s.devices.Device(ua)
		}
	}
	return page, nil
}

// SupportAction is one audited change an administrator (or an admin
// client, or the system) made to the account.
type SupportAction struct {
	Seq       int64           `json:"seq"`
	Action    string          `json:"action"`
	ActorKind string          `json:"actor_kind"`
	ActorName string          `json:"actor_name,omitempty"`
	Role      string          `json:"role,omitempty"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// SupportActions returns a page of the audit entries about the account
// (target "account", the account's id), newest first; q.Kind filters by
// action ("account.disabled", or "account."). They are part of the
// account's history, so ReadAccounts on its store reads them, without
// ReadAudit: support staff see what colleagues did to the account they
// are helping with, not the rest of the log, and not the administrators'
// addresses and user agents the full entry holds.
func (s *AccountActivity) SupportActions(ctx context.Context, a Actor, storeID, accountID string, q ActivityQuery) (Page[SupportAction], error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return Page[SupportAction]{}, err
	}
	limit, c, err := q.check()
	if err != nil {
		return Page[SupportAction]{}, err
	}
	entries, err := s.store.ListAuditEntries(ctx, storage.AuditFilter{TargetType: "account", TargetID: acct.ID,
		Action: q.Kind, Since: q.Since, Until: q.Until, BeforeSeq: c.Seq, Limit: limit + 1})
	if err != nil {
		return Page[SupportAction]{}, err
	}
	var page Page[SupportAction]
	if len(entries) > limit {
		entries = entries[:limit]
		last := entries[limit-1]
		page.Next = q.next(time.Time{}, last.Seq)
	}
	page.Items = make([]SupportAction, len(entries))
	for i, e := range entries {
		r := RecordOf(e)
		page.Items[i] = SupportAction{Seq: e.Seq, Action: e.Action, ActorKind: r.ActorKind, ActorName: e.ActorName,
			Role: r.Role, Before: r.Before, After: r.After, CreatedAt: e.CreatedAt}
	}
	return page, nil
}
