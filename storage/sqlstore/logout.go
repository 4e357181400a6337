package sqlstore

import (
	"context"
	"strings"
	"time"

	"foyer/storage"
)

// RecordSessionClient notes that the client took part in the session. The
// insert selects from sessions, so a session that has already ended records
// nothing (and no foreign-key error aborts the caller's transaction).
func (s *Store) RecordSessionClient(ctx context.Context, sessionID, clientID string) error {
	err := s.db(ctx).Exec(`INSERT INTO session_clients (session_id, client_id, created_at)
		SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)
		ON CONFLICT (session_id, client_id) DO NOTHING`, sessionID, clientID, now(), sessionID).Error
	return wrapErr(err, "record client %q in session", clientID)
}

// ClientsForSession returns the clients recorded for the session and those
// holding tokens issued under it, each once.
func (s *Store) ClientsForSession(ctx context.Context, sessionID string) ([]string, error) {
	var ids []string
	err := s.db(ctx).Raw(`SELECT client_id FROM session_clients WHERE session_id = ?
		UNION SELECT client_id FROM oauth2_tokens WHERE session_id = ? AND `+withSession+` AND client_id <> ''
		ORDER BY client_id`, sessionID, sessionID).Scan(&ids).Error
	if err != nil {
		return nil, wrapErr(err, "list clients of session")
	}
	return ids, nil
}

type logoutNoticeRow struct {
	ID            string     `gorm:"column:id;primaryKey"`
	SessionID     string     `gorm:"column:session_id"`
	AccountID     string     `gorm:"column:account_id"`
	ClientID      string     `gorm:"column:client_id"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt time.Time  `gorm:"column:next_attempt_at"`
	LockedUntil   *time.Time `gorm:"column:locked_until"`
	LastError     string     `gorm:"column:last_error"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
}

func (logoutNoticeRow) TableName() string { return "logout_notices" }

func (r *logoutNoticeRow) toStorage() storage.LogoutNotice {
	return storage.LogoutNotice{ID: r.ID, SessionID: r.SessionID, AccountID: r.AccountID, ClientID: r.ClientID,
		Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), LockedUntil: utcPtr(r.LockedUntil),
		LastError: r.LastError, CreatedAt: r.CreatedAt.UTC()}
}

// EnqueueLogoutNotice inserts n, filling in ID, CreatedAt and NextAttemptAt
// when empty.
func (s *Store) EnqueueLogoutNotice(ctx context.Context, n *storage.LogoutNotice) error {
	if n.ID == "" {
		n.ID = newID()
	}
	n.CreatedAt = orNow(n.CreatedAt)
	if n.NextAttemptAt.IsZero() {
		n.NextAttemptAt = n.CreatedAt
	}
	n.NextAttemptAt = dbTime(n.NextAttemptAt)
	n.LockedUntil = dbTimePtr(n.LockedUntil)
	row := logoutNoticeRow{ID: n.ID, SessionID: n.SessionID, AccountID: n.AccountID, ClientID: n.ClientID,
		Attempts: n.Attempts, NextAttemptAt: n.NextAttemptAt, LockedUntil: n.LockedUntil,
		LastError: n.LastError, CreatedAt: n.CreatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "enqueue logout notice")
}

// ClaimLogoutNotices leases due notices (claimDue).
func (s *Store) ClaimLogoutNotices(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]storage.LogoutNotice, error) {
	claimed, err := s.claimDue(ctx, "logout_notices", "", at, lease, limit)
	if err != nil {
		return nil, err
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	var rows []logoutNoticeRow
	if err := s.db(ctx).Where("id IN ?", claimed).Order("next_attempt_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "read claimed logout notices")
	}
	out := make([]storage.LogoutNotice, len(rows))
	for i := range rows {
		out[i] = rows[i].toStorage()
	}
	return out, nil
}

// DeleteLogoutNotice removes a notice that was delivered or given up.
func (s *Store) DeleteLogoutNotice(ctx context.Context, id string) error {
	return affected(s.db(ctx).Exec(`DELETE FROM logout_notices WHERE id = ?`, id), "delete logout notice")
}

// FailLogoutNotice records a failed attempt and releases the lease.
func (s *Store) FailLogoutNotice(ctx context.Context, id string, next time.Time, lastError string) error {
	return s.failLeased(ctx, "logout_notices", id, next, lastError)
}

// truncateText bounds stored error text, which may quote a remote server,
// cutting on a character boundary (PostgreSQL refuses broken UTF-8).
func truncateText(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "")
	}
	return strings.ToValidUTF8(s[:n], "")
}
