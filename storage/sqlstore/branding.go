package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"foyer/storage"
)

func decodeBranding(s, column string) (storage.Branding, error) {
	var b storage.Branding
	if s == "" || s == "{}" {
		return b, nil
	}
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		return b, fmt.Errorf("sqlstore: decode %s: %w", column, err)
	}
	return b, nil
}

type brandAssetRow struct {
	Hash        string    `gorm:"column:hash;primaryKey"`
	ContentType string    `gorm:"column:content_type"`
	Data        []byte    `gorm:"column:data"`
	CreatedAt   time.Time `gorm:"column:created_at"`
}

func (brandAssetRow) TableName() string { return "brand_assets" }

// PutBrandAsset inserts a unless an asset of its hash exists: the hash
// names the bytes, so the stored one is the same.
func (s *Store) PutBrandAsset(ctx context.Context, a *storage.BrandAsset) error {
	a.CreatedAt = orNow(a.CreatedAt)
	row := brandAssetRow{Hash: a.Hash, ContentType: a.ContentType, Data: a.Data, CreatedAt: a.CreatedAt}
	err := s.db(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return wrapErr(err, "put brand asset %q", a.Hash)
}

// GetBrandAsset returns the asset of hash or storage.ErrNotFound.
func (s *Store) GetBrandAsset(ctx context.Context, hash string) (*storage.BrandAsset, error) {
	var row brandAssetRow
	if err := s.db(ctx).Where("hash = ?", hash).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get brand asset %q", hash)
	}
	return &storage.BrandAsset{Hash: row.Hash, ContentType: row.ContentType, Data: row.Data, CreatedAt: row.CreatedAt.UTC()}, nil
}
