package session

import (
	"context"
	"errors"
	"fmt"

	"foyer/storage"
)

// EndByID ends one session by its id, wherever it is used (the account
// portal's and the admin console's "sign out this device"). It returns the
// session that ended, or ErrNoSession when there is none.
func (m *Manager) EndByID(ctx context.Context, id string) (*storage.Session, error) {
	s, err := m.store.GetSession(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("session: get: %w", err)
	}
	if err := m.end(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// EndByAccount ends every session of the account except keepID (which may
// be empty) and returns how many ended. Each goes through the same path as
// a logout, so relying parties hear of every one.
func (m *Manager) EndByAccount(ctx context.Context, accountID, keepID string) (int, error) {
	list, err := m.store.ListSessionsByAccount(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("session: list: %w", err)
	}
	n := 0
	for i := range list {
		if list[i].ID == keepID {
			continue
		}
		if err := m.end(ctx, &list[i]); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// end deletes the session and, in the same transaction, queues a
// back-channel logout notice for every client that took part in it and
// registered a backchannel_logout_uri. Delivery happens later, from the
// outbox, so a slow relying party never holds up the user; the transaction
// means a notice exists exactly when the session is gone. A session that
// another request ended first is left to that request.
func (m *Manager) end(ctx context.Context, s *storage.Session) (err error) {
	tx, err := m.store.BeginTx(ctx)
	if err != nil {
		return fmt.Errorf("session: end: %w", err)
	}
	defer func() {
		if rbErr := m.store.Rollback(tx); rbErr != nil && err == nil {
			err = fmt.Errorf("session: end: %w", rbErr)
		}
	}()
	if err := m.EndInTx(tx, s); errors.Is(err, ErrNoSession) {
		return nil // ended concurrently; the rollback drops our notices
	} else if err != nil {
		return err
	}
	if err := m.store.Commit(tx); err != nil {
		return fmt.Errorf("session: end: %w", err)
	}
	return nil
}

// EndInTx ends s inside the transaction ctx carries, which the caller
// begun and commits: an administrator's "end this session" commits with
// its audit entry, or neither happens. It deletes the session and queues
// the back-channel logout notices exactly as a logout does. A session
// already gone is ErrNoSession (also storage.ErrNotFound, for callers
// that know only storage); the caller should roll back (the notices
// queued for it must not be sent twice).
func (m *Manager) EndInTx(ctx context.Context, s *storage.Session) error {
	if err := m.queueLogoutNotices(ctx, s); err != nil {
		return err
	}
	if err := m.store.DeleteSession(ctx, s.ID); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNoSession, storage.ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("session: delete: %w", err)
	}
	return nil
}

// EndAccountInTx ends every session of the account inside the caller's
// transaction (as EndInTx) and returns those it ended. One that another
// request ended meanwhile is skipped: its relying parties may then get a
// second logout token for it, which back-channel logout allows.
func (m *Manager) EndAccountInTx(ctx context.Context, accountID string) ([]storage.Session, error) {
	list, err := m.store.ListSessionsByAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	ended := list[:0]
	for i := range list {
		if err := m.EndInTx(ctx, &list[i]); errors.Is(err, ErrNoSession) {
			continue
		} else if err != nil {
			return nil, err
		}
		ended = append(ended, list[i])
	}
	return ended, nil
}

func (m *Manager) queueLogoutNotices(ctx context.Context, s *storage.Session) error {
	clientIDs, err := m.store.ClientsForSession(ctx, s.ID)
	if err != nil {
		return fmt.Errorf("session: clients of session: %w", err)
	}
	now := m.now().UTC()
	for _, id := range clientIDs {
		c, err := m.store.GetClient(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted since; nobody to tell
		}
		if err != nil {
			return fmt.Errorf("session: client %q: %w", id, err)
		}
		if c.BackchannelLogoutURI == "" {
			continue
		}
		n := &storage.LogoutNotice{SessionID: s.ID, AccountID: s.AccountID, ClientID: c.ID, NextAttemptAt: now}
		if err := m.store.EnqueueLogoutNotice(ctx, n); err != nil {
			return fmt.Errorf("session: queue logout notice: %w", err)
		}
	}
	return nil
}
