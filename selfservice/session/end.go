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

// EndAllInTx ends every session of the account inside the caller's
// transaction, which ctx carries (the store refuses a nested one): the
// admin console's disable, delete and "end sessions" commit the status
// change, the audit entry and the ended sessions with their back-channel
// logout notices together or not at all. It returns how many ended.
func (m *Manager) EndAllInTx(ctx context.Context, accountID string) (int, error) {
	list, err := m.store.ListSessionsByAccount(ctx, accountID)
	if err != nil {
		return 0, fmt.Errorf("session: list: %w", err)
	}
	n := 0
	for i := range list {
		ended, err := m.endIn(ctx, &list[i])
		if err != nil {
			return n, err
		}
		if ended {
			n++
		}
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
	if _, err := m.endIn(tx, s); err != nil {
		return err
	}
	if err := m.store.Commit(tx); err != nil {
		return fmt.Errorf("session: end: %w", err)
	}
	return nil
}

// endIn deletes the session and queues its notices in the transaction ctx
// carries, and reports whether it ended it (false: another request did
// first, and that request tells the clients). The clients are read before
// the delete, which forgets the recorded ones.
func (m *Manager) endIn(ctx context.Context, s *storage.Session) (bool, error) {
	clientIDs, err := m.store.ClientsForSession(ctx, s.ID)
	if err != nil {
		return false, fmt.Errorf("session: clients of session: %w", err)
	}
	if err := m.store.DeleteSession(ctx, s.ID); errors.Is(err, storage.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("session: delete: %w", err)
	}
	return true, m.queueLogoutNotices(ctx, s, clientIDs)
}

func (m *Manager) queueLogoutNotices(ctx context.Context, s *storage.Session, clientIDs []string) error {
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
