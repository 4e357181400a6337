package manage

import (
	"context"
	"errors"
	"slices"
	"time"

	"foyer/storage"
)

// ErrNoSessionEnder: the service was built without a SessionEnder (a
// test that only reads).
var ErrNoSessionEnder = errors.New("manage: no session ender configured")

// AccountSession is one SSO session of an account, described as the
// account portal describes it to its owner.
type AccountSession struct {
	ID       string `json:"id"`
	Browser  string `json:"browser,omitempty"`
	OS       string `json:"os,omitempty"`
	Location string `json:"location,omitempty"`
	IP       string `json:"ip,omitempty"`
	// SignedInAt is when the customer authenticated, LastSeenAt the last
	// request the session served (recorded at most once a minute).
	SignedInAt time.Time `json:"signed_in_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Methods are how the customer authenticated (amr: pwd, otp, hwk...).
	Methods []string `json:"methods,omitempty"`
}

// Sessions returns the account's live SSO sessions, most recently used
// first. Expired ones (not yet swept) are left out: they sign nobody in.
func (s *AccountActivity) Sessions(ctx context.Context, a Actor, storeID, accountID string) ([]AccountSession, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.ListSessionsByAccount(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	now := s.core.Now()
	out := make([]AccountSession, 0, len(list))
	for _, ss := range list {
		if !now.Before(ss.ExpiresAt) {
			continue
		}
		out = append(out, s.describe(ss))
	}
	slices.SortStableFunc(out, func(x, y AccountSession) int { return y.LastSeenAt.Compare(x.LastSeenAt) })
	return out, nil
}

func (s *AccountActivity) describe(ss storage.Session) AccountSession {
	v := AccountSession{ID: ss.ID, IP: ss.IP, SignedInAt: ss.AuthTime, LastSeenAt: ss.LastSeenAt,
		ExpiresAt: ss.ExpiresAt, Methods: ss.AMR}
	if s.devices != nil {
		v.Browser, v.OS = s.devices.Device(ss.UserAgent)
		v.Location = s.devices.Locate(ss.IP)
	}
	return v
}

// sessionAudit is what the audit entry says of an ended session (no
// cookie: the id is the cookie's hash, and the user agent is described).
type sessionAudit struct {
	ID       string    `json:"session_id"`
	Browser  string    `json:"browser,omitempty"`
	OS       string    `json:"os,omitempty"`
	IP       string    `json:"ip,omitempty"`
	SignedIn time.Time `json:"signed_in_at"`
}

func (s *AccountActivity) auditOf(ss storage.Session) sessionAudit {
	d := s.describe(ss)
	return sessionAudit{ID: ss.ID, Browser: d.Browser, OS: d.OS, IP: ss.IP, SignedIn: ss.AuthTime}
}

// EndSession ends one session of the account, as the customer's "sign
// out this device" would: the browser must sign in again, and every
// relying party that registered a back-channel logout URI is told (the
// notice is queued in the same transaction as the deletion and the audit
// entry account.session_ended). A session of another account, or none,
// is ErrNotFound and changes nothing.
func (s *AccountActivity) EndSession(ctx context.Context, a Actor, storeID, accountID, sessionID string) error {
	acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return err
	}
	if s.ender == nil {
		return ErrNoSessionEnder
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		ss, err := s.store.GetSession(ctx, sessionID)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && ss.AccountID != acct.ID) {
			return Change{}, ErrNotFound
		}
		if err != nil {
			return Change{}, err
		}
		// A session another request ended meanwhile is not found (the
		// rollback drops the notices queued for it).
		if err := s.ender.EndInTx(ctx, ss); err != nil {
			return Change{}, err
		}
		return Change{Action: "account.session_ended", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
			Before: s.auditOf(*ss)}, nil
	})
}

// EndSessions ends every session of the account (as EndSession, in one
// transaction with one audit entry, account.sessions_ended) and returns
// how many ended; none is no change and writes no entry.
func (s *AccountActivity) EndSessions(ctx context.Context, a Actor, storeID, accountID string) (int, error) {
	acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return 0, err
	}
	if s.ender == nil {
		return 0, ErrNoSessionEnder
	}
	n := 0
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		ended, err := s.ender.EndAccountInTx(ctx, acct.ID)
		if err != nil {
			return Change{}, err
		}
		n = len(ended)
		if n == 0 {
			return Change{}, nil
		}
		gone := make([]sessionAudit, len(ended))
		for i, ss := range ended {
			gone[i] = s.auditOf(ss)
		}
		return Change{Action: "account.sessions_ended", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
			Before: map[string]any{"sessions": gone}, After: map[string]any{"sessions": []sessionAudit{}}}, nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
