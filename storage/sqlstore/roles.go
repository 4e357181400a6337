package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type storeRoleRow struct {
	ID             string    `gorm:"column:id;primaryKey"`
	StoreID        string    `gorm:"column:store_id"`
	Name           string    `gorm:"column:name"`
	NameNormalized string    `gorm:"column:name_normalized"`
	Description    string    `gorm:"column:description"`
	OrgAdmin       bool      `gorm:"column:organization_admin"`
	Assignable     bool      `gorm:"column:assignable"`
	Version        int64     `gorm:"column:version"`
	CreatedAt      time.Time `gorm:"column:created_at"`
	UpdatedAt      time.Time `gorm:"column:updated_at"`
}

func (storeRoleRow) TableName() string { return "store_roles" }

func (r storeRoleRow) toStorage() storage.StoreRole {
	return storage.StoreRole{ID: r.ID, StoreID: r.StoreID, Name: r.Name, Description: r.Description,
		OrganizationAdmin: r.OrgAdmin, Assignable: r.Assignable, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateStoreRole inserts r at version 1.
func (s *Store) CreateStoreRole(ctx context.Context, r *storage.StoreRole) error {
	if r.ID == "" {
		r.ID = newID()
	}
	r.CreatedAt = orNow(r.CreatedAt)
	r.UpdatedAt, r.Version = r.CreatedAt, 1
	row := storeRoleRow{ID: r.ID, StoreID: r.StoreID, Name: r.Name, NameNormalized: normalize(r.Name),
		Description: r.Description, OrgAdmin: r.OrganizationAdmin, Assignable: r.Assignable, Version: 1, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "create role %q", r.Name)
}

// GetStoreRole reads one role of the store.
func (s *Store) GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error) {
	var row storeRoleRow
	if err := s.db(ctx).Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get role %q", id)
	}
	r := row.toStorage()
	return &r, nil
}

// ListStoreRoles returns the store's roles by lower-cased name.
func (s *Store) ListStoreRoles(ctx context.Context, storeID, after string, limit int) ([]storage.StoreRole, error) {
	var rows []storeRoleRow
	q := page(s.db(ctx).Where("store_id = ?", storeID), "name_normalized", after, limit)
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list roles of store %q", storeID)
	}
	out := make([]storage.StoreRole, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toStorage())
	}
	return out, nil
}

// UpdateStoreRole writes the role's name, description and flags.
func (s *Store) UpdateStoreRole(ctx context.Context, r *storage.StoreRole, expectedVersion int64) error {
	at := now()
	ref := rowRef{table: "store_roles", id: r.ID, storeID: r.StoreID, what: "role"}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		v, err := ref.update(tx, expectedVersion, map[string]any{"name": r.Name,
			"name_normalized": normalize(r.Name), "description": r.Description,
			"organization_admin": r.OrganizationAdmin, "assignable": r.Assignable, "updated_at": at})
		if err == nil {
			r.Version, r.UpdatedAt = v, at
		}
		return err
	})
}

// DeleteStoreRole removes one role of the store.
func (s *Store) DeleteStoreRole(ctx context.Context, storeID, id string, expectedVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		return rowRef{table: "store_roles", id: id, storeID: storeID, what: "role"}.delete(tx, expectedVersion)
	})
}
