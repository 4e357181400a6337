package sqlstore

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type partnerCodeRow struct {
	OrganizationID string     `gorm:"column:organization_id;primaryKey"`
	StoreID        string     `gorm:"column:store_id"`
	CodeHash       []byte     `gorm:"column:code_hash"`
	ExpiresAt      *time.Time `gorm:"column:expires_at"`
	MaxUses        int        `gorm:"column:max_uses"`
	Uses           int        `gorm:"column:uses"`
	CreatedAt      time.Time  `gorm:"column:created_at"`
}

func (partnerCodeRow) TableName() string { return "partner_codes" }

func (r *partnerCodeRow) toStorage() *storage.PartnerCode {
	return &storage.PartnerCode{OrganizationID: r.OrganizationID, StoreID: r.StoreID, CodeHash: r.CodeHash,
		ExpiresAt: utcPtr(r.ExpiresAt), MaxUses: r.MaxUses, Uses: r.Uses, CreatedAt: r.CreatedAt.UTC()}
}

// SetPartnerCode replaces the partner's code in one transaction, after
// checking the organization is a partner of the store.
func (s *Store) SetPartnerCode(ctx context.Context, c *storage.PartnerCode) error {
	c.CreatedAt = orNow(c.CreatedAt)
	c.Uses = 0
	row := partnerCodeRow{OrganizationID: c.OrganizationID, StoreID: c.StoreID, CodeHash: c.CodeHash,
		ExpiresAt: dbTimePtr(c.ExpiresAt), MaxUses: c.MaxUses, CreatedAt: c.CreatedAt}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		err := tx.Table("organizations").Where("id = ? AND store_id = ? AND partner", c.OrganizationID, c.StoreID).Count(&n).Error
		if err != nil {
			return wrapErr(err, "find partner %q", c.OrganizationID)
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: partner %q of store %q: %w", c.OrganizationID, c.StoreID, storage.ErrNotFound)
		}
		if err := tx.Exec("DELETE FROM partner_codes WHERE organization_id = ?", c.OrganizationID).Error; err != nil {
			return wrapErr(err, "replace code of partner %q", c.OrganizationID)
		}
		return wrapErr(tx.Create(&row).Error, "set code of partner %q", c.OrganizationID)
	})
}

// GetPartnerCode reads the partner's code.
func (s *Store) GetPartnerCode(ctx context.Context, storeID, organizationID string) (*storage.PartnerCode, error) {
	var row partnerCodeRow
	err := s.db(ctx).Where("organization_id = ? AND store_id = ?", organizationID, storeID).Take(&row).Error
	if err != nil {
		return nil, wrapErr(err, "get code of partner %q", organizationID)
	}
	return row.toStorage(), nil
}

// DeletePartnerCode removes the partner's code.
func (s *Store) DeletePartnerCode(ctx context.Context, storeID, organizationID string) error {
	res := s.db(ctx).Exec("DELETE FROM partner_codes WHERE organization_id = ? AND store_id = ?", organizationID, storeID)
	return affected(res, "delete code of partner %q", organizationID)
}

// RedeemPartnerCode counts a use in the same statement that checks expiry
// and the limit, so two registrations racing for the last use cannot both
// get it.
func (s *Store) RedeemPartnerCode(ctx context.Context, storeID string, hash []byte, at time.Time) (*storage.Organization, error) {
	db := s.db(ctx)
	res := db.Exec(`UPDATE partner_codes SET uses = uses + 1
		WHERE store_id = ? AND code_hash = ? AND (expires_at IS NULL OR expires_at > ?)
		AND (max_uses = 0 OR uses < max_uses)`, storeID, hash, dbTime(at))
	if err := affected(res, "redeem partner code in store %q", storeID); err != nil {
		return nil, err
	}
	var row organizationRow
	err := db.Where("store_id = ? AND id = (SELECT organization_id FROM partner_codes WHERE store_id = ? AND code_hash = ?)",
		storeID, storeID, hash).Take(&row).Error
	if err != nil {
		return nil, wrapErr(err, "read partner of a redeemed code")
	}
	return row.toStorage()
}

type partnerLookupRow struct {
	ApplicationID string    `gorm:"column:application_id;primaryKey"`
	URL           string    `gorm:"column:url"`
	SecretSealed  []byte    `gorm:"column:secret_sealed"`
	TimeoutMS     int64     `gorm:"column:timeout_ms"`
	UpdatedAt     time.Time `gorm:"column:updated_at"`
}

func (partnerLookupRow) TableName() string { return "partner_lookups" }

// SetPartnerLookup creates or replaces the application's webhook.
func (s *Store) SetPartnerLookup(ctx context.Context, l *storage.PartnerLookup) error {
	l.UpdatedAt = now()
	row := partnerLookupRow{ApplicationID: l.ApplicationID, URL: l.URL, SecretSealed: l.SecretSealed,
		TimeoutMS: l.Timeout.Milliseconds(), UpdatedAt: l.UpdatedAt}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM partner_lookups WHERE application_id = ?", l.ApplicationID).Error; err != nil {
			return wrapErr(err, "replace partner lookup of application %q", l.ApplicationID)
		}
		return wrapErr(tx.Create(&row).Error, "set partner lookup of application %q", l.ApplicationID)
	})
}

// GetPartnerLookup reads the application's webhook.
func (s *Store) GetPartnerLookup(ctx context.Context, applicationID string) (*storage.PartnerLookup, error) {
	var row partnerLookupRow
	if err := s.db(ctx).Where("application_id = ?", applicationID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get partner lookup of application %q", applicationID)
	}
	return &storage.PartnerLookup{ApplicationID: row.ApplicationID, URL: row.URL, SecretSealed: row.SecretSealed,
		Timeout: time.Duration(row.TimeoutMS) * time.Millisecond, UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// DeletePartnerLookup removes the application's webhook.
func (s *Store) DeletePartnerLookup(ctx context.Context, applicationID string) error {
	res := s.db(ctx).Exec("DELETE FROM partner_lookups WHERE application_id = ?", applicationID)
	return affected(res, "delete partner lookup of application %q", applicationID)
}
