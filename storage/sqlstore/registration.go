package sqlstore

import (
	"context"
	"time"

	"foyer/storage"
)

type initialAccessTokenRow struct {
	ID            string    `gorm:"column:id;primaryKey"`
	TokenHash     []byte    `gorm:"column:token_hash"`
	Description   string    `gorm:"column:description"`
	RemainingUses int       `gorm:"column:remaining_uses"`
	CreatedAt     time.Time `gorm:"column:created_at"`
	ExpiresAt     time.Time `gorm:"column:expires_at"`
}

func (initialAccessTokenRow) TableName() string { return "initial_access_tokens" }

// CreateInitialAccessToken stores t, filling in ID and CreatedAt.
func (s *Store) CreateInitialAccessToken(ctx context.Context, t *storage.InitialAccessToken) error {
	if t.ID == "" {
		t.ID = newID()
	}
	t.CreatedAt = orNow(t.CreatedAt)
	row := initialAccessTokenRow{ID: t.ID, TokenHash: t.TokenHash, Description: t.Description,
		RemainingUses: t.RemainingUses, CreatedAt: t.CreatedAt, ExpiresAt: dbTime(t.ExpiresAt)}
	return wrapErr(s.db(ctx).Create(&row).Error, "create initial access token")
}

// UseInitialAccessToken spends one use in one conditional UPDATE, so two
// registrations racing for the last use cannot both have it.
func (s *Store) UseInitialAccessToken(ctx context.Context, tokenHash []byte, now time.Time) error {
	res := s.db(ctx).Exec(`UPDATE initial_access_tokens SET remaining_uses = remaining_uses - 1
		WHERE token_hash = ? AND remaining_uses > 0 AND expires_at > ?`, tokenHash, dbTime(now))
	return affected(res, "use initial access token")
}
