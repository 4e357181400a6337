package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"foyer/storage"
)

// ListIdentityStoresPage returns identity stores by id, after the key.
func (s *Store) ListIdentityStoresPage(ctx context.Context, after string, limit int) ([]storage.IdentityStore, error) {
	var rows []identityStoreRow
	if err := page(s.db(ctx), "id", after, limit).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list identity stores")
	}
	out := make([]storage.IdentityStore, 0, len(rows))
	for i := range rows {
		is, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *is)
	}
	return out, nil
}

// UpdateIdentityStore writes the store's name, identifier types and
// attribute schema if it is still at expectedVersion.
func (s *Store) UpdateIdentityStore(ctx context.Context, is *storage.IdentityStore, expectedVersion int64) error {
	at := now()
	ref := rowRef{table: "identity_stores", id: is.ID, what: "identity store"}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		v, err := ref.update(tx, expectedVersion, map[string]any{"name": is.Name,
			"identifier_types":        encodeJSON(is.IdentifierTypes, "[]"),
			"attributes":              encodeJSON(is.Attributes, "[]"),
			"organization_attributes": encodeJSON(is.OrganizationAttributes, "[]"), "updated_at": at})
		if err == nil {
			is.Version, is.UpdatedAt = v, at
		}
		return err
	})
}

// DeleteIdentityStore removes an empty store. The emptiness check and the
// deletion are one statement; an account inserted meanwhile fails the
// deletion's foreign key, which is reported as the conflict it is.
func (s *Store) DeleteIdentityStore(ctx context.Context, id string, expectedVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		stmt := `DELETE FROM identity_stores WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM accounts WHERE store_id = ?)
			AND NOT EXISTS (SELECT 1 FROM applications WHERE store_id = ?)`
		args := []any{id, id, id}
		if expectedVersion > 0 {
			stmt, args = stmt+" AND version = ?", append(args, expectedVersion)
		}
		res := tx.Exec(stmt, args...)
		if res.Error != nil {
			err := wrapErr(res.Error, "delete identity store %q", id)
			if errors.Is(err, storage.ErrNotFound) { // a foreign key: accounts arrived
				return fmt.Errorf("sqlstore: delete identity store %q: %w: %w", id, storage.ErrConflict, res.Error)
			}
			return err
		}
		if res.RowsAffected > 0 {
			return nil
		}
		return s.whyStoreStays(tx, id, expectedVersion)
	})
}

// whyStoreStays explains a deletion that removed nothing.
func (s *Store) whyStoreStays(tx *gorm.DB, id string, expectedVersion int64) error {
	var row identityStoreRow
	if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
		return wrapErr(err, "delete identity store %q", id)
	}
	if expectedVersion > 0 && row.Version != expectedVersion {
		return fmt.Errorf("sqlstore: delete identity store %q: %w", id, storage.ErrStale)
	}
	return fmt.Errorf("sqlstore: delete identity store %q: it holds accounts or applications: %w", id, storage.ErrConflict)
}
