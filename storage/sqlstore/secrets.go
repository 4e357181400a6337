package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"foyer/storage"
)

type oneTimeSecretRow struct {
	ID         string     `gorm:"column:id;primaryKey"`
	Purpose    string     `gorm:"column:purpose"`
	SecretHash []byte     `gorm:"column:secret_hash"`
	AccountID  string     `gorm:"column:account_id"`
	Data       string     `gorm:"column:data"`
	Attempts   int        `gorm:"column:attempts"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	ExpiresAt  time.Time  `gorm:"column:expires_at"`
	UsedAt     *time.Time `gorm:"column:used_at"`
}

func (oneTimeSecretRow) TableName() string { return "one_time_secrets" }

func (r *oneTimeSecretRow) toStorage() *storage.OneTimeSecret {
	return &storage.OneTimeSecret{ID: r.ID, Purpose: r.Purpose, Hash: r.SecretHash, AccountID: r.AccountID,
		Data: r.Data, Attempts: r.Attempts, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		UsedAt: utcPtr(r.UsedAt)}
}

// CreateOneTimeSecret inserts o, filling in ID and CreatedAt when empty.
func (s *Store) CreateOneTimeSecret(ctx context.Context, o *storage.OneTimeSecret) error {
	if o.ID == "" {
		o.ID = newID()
	}
	o.CreatedAt = orNow(o.CreatedAt)
	row := oneTimeSecretRow{ID: o.ID, Purpose: o.Purpose, SecretHash: o.Hash, AccountID: o.AccountID,
		Data: o.Data, Attempts: o.Attempts, CreatedAt: o.CreatedAt, ExpiresAt: dbTime(o.ExpiresAt),
		UsedAt: dbTimePtr(o.UsedAt)}
	return wrapErr(s.db(ctx).Create(&row).Error, "create one-time secret")
}

// UseOneTimeSecret marks the secret used in one conditional UPDATE, so of
// two requests racing with one link only one gets past it; the hash is
// unique, so the row read afterwards is the one this call marked.
func (s *Store) UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*storage.OneTimeSecret, error) {
	res := s.db(ctx).Exec(`UPDATE one_time_secrets SET used_at = ?
		WHERE purpose = ? AND secret_hash = ? AND used_at IS NULL AND expires_at > ?`,
		dbTime(now), purpose, hash, dbTime(now))
	if err := affected(res, "use one-time secret"); err != nil {
		return nil, err
	}
	var row oneTimeSecretRow
	if err := s.db(ctx).Where("secret_hash = ?", hash).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "read used one-time secret")
	}
	return row.toStorage(), nil
}

// OneTimeSecretUsable counts the live secret with this purpose and hash.
func (s *Store) OneTimeSecretUsable(ctx context.Context, purpose string, hash []byte, now time.Time) (bool, error) {
	var n int64
	err := s.db(ctx).Model(&oneTimeSecretRow{}).
		Where("purpose = ? AND secret_hash = ? AND used_at IS NULL AND expires_at > ?", purpose, hash, dbTime(now)).
		Count(&n).Error
	return n > 0, wrapErr(err, "check one-time secret")
}

// LatestOneTimeSecret returns the account's newest secret of the purpose.
func (s *Store) LatestOneTimeSecret(ctx context.Context, accountID, purpose string) (*storage.OneTimeSecret, error) {
	var row oneTimeSecretRow
	err := s.db(ctx).Where("account_id = ? AND purpose = ?", accountID, purpose).
		Order("created_at DESC, id DESC").Take(&row).Error
	if err != nil {
		return nil, wrapErr(err, "latest one-time secret")
	}
	return row.toStorage(), nil
}

type consentRecordRow struct {
	AccountID  string     `gorm:"column:account_id;primaryKey"`
	Consent    string     `gorm:"column:consent;primaryKey"`
	Version    string     `gorm:"column:version;primaryKey"`
	GrantedAt  time.Time  `gorm:"column:granted_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	OutdatedAt *time.Time `gorm:"column:outdated_at"`
}

func (consentRecordRow) TableName() string { return "consent_records" }

// RecordConsent stores an acceptance; accepting a version again renews it
// (and clears a revocation or an outdating).
func (s *Store) RecordConsent(ctx context.Context, c *storage.ConsentRecord) error {
	c.GrantedAt = orNow(c.GrantedAt)
	row := consentRecordRow{AccountID: c.AccountID, Consent: c.Consent, Version: c.Version,
		GrantedAt: c.GrantedAt, RevokedAt: dbTimePtr(c.RevokedAt), OutdatedAt: dbTimePtr(c.OutdatedAt)}
	err := s.db(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "account_id"}, {Name: "consent"}, {Name: "version"}},
		DoUpdates: clause.AssignmentColumns([]string{"granted_at", "revoked_at", "outdated_at"}),
	}).Create(&row).Error
	return wrapErr(err, "record consent %q of account %q", c.Consent, c.AccountID)
}

// ListConsents returns the account's consent records, oldest first.
func (s *Store) ListConsents(ctx context.Context, accountID string) ([]storage.ConsentRecord, error) {
	var rows []consentRecordRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("granted_at, consent, version").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list consents of account %q", accountID)
	}
	out := make([]storage.ConsentRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, storage.ConsentRecord{AccountID: r.AccountID, Consent: r.Consent, Version: r.Version,
			GrantedAt: r.GrantedAt.UTC(), RevokedAt: utcPtr(r.RevokedAt), OutdatedAt: utcPtr(r.OutdatedAt)})
	}
	return out, nil
}

// OutdateConsents ends the store's active records of the consent's other
// versions with one UPDATE: publishing a version must not cost a query per
// account. An empty current list ends every version.
func (s *Store) OutdateConsents(ctx context.Context, storeID, consent string, current []string, at time.Time) (int64, error) {
	q := s.db(ctx).Model(&consentRecordRow{}).
		Where("consent = ? AND revoked_at IS NULL AND outdated_at IS NULL", consent).
		Where("account_id IN (?)", s.db(ctx).Model(&accountRow{}).Select("id").Where("store_id = ?", storeID))
	if len(current) > 0 {
		q = q.Where("version NOT IN ?", current)
	}
	res := q.Update("outdated_at", dbTime(at))
	if res.Error != nil {
		return 0, wrapErr(res.Error, "outdate consent %q in store %q", consent, storeID)
	}
	return res.RowsAffected, nil
}
