package sqlstore

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

type adminGrantRow struct {
	ID            string    `gorm:"column:id;primaryKey"`
	PrincipalKind string    `gorm:"column:principal_kind"`
	PrincipalID   string    `gorm:"column:principal_id"`
	Role          string    `gorm:"column:role"`
	StoreIDs      string    `gorm:"column:store_ids"`
	CreatedAt     time.Time `gorm:"column:created_at"`
}

func (adminGrantRow) TableName() string { return "admin_grants" }

func (r *adminGrantRow) toStorage() (storage.AdminGrant, error) {
	stores, err := decodeList[string](r.StoreIDs, "admin_grants.store_ids")
	if err != nil {
		return storage.AdminGrant{}, err
	}
	return storage.AdminGrant{ID: r.ID, PrincipalKind: storage.PrincipalKind(r.PrincipalKind),
		PrincipalID: r.PrincipalID, Role: storage.AdminRole(r.Role), StoreIDs: stores,
		CreatedAt: r.CreatedAt.UTC()}, nil
}

// CreateAdminGrant inserts g, filling in ID and CreatedAt; the unique index
// on (principal_kind, principal_id, role) turns a second grant of the same
// role into ErrConflict.
func (s *Store) CreateAdminGrant(ctx context.Context, g *storage.AdminGrant) error {
	if g.ID == "" {
		g.ID = newID()
	}
	g.CreatedAt = orNow(g.CreatedAt)
	row := adminGrantRow{ID: g.ID, PrincipalKind: string(g.PrincipalKind), PrincipalID: g.PrincipalID,
		Role: string(g.Role), StoreIDs: encodeJSON(g.StoreIDs, ""), CreatedAt: g.CreatedAt}
	if len(g.StoreIDs) == 0 {
		row.StoreIDs = ""
	}
	return wrapErr(s.db(ctx).Create(&row).Error, "create admin grant")
}

// ListAdminGrants returns the principal's grants, oldest first.
func (s *Store) ListAdminGrants(ctx context.Context, kind storage.PrincipalKind, principalID string) ([]storage.AdminGrant, error) {
	var rows []adminGrantRow
	err := s.db(ctx).Where("principal_kind = ? AND principal_id = ?", string(kind), principalID).
		Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list admin grants")
	}
	return adminGrantsOf(rows)
}

// ListAllAdminGrants returns every grant, oldest first.
func (s *Store) ListAllAdminGrants(ctx context.Context) ([]storage.AdminGrant, error) {
	var rows []adminGrantRow
	if err := s.db(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list all admin grants")
	}
	return adminGrantsOf(rows)
}

func adminGrantsOf(rows []adminGrantRow) ([]storage.AdminGrant, error) {
	out := make([]storage.AdminGrant, 0, len(rows))
	for i := range rows {
		g, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// DeleteAdminGrant removes one grant.
func (s *Store) DeleteAdminGrant(ctx context.Context, id string) error {
	return affected(s.db(ctx).Exec(`DELETE FROM admin_grants WHERE id = ?`, id), "delete admin grant")
}

// DeleteAdminGrantsOf removes every grant of the principal.
func (s *Store) DeleteAdminGrantsOf(ctx context.Context, kind storage.PrincipalKind, principalID string) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM admin_grants WHERE principal_kind = ? AND principal_id = ?`, string(kind), principalID)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "delete admin grants")
	}
	return res.RowsAffected, nil
}

// MoveAccountToStore updates the account's store in one transaction with
// dropping its group memberships (groups belong to a store). The unique
// identifier indexes per store turn a clash into ErrConflict, the foreign
// key a missing store into ErrNotFound.
func (s *Store) MoveAccountToStore(ctx context.Context, accountID, storeID string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE accounts SET store_id = ?, updated_at = ?, version = version + 1 WHERE id = ?`, storeID, now(), accountID)
		if err := affected(res, "move account %q to store %q", accountID, storeID); err != nil {
			return err
		}
		err := tx.Exec(`DELETE FROM group_members WHERE account_id = ?`, accountID).Error
		if err != nil {
			return wrapErr(err, "drop group memberships of account %q", accountID)
		}
		err = tx.Exec(`UPDATE account_search_attributes SET store_id = ? WHERE account_id = ?`, storeID, accountID).Error
		return wrapErr(err, "move search attributes of account %q", accountID)
	})
}

// adminLockClass is the first key of the PostgreSQL advisory lock that
// LockAdminGrants takes ("admn"); the second is the database's name.
const adminLockClass = 0x61646d6e

// LockAdminGrants takes a transaction-scoped advisory lock on PostgreSQL.
// SQLite needs none: its transactions begin IMMEDIATE (sqlitePragmas), so
// one writer runs at a time already.
func (s *Store) LockAdminGrants(ctx context.Context) error {
	if _, ok := ctx.Value(txKey{s}).(*gorm.DB); !ok {
		return fmt.Errorf("sqlstore: lock admin grants: %w", ErrNoTx)
	}
	if s.dialect != migrations.Postgres {
		return nil
	}
	err := s.db(ctx).Exec(`SELECT pg_advisory_xact_lock(?, hashtext(current_database()))`, adminLockClass).Error
	return wrapErr(err, "lock admin grants")
}
