package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"foyer/storage"
)

type portalRow struct {
	ApplicationID   string    `gorm:"column:application_id;primaryKey"`
	LauncherEnabled bool      `gorm:"column:launcher_enabled"`
	Slug            string    `gorm:"column:slug"`
	AllowedGroups   string    `gorm:"column:allowed_groups"`
	UpdatedAt       time.Time `gorm:"column:updated_at"`
}

func (portalRow) TableName() string { return "application_portals" }

func (r *portalRow) toStorage() (*storage.PortalSettings, error) {
	groups, err := decodeList[string](r.AllowedGroups, "application_portals.allowed_groups")
	if err != nil {
		return nil, err
	}
	return &storage.PortalSettings{ApplicationID: r.ApplicationID, LauncherEnabled: r.LauncherEnabled,
		Slug: r.Slug, Groups: groups, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// applicationPortalRow is an application with its portal settings' row,
// each column selected as portal_ + its name; the row is NULL when none is
// stored (a LEFT JOIN), so its columns scan into pointers.
type applicationPortalRow struct {
	App             applicationRow `gorm:"embedded"`
	ApplicationID   *string        `gorm:"column:portal_application_id"`
	LauncherEnabled *bool          `gorm:"column:portal_launcher_enabled"`
	Slug            *string        `gorm:"column:portal_slug"`
	AllowedGroups   *string        `gorm:"column:portal_allowed_groups"`
	UpdatedAt       *time.Time     `gorm:"column:portal_updated_at"`
}

// GetApplicationPortal reads an application and its portal settings in
// one statement; the settings are nil when none are stored.
func (s *Store) GetApplicationPortal(ctx context.Context, id string) (*storage.Application, *storage.PortalSettings, error) {
	var row applicationPortalRow
	err := s.db(ctx).Table("applications").
		Select(`applications.*, application_portals.application_id AS portal_application_id,
			application_portals.launcher_enabled AS portal_launcher_enabled, application_portals.slug AS portal_slug,
			application_portals.allowed_groups AS portal_allowed_groups, application_portals.updated_at AS portal_updated_at`).
		Joins("LEFT JOIN application_portals ON application_portals.application_id = applications.id").
		Where("applications.id = ?", id).Take(&row).Error
	if err != nil {
		return nil, nil, wrapErr(err, "get application %q and its portal settings", id)
	}
	app, err := row.App.toStorage()
	if err != nil {
		return nil, nil, err
	}
	if row.ApplicationID == nil {
		return app, nil, nil
	}
	portal := portalRow{ApplicationID: *row.ApplicationID}
	if row.LauncherEnabled != nil {
		portal.LauncherEnabled = *row.LauncherEnabled
	}
	if row.Slug != nil {
		portal.Slug = *row.Slug
	}
	if row.AllowedGroups != nil {
		portal.AllowedGroups = *row.AllowedGroups
	}
	if row.UpdatedAt != nil {
		portal.UpdatedAt = *row.UpdatedAt
	}
	settings, err := portal.toStorage()
	if err != nil {
		return nil, nil, err
	}
	return app, settings, nil
}

// GetPortalSettings reads an application's portal settings.
func (s *Store) GetPortalSettings(ctx context.Context, applicationID string) (*storage.PortalSettings, error) {
	var row portalRow
	if err := s.db(ctx).Where("application_id = ?", applicationID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get portal settings of application %q", applicationID)
	}
	return row.toStorage()
}

// SetPortalSettings upserts the settings. Slugs are kept lower-case so the
// unique index compares them case-insensitively. The slug is the
// application's own; launcher and groups go to its portal policy, copy on
// write, which rewrites the row's copy of them in the same transaction.
func (s *Store) SetPortalSettings(ctx context.Context, p *storage.PortalSettings) error {
	p.Slug = strings.ToLower(p.Slug)
	p.UpdatedAt = orNow(p.UpdatedAt)
	row := portalRow{ApplicationID: p.ApplicationID, LauncherEnabled: p.LauncherEnabled, Slug: p.Slug,
		AllowedGroups: encodeJSON(p.Groups, "[]"), UpdatedAt: p.UpdatedAt}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "application_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"launcher_enabled", "slug", "allowed_groups", "updated_at"}),
		}).Create(&row).Error
		if err != nil {
			return wrapErr(err, "set portal settings of application %q", p.ApplicationID)
		}
		_, err = setApplicationPolicy(tx, p.ApplicationID, storage.Policy{Kind: storage.PolicyPortal,
			Portal: storage.PortalPolicy{LauncherEnabled: p.LauncherEnabled, Groups: p.Groups}})
		return err
	})
}

// SetApplicationSlug sets the application's friendly URL slug alone ("":
// none), keeping launcher and groups; a slug another application holds is
// ErrConflict, an unknown application ErrNotFound.
func (s *Store) SetApplicationSlug(ctx context.Context, applicationID, slug string) error {
	slug = strings.ToLower(slug)
	row := portalRow{ApplicationID: applicationID, Slug: slug, AllowedGroups: "[]", UpdatedAt: now()}
	err := s.db(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "application_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"slug", "updated_at"}),
	}).Create(&row).Error
	return wrapErr(err, "set slug of application %q", applicationID)
}

// ListPortalSettings returns every application's settings.
func (s *Store) ListPortalSettings(ctx context.Context) ([]storage.PortalSettings, error) {
	var rows []portalRow
	if err := s.db(ctx).Order("application_id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list portal settings")
	}
	out := make([]storage.PortalSettings, 0, len(rows))
	for i := range rows {
		p, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// FindApplicationBySlug resolves a friendly URL.
func (s *Store) FindApplicationBySlug(ctx context.Context, slug string) (*storage.Application, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if slug == "" {
		return nil, fmt.Errorf("sqlstore: find application by empty slug: %w", storage.ErrNotFound)
	}
	var row portalRow
	if err := s.db(ctx).Where("slug = ?", slug).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "find application by slug %q", slug)
	}
	return s.GetApplication(ctx, row.ApplicationID)
}

type groupRow struct {
	ID        string    `gorm:"column:id;primaryKey"`
	StoreID   string    `gorm:"column:store_id"`
	Name      string    `gorm:"column:name"`
	Version   int64     `gorm:"column:version"`
	CreatedAt time.Time `gorm:"column:created_at"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (groupRow) TableName() string { return "account_groups" }

func (r groupRow) toStorage() storage.Group {
	return storage.Group{ID: r.ID, StoreID: r.StoreID, Name: r.Name, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type groupMemberRow struct {
	GroupID   string    `gorm:"column:group_id;primaryKey"`
	AccountID string    `gorm:"column:account_id;primaryKey"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (groupMemberRow) TableName() string { return "group_members" }

// CreateGroup inserts g.
func (s *Store) CreateGroup(ctx context.Context, g *storage.Group) error {
	if g.ID == "" {
		g.ID = newID()
	}
	g.CreatedAt = orNow(g.CreatedAt)
	g.UpdatedAt, g.Version = g.CreatedAt, 1
	row := groupRow{ID: g.ID, StoreID: g.StoreID, Name: g.Name, Version: 1, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
	return wrapErr(s.db(ctx).Create(&row).Error, "create group %q", g.Name)
}

// GetGroupByName reads one group of a store.
func (s *Store) GetGroupByName(ctx context.Context, storeID, name string) (*storage.Group, error) {
	var row groupRow
	if err := s.db(ctx).Where("store_id = ? AND name = ?", storeID, name).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get group %q", name)
	}
	g := row.toStorage()
	return &g, nil
}

// ListGroups returns a store's groups by name.
func (s *Store) ListGroups(ctx context.Context, storeID string) ([]storage.Group, error) {
	var rows []groupRow
	if err := s.db(ctx).Where("store_id = ?", storeID).Order("name").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list groups")
	}
	return groupsOf(rows), nil
}

func groupsOf(rows []groupRow) []storage.Group {
	out := make([]storage.Group, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toStorage())
	}
	return out
}

// AddGroupMember adds the account to the group; adding twice is fine.
func (s *Store) AddGroupMember(ctx context.Context, groupID, accountID string) error {
	row := groupMemberRow{GroupID: groupID, AccountID: accountID, CreatedAt: now()}
	// A missing group or account fails a foreign key: ErrNotFound.
	err := s.db(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return wrapErr(err, "add member to group %q", groupID)
}

// RemoveGroupMember takes the account out of the group.
func (s *Store) RemoveGroupMember(ctx context.Context, groupID, accountID string) error {
	res := s.db(ctx).Where("group_id = ? AND account_id = ?", groupID, accountID).Delete(&groupMemberRow{})
	return affected(res, "remove member from group %q", groupID)
}

// ListAccountGroups returns the account's groups by name.
func (s *Store) ListAccountGroups(ctx context.Context, accountID string) ([]storage.Group, error) {
	var rows []groupRow
	err := s.db(ctx).Table("account_groups").
		Joins("JOIN group_members ON group_members.group_id = account_groups.id").
		Where("group_members.account_id = ?", accountID).Order("account_groups.name").
		Select("account_groups.*").Find(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list groups of account %q", accountID)
	}
	return groupsOf(rows), nil
}
