package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type verificationPolicyRow struct {
	ID             string    `gorm:"column:id;primaryKey"`
	StoreID        string    `gorm:"column:store_id"`
	Name           string    `gorm:"column:name"`
	NameNormalized string    `gorm:"column:name_normalized"`
	Methods        string    `gorm:"column:methods"`
	Version        int64     `gorm:"column:version"`
	CreatedAt      time.Time `gorm:"column:created_at"`
	UpdatedAt      time.Time `gorm:"column:updated_at"`
}

func (verificationPolicyRow) TableName() string { return "verification_policies" }

func (r *verificationPolicyRow) toStorage() (*storage.VerificationPolicy, error) {
	methods, err := decodeList[string](r.Methods, "verification_policies.methods")
	if err != nil {
		return nil, err
	}
	return &storage.VerificationPolicy{ID: r.ID, StoreID: r.StoreID, Name: r.Name, Methods: methods,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

type identityVerificationRow struct {
	ID         string     `gorm:"column:id;primaryKey"`
	AccountID  string     `gorm:"column:account_id"`
	StoreID    string     `gorm:"column:store_id"`
	PolicyID   string     `gorm:"column:policy_id"`
	PolicyName string     `gorm:"column:policy_name"`
	Method     string     `gorm:"column:method"`
	AdminID    string     `gorm:"column:admin_id"`
	AdminName  string     `gorm:"column:admin_name"`
	Note       string     `gorm:"column:note"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
	RevokedBy  string     `gorm:"column:revoked_by"`
}

func (identityVerificationRow) TableName() string { return "identity_verifications" }

func (r *identityVerificationRow) toStorage() storage.IdentityVerification {
	return storage.IdentityVerification{ID: r.ID, AccountID: r.AccountID, StoreID: r.StoreID, PolicyID: r.PolicyID,
		PolicyName: r.PolicyName, Method: r.Method, AdminID: r.AdminID, AdminName: r.AdminName, Note: r.Note,
		CreatedAt: r.CreatedAt.UTC(), RevokedAt: utcPtr(r.RevokedAt), RevokedBy: r.RevokedBy}
}

// CreateVerificationPolicy inserts p at version 1.
func (s *Store) CreateVerificationPolicy(ctx context.Context, p *storage.VerificationPolicy) error {
	if p.ID == "" {
		p.ID = newID()
	}
	p.CreatedAt = orNow(p.CreatedAt)
	p.UpdatedAt, p.Version = p.CreatedAt, 1
	row := verificationPolicyRow{ID: p.ID, StoreID: p.StoreID, Name: p.Name, NameNormalized: normalize(p.Name),
		Methods: encodeJSON(p.Methods, "[]"), Version: 1, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "create verification policy %q", p.Name)
}

// GetVerificationPolicy reads one policy of the store.
func (s *Store) GetVerificationPolicy(ctx context.Context, storeID, id string) (*storage.VerificationPolicy, error) {
	return getVerificationPolicy(s.db(ctx), storeID, id)
}

func getVerificationPolicy(db *gorm.DB, storeID, id string) (*storage.VerificationPolicy, error) {
	var row verificationPolicyRow
	if err := db.Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get verification policy %q", id)
	}
	return row.toStorage()
}

// ListVerificationPolicies returns the store's policies by lower-cased name.
func (s *Store) ListVerificationPolicies(ctx context.Context, storeID, after string, limit int) ([]storage.VerificationPolicy, error) {
	var rows []verificationPolicyRow
	q := page(s.db(ctx).Where("store_id = ?", storeID), "name_normalized", after, limit)
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list verification policies of store %q", storeID)
	}
	out := make([]storage.VerificationPolicy, 0, len(rows))
	for i := range rows {
		p, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// UpdateVerificationPolicy writes the policy's name and methods.
func (s *Store) UpdateVerificationPolicy(ctx context.Context, p *storage.VerificationPolicy, expectedVersion int64) error {
	at := now()
	ref := rowRef{table: "verification_policies", id: p.ID, storeID: p.StoreID, what: "verification policy"}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		v, err := ref.update(tx, expectedVersion, map[string]any{"name": p.Name,
			"name_normalized": normalize(p.Name), "methods": encodeJSON(p.Methods, "[]"), "updated_at": at})
		if err == nil {
			p.Version, p.UpdatedAt = v, at
		}
		return err
	})
}

// DeleteVerificationPolicy removes one policy of the store.
func (s *Store) DeleteVerificationPolicy(ctx context.Context, storeID, id string, expectedVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		return rowRef{table: "verification_policies", id: id, storeID: storeID, what: "verification policy"}.delete(tx, expectedVersion)
	})
}

// RecordIdentityVerification checks the policy, the method and the
// account's store and inserts v, in one transaction.
func (s *Store) RecordIdentityVerification(ctx context.Context, v *storage.IdentityVerification) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		p, err := getVerificationPolicy(tx, v.StoreID, v.PolicyID)
		if err != nil {
			return err
		}
		if !slices.Contains(p.Methods, v.Method) {
			return fmt.Errorf("sqlstore: method %q is not one of verification policy %q: %w", v.Method, p.Name, storage.ErrConflict)
		}
		var n int64
		if err := tx.Table("accounts").Where("id = ? AND store_id = ?", v.AccountID, v.StoreID).Count(&n).Error; err != nil {
			return wrapErr(err, "find account %q", v.AccountID)
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: account %q of store %q: %w", v.AccountID, v.StoreID, storage.ErrNotFound)
		}
		if v.ID == "" {
			v.ID = newID()
		}
		v.CreatedAt, v.PolicyName, v.RevokedAt, v.RevokedBy = orNow(v.CreatedAt), p.Name, nil, ""
		row := identityVerificationRow{ID: v.ID, AccountID: v.AccountID, StoreID: v.StoreID, PolicyID: v.PolicyID,
			PolicyName: v.PolicyName, Method: v.Method, AdminID: v.AdminID, AdminName: v.AdminName, Note: v.Note,
			CreatedAt: v.CreatedAt}
		return wrapErr(tx.Create(&row).Error, "record identity verification of account %q", v.AccountID)
	})
}

// ListIdentityVerifications returns the account's records, newest first.
func (s *Store) ListIdentityVerifications(ctx context.Context, accountID string) ([]storage.IdentityVerification, error) {
	var rows []identityVerificationRow
	if err := s.db(ctx).Where("account_id = ?", accountID).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list identity verifications of account %q", accountID)
	}
	out := make([]storage.IdentityVerification, len(rows))
	for i := range rows {
		out[i] = rows[i].toStorage()
	}
	return out, nil
}

// RevokeIdentityVerification revokes an active record in one guarded
// statement, so of two concurrent revocations one wins and the other sees
// ErrConflict.
func (s *Store) RevokeIdentityVerification(ctx context.Context, accountID, id, by string, at time.Time) (*storage.IdentityVerification, error) {
	var out storage.IdentityVerification
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE identity_verifications SET revoked_at = ?, revoked_by = ?
		                WHERE id = ? AND account_id = ? AND revoked_at IS NULL`, dbTime(at), by, id, accountID)
		if res.Error != nil {
			return wrapErr(res.Error, "revoke identity verification %q", id)
		}
		var row identityVerificationRow
		if err := tx.Where("id = ? AND account_id = ?", id, accountID).Take(&row).Error; err != nil {
			return wrapErr(err, "get identity verification %q", id)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: identity verification %q is revoked already: %w", id, storage.ErrConflict)
		}
		out = row.toStorage()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CurrentIdentityVerification returns the account's newest active record.
func (s *Store) CurrentIdentityVerification(ctx context.Context, accountID string) (*storage.IdentityVerification, error) {
	var row identityVerificationRow
	err := s.db(ctx).Where("account_id = ? AND revoked_at IS NULL", accountID).
		Order("created_at DESC, id DESC").Take(&row).Error
	if err != nil {
		return nil, wrapErr(err, "current identity verification of account %q", accountID)
	}
	v := row.toStorage()
	return &v, nil
}
