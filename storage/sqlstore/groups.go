package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"foyer/storage"
)

// GetGroup reads one group of the store.
func (s *Store) GetGroup(ctx context.Context, storeID, id string) (*storage.Group, error) {
	var row groupRow
	if err := s.db(ctx).Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get group %q", id)
	}
	g := row.toStorage()
	return &g, nil
}

// ListGroupsPage returns the store's groups by name, after the key.
func (s *Store) ListGroupsPage(ctx context.Context, storeID, after string, limit int) ([]storage.Group, error) {
	var rows []groupRow
	if err := page(s.db(ctx).Where("store_id = ?", storeID), "name", after, limit).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list groups of store %q", storeID)
	}
	return groupsOf(rows), nil
}

// RenameGroup renames a group no portal restriction names: restrictions
// keep group names, and a policy naming it may be shared with applications
// of other stores, so the name cannot follow.
func (s *Store) RenameGroup(ctx context.Context, g *storage.Group, expectedVersion int64) error {
	at := now()
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := refuseRestricted(tx, g.StoreID, g.ID, "rename"); err != nil {
			return err
		}
		ref := rowRef{table: "account_groups", id: g.ID, storeID: g.StoreID, what: "group"}
		v, err := ref.update(tx, expectedVersion, map[string]any{"name": g.Name, "updated_at": at})
		if err == nil {
			g.Version, g.UpdatedAt = v, at
		}
		return err
	})
}

// DeleteGroup removes a group no portal restriction names.
func (s *Store) DeleteGroup(ctx context.Context, storeID, id string, expectedVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := refuseRestricted(tx, storeID, id, "delete"); err != nil {
			return err
		}
		return rowRef{table: "account_groups", id: id, storeID: storeID, what: "group"}.delete(tx, expectedVersion)
	})
}

// refuseRestricted is ErrConflict when a portal restriction of an
// application of the store names the group, ErrNotFound when there is no
// such group.
func refuseRestricted(tx *gorm.DB, storeID, id, verb string) error {
	var row groupRow
	if err := tx.Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
		return wrapErr(err, "%s group %q", verb, id)
	}
	used, err := restricted(tx, storeID, row.Name)
	if err != nil {
		return err
	}
	if used {
		return fmt.Errorf("sqlstore: %s group %q: an application's portal restriction names it: %w", verb, id, storage.ErrConflict)
	}
	return nil
}

// restricted reports whether the restriction of an application of the
// store names the group.
func restricted(tx *gorm.DB, storeID, name string) (bool, error) {
	var rows []portalRow
	err := tx.Table("application_portals").
		Joins("JOIN applications ON applications.id = application_portals.application_id").
		Where("applications.store_id = ?", storeID).Select("application_portals.*").Find(&rows).Error
	if err != nil {
		return false, wrapErr(err, "read portal restrictions of store %q", storeID)
	}
	for _, r := range rows {
		groups, err := decodeList[string](r.AllowedGroups, "application_portals.allowed_groups")
		if err != nil {
			return false, err
		}
		if slices.Contains(groups, name) {
			return true, nil
		}
	}
	return false, nil
}
