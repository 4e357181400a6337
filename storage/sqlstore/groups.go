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

// RenameGroup renames the group and, in the same transaction, every portal
// restriction of the store's applications that names it (restrictions
// keep group names).
func (s *Store) RenameGroup(ctx context.Context, g *storage.Group, expectedVersion int64) error {
	at := now()
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var old groupRow
		if err := tx.Where("id = ? AND store_id = ?", g.ID, g.StoreID).Take(&old).Error; err != nil {
			return wrapErr(err, "rename group %q", g.ID)
		}
		ref := rowRef{table: "account_groups", id: g.ID, storeID: g.StoreID, what: "group"}
		v, err := ref.update(tx, expectedVersion, map[string]any{"name": g.Name, "updated_at": at})
		if err != nil {
			return err
		}
		g.Version, g.UpdatedAt = v, at
		return rewriteRestrictions(tx, g.StoreID, old.Name, func(groups []string) []string {
			for i := range groups {
				if groups[i] == old.Name {
					groups[i] = g.Name
				}
			}
			return groups
		})
	})
}

// DeleteGroup removes a group no portal restriction names.
func (s *Store) DeleteGroup(ctx context.Context, storeID, id string, expectedVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var row groupRow
		if err := tx.Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
			return wrapErr(err, "delete group %q", id)
		}
		used := false
		err := rewriteRestrictions(tx, storeID, row.Name, func(groups []string) []string {
			used = true
			return groups
		})
		if err != nil {
			return err
		}
		if used {
			return fmt.Errorf("sqlstore: delete group %q: an application's portal restriction names it: %w", id, storage.ErrConflict)
		}
		return rowRef{table: "account_groups", id: id, storeID: storeID, what: "group"}.delete(tx, expectedVersion)
	})
}

// rewriteRestrictions calls edit with the restriction of each application
// of the store that names the group and stores what it returns.
func rewriteRestrictions(tx *gorm.DB, storeID, name string, edit func([]string) []string) error {
	var rows []portalRow
	err := tx.Table("application_portals").
		Joins("JOIN applications ON applications.id = application_portals.application_id").
		Where("applications.store_id = ?", storeID).Select("application_portals.*").Find(&rows).Error
	if err != nil {
		return wrapErr(err, "read portal restrictions of store %q", storeID)
	}
	for _, r := range rows {
		groups, err := decodeList[string](r.AllowedGroups, "application_portals.allowed_groups")
		if err != nil {
			return err
		}
		if !slices.Contains(groups, name) {
			continue
		}
		res := tx.Table("application_portals").Where("application_id = ?", r.ApplicationID).
			Update("allowed_groups", encodeJSON(edit(groups), "[]"))
		if res.Error != nil {
			return wrapErr(res.Error, "rewrite portal restriction of application %q", r.ApplicationID)
		}
	}
	return nil
}
