package sqlstore

import (
	"context"
	"time"

	"foyer/storage"
)

type notificationRow struct {
	ID            string     `gorm:"column:id;primaryKey"`
	Channel       string     `gorm:"column:channel"`
	Recipient     string     `gorm:"column:recipient"`
	Subject       string     `gorm:"column:subject"`
	BodyText      string     `gorm:"column:body_text"`
	BodyHTML      string     `gorm:"column:body_html"`
	AccountID     string     `gorm:"column:account_id"`
	Kind          string     `gorm:"column:kind"`
	Attempts      int        `gorm:"column:attempts"`
	NextAttemptAt time.Time  `gorm:"column:next_attempt_at"`
	LockedUntil   *time.Time `gorm:"column:locked_until"`
	LastError     string     `gorm:"column:last_error"`
	SentAt        *time.Time `gorm:"column:sent_at"`
	CreatedAt     time.Time  `gorm:"column:created_at"`
}

func (notificationRow) TableName() string { return "notifications" }

func (r *notificationRow) toStorage() storage.Notification {
	return storage.Notification{ID: r.ID, Channel: r.Channel, To: r.Recipient, Subject: r.Subject,
		Text: r.BodyText, HTML: r.BodyHTML, AccountID: r.AccountID, Kind: r.Kind, Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), LockedUntil: utcPtr(r.LockedUntil), LastError: r.LastError,
		SentAt: utcPtr(r.SentAt), CreatedAt: r.CreatedAt.UTC()}
}

// EnqueueNotification inserts n, filling in ID, CreatedAt and NextAttemptAt
// when empty.
func (s *Store) EnqueueNotification(ctx context.Context, n *storage.Notification) error {
	if n.ID == "" {
		n.ID = newID()
	}
	n.CreatedAt = orNow(n.CreatedAt)
	if n.NextAttemptAt.IsZero() {
		n.NextAttemptAt = n.CreatedAt
	}
	n.NextAttemptAt = dbTime(n.NextAttemptAt)
	n.LockedUntil = dbTimePtr(n.LockedUntil)
	n.SentAt = dbTimePtr(n.SentAt)
	row := notificationRow{ID: n.ID, Channel: n.Channel, Recipient: n.To, Subject: n.Subject,
		BodyText: n.Text, BodyHTML: n.HTML, AccountID: n.AccountID, Kind: n.Kind, Attempts: n.Attempts,
		NextAttemptAt: n.NextAttemptAt, LockedUntil: n.LockedUntil, LastError: n.LastError,
		SentAt: n.SentAt, CreatedAt: n.CreatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "enqueue notification")
}

// ClaimNotifications leases due, unsent messages (claimDue).
func (s *Store) ClaimNotifications(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]storage.Notification, error) {
	claimed, err := s.claimDue(ctx, "notifications", "sent_at IS NULL", at, lease, limit)
	if err != nil {
		return nil, err
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	var rows []notificationRow
	if err := s.db(ctx).Where("id IN ?", claimed).Order("next_attempt_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "read claimed notifications")
	}
	return notificationsOf(rows), nil
}

func notificationsOf(rows []notificationRow) []storage.Notification {
	out := make([]storage.Notification, len(rows))
	for i := range rows {
		out[i] = rows[i].toStorage()
	}
	return out
}

// MarkNotificationSent records the send and releases the lock.
func (s *Store) MarkNotificationSent(ctx context.Context, id string, at time.Time) error {
	res := s.db(ctx).Exec(`UPDATE notifications SET sent_at = ?, locked_until = NULL WHERE id = ?`, dbTime(at), id)
	return affected(res, "mark notification sent")
}

// DeleteNotification removes a message that was sent or given up.
func (s *Store) DeleteNotification(ctx context.Context, id string) error {
	return affected(s.db(ctx).Exec(`DELETE FROM notifications WHERE id = ?`, id), "delete notification")
}

// FailNotification records a failed attempt and releases the lease.
func (s *Store) FailNotification(ctx context.Context, id string, next time.Time, lastError string) error {
	return s.failLeased(ctx, "notifications", id, next, lastError)
}

// ListNotifications returns up to limit messages, newest first.
func (s *Store) ListNotifications(ctx context.Context, limit int) ([]storage.Notification, error) {
	var rows []notificationRow
	if err := s.db(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list notifications")
	}
	return notificationsOf(rows), nil
}

// PurgeSentNotifications deletes messages sent before before.
func (s *Store) PurgeSentNotifications(ctx context.Context, before time.Time) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM notifications WHERE sent_at IS NOT NULL AND sent_at < ?`, dbTime(before))
	if res.Error != nil {
		return 0, wrapErr(res.Error, "purge sent notifications")
	}
	return res.RowsAffected, nil
}
