package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"foyer/storage"
)

type sessionRow struct {
	ID         string    `gorm:"column:id;primaryKey"`
	AccountID  string    `gorm:"column:account_id"`
	AuthTime   time.Time `gorm:"column:auth_time"`
	AMR        string    `gorm:"column:amr"`
	ACR        string    `gorm:"column:acr"`
	IP         string    `gorm:"column:ip"`
	UserAgent  string    `gorm:"column:user_agent"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	LastSeenAt time.Time `gorm:"column:last_seen_at"`
	ExpiresAt  time.Time `gorm:"column:expires_at"`
}

func (sessionRow) TableName() string { return "sessions" }

func (r *sessionRow) toStorage() (*storage.Session, error) {
	amr, err := decodeList[string](r.AMR, "sessions.amr")
	if err != nil {
		return nil, err
	}
	return &storage.Session{ID: r.ID, AccountID: r.AccountID, AuthTime: r.AuthTime.UTC(), AMR: amr,
		ACR: r.ACR, IP: r.IP, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// CreateSession inserts se, filling in ID, CreatedAt and LastSeenAt when
// empty.
func (s *Store) CreateSession(ctx context.Context, se *storage.Session) error {
	if se.ID == "" {
		se.ID = newID()
	}
	se.CreatedAt = orNow(se.CreatedAt)
	if se.LastSeenAt.IsZero() {
		se.LastSeenAt = se.CreatedAt
	}
	se.LastSeenAt = dbTime(se.LastSeenAt)
	se.AuthTime = dbTime(se.AuthTime)
	se.ExpiresAt = dbTime(se.ExpiresAt)
	row := sessionRow{ID: se.ID, AccountID: se.AccountID, AuthTime: se.AuthTime,
		AMR: encodeJSON(se.AMR, "[]"), ACR: se.ACR, IP: se.IP, UserAgent: se.UserAgent,
		CreatedAt: se.CreatedAt, LastSeenAt: se.LastSeenAt, ExpiresAt: se.ExpiresAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "create session")
}

// GetSession reads one session, expired or not: the caller decides.
func (s *Store) GetSession(ctx context.Context, id string) (*storage.Session, error) {
	var row sessionRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get session")
	}
	return row.toStorage()
}

// sessionAccountRow is a session with its account's columns, each
// selected as acct_ + its name (accountColumns).
type sessionAccountRow struct {
	Session sessionRow `gorm:"embedded"`
	Account accountRow `gorm:"embedded;embeddedPrefix:acct_"`
}

var accountColumns = sync.OnceValues(func() (string, error) {
	return prefixedColumns(&accountRow{}, "accounts", "acct_")
})

// GetSessionAccount reads a session and its account in one statement.
func (s *Store) GetSessionAccount(ctx context.Context, id string) (*storage.Session, *storage.Account, error) {
	acctCols, err := accountColumns()
	if err != nil {
		return nil, nil, err
	}
	var row sessionAccountRow
	err = s.db(ctx).Table("sessions").Select("sessions.*, "+acctCols).
		Joins("JOIN accounts ON accounts.id = sessions.account_id").
		Where("sessions.id = ?", id).Take(&row).Error
	if err != nil {
		return nil, nil, wrapErr(err, "get session and its account")
	}
	sess, err := row.Session.toStorage()
	if err != nil {
		return nil, nil, err
	}
	acct, err := row.Account.toStorage()
	if err != nil {
		return nil, nil, err
	}
	return sess, acct, nil
}

// TouchSession records activity.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	res := s.db(ctx).Exec(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`, dbTime(at), id)
	return affected(res, "touch session")
}

// DeleteSession ends one session; ErrNotFound when there was none.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return affected(s.db(ctx).Exec(`DELETE FROM sessions WHERE id = ?`, id), "delete session")
}

// ListSessionsByAccount returns an account's sessions, newest first.
func (s *Store) ListSessionsByAccount(ctx context.Context, accountID string) ([]storage.Session, error) {
	var rows []sessionRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list sessions of account %q", accountID)
	}
	out := make([]storage.Session, 0, len(rows))
	for i := range rows {
		se, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *se)
	}
	return out, nil
}

// DeleteSessionsByAccount ends every session of the account but keepID.
func (s *Store) DeleteSessionsByAccount(ctx context.Context, accountID, keepID string) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM sessions WHERE account_id = ? AND id <> ?`, accountID, keepID)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "delete sessions of account %q", accountID)
	}
	return res.RowsAffected, nil
}

type interactionRow struct {
	ID        string    `gorm:"column:id;primaryKey"`
	ClientID  string    `gorm:"column:client_id"`
	Request   string    `gorm:"column:request"`
	State     []byte    `gorm:"column:state"`
	SessionID string    `gorm:"column:session_id"`
	Browser   string    `gorm:"column:browser"`
	CreatedAt time.Time `gorm:"column:created_at"`
	ExpiresAt time.Time `gorm:"column:expires_at"`
}

func (interactionRow) TableName() string { return "interactions" }

// CreateInteraction inserts i, filling in ID and CreatedAt when empty.
func (s *Store) CreateInteraction(ctx context.Context, i *storage.Interaction) error {
	if i.ID == "" {
		i.ID = newID()
	}
	i.CreatedAt = orNow(i.CreatedAt)
	i.ExpiresAt = dbTime(i.ExpiresAt)
	row := interactionRow{ID: i.ID, ClientID: i.ClientID, Request: i.Request, State: i.State,
		SessionID: i.SessionID, Browser: i.Browser, CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "create interaction %q", i.ID)
}

// GetInteraction reads one interaction, expired or not.
func (s *Store) GetInteraction(ctx context.Context, id string) (*storage.Interaction, error) {
	var row interactionRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get interaction %q", id)
	}
	return &storage.Interaction{ID: row.ID, ClientID: row.ClientID, Request: row.Request, State: row.State,
		SessionID: row.SessionID, Browser: row.Browser, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// UpdateInteraction stores i.State and i.SessionID.
func (s *Store) UpdateInteraction(ctx context.Context, i *storage.Interaction) error {
	res := s.db(ctx).Exec(`UPDATE interactions SET state = ?, session_id = ? WHERE id = ? AND (session_id = '' OR session_id = ?)`,
		i.State, i.SessionID, i.ID, i.SessionID)
	if res.Error != nil || res.RowsAffected > 0 {
		return wrapErr(res.Error, "update interaction %q", i.ID)
	}
	if _, err := s.GetInteraction(ctx, i.ID); err != nil {
		return err
	}
	return fmt.Errorf("update interaction %q: finished with another session: %w", i.ID, storage.ErrConflict)
}

// DeleteInteraction removes one interaction; ErrNotFound when there was
// none.
func (s *Store) DeleteInteraction(ctx context.Context, id string) error {
	return affected(s.db(ctx).Exec(`DELETE FROM interactions WHERE id = ?`, id), "delete interaction %q", id)
}
