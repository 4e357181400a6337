package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type organizationRow struct {
	ID             string    `gorm:"column:id;primaryKey"`
	StoreID        string    `gorm:"column:store_id"`
	Name           string    `gorm:"column:name"`
	NameNormalized string    `gorm:"column:name_normalized"`
	Partner        bool      `gorm:"column:partner"`
	Domains        string    `gorm:"column:domains"`
	Attributes     string    `gorm:"column:attributes"`
	DisplayName    string    `gorm:"column:display_name"`
	LogoURL        string    `gorm:"column:logo_url"`
	PrimaryColor   string    `gorm:"column:primary_color"`
	Branding       string    `gorm:"column:branding"`
	Version        int64     `gorm:"column:version"`
	CreatedAt      time.Time `gorm:"column:created_at"`
	UpdatedAt      time.Time `gorm:"column:updated_at"`
}

func (organizationRow) TableName() string { return "organizations" }

func (r *organizationRow) toStorage() (*storage.Organization, error) {
	domains, err := decodeList[string](r.Domains, "organizations.domains")
	if err != nil {
		return nil, err
	}
	attrs, err := decodeMap(r.Attributes, "organizations.attributes")
	if err != nil {
		return nil, err
	}
	branding, err := decodeBranding(r.Branding, "organizations.branding")
	if err != nil {
		return nil, err
	}
	return &storage.Organization{ID: r.ID, StoreID: r.StoreID, Name: r.Name, Partner: r.Partner,
		Domains: domains, Attributes: attrs, DisplayName: r.DisplayName, LogoURL: r.LogoURL, PrimaryColor: r.PrimaryColor,
		Branding: branding, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// organizationDomainRow keeps each domain to one organization of a store.
type organizationDomainRow struct {
	StoreID        string `gorm:"column:store_id;primaryKey"`
	Domain         string `gorm:"column:domain;primaryKey"`
	OrganizationID string `gorm:"column:organization_id"`
}

func (organizationDomainRow) TableName() string { return "organization_domains" }

// CreateOrganization inserts o and its domains in one transaction.
func (s *Store) CreateOrganization(ctx context.Context, o *storage.Organization) error {
	if o.ID == "" {
		o.ID = newID()
	}
	o.CreatedAt = orNow(o.CreatedAt)
	o.UpdatedAt, o.Version = o.CreatedAt, 1
	row := organizationRow{ID: o.ID, StoreID: o.StoreID, Name: o.Name, NameNormalized: normalize(o.Name),
		Partner: o.Partner, Domains: encodeJSON(o.Domains, "[]"), Attributes: encodeJSON(o.Attributes, "{}"),
		DisplayName: o.DisplayName, LogoURL: o.LogoURL, PrimaryColor: o.PrimaryColor, Branding: encodeJSON(o.Branding, "{}"), Version: 1, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return wrapErr(err, "create organization %q", o.Name)
		}
		return insertDomains(tx, o)
	})
}

func insertDomains(tx *gorm.DB, o *storage.Organization) error {
	if len(o.Domains) == 0 {
		return nil
	}
	rows := make([]organizationDomainRow, 0, len(o.Domains))
	for _, d := range o.Domains {
		rows = append(rows, organizationDomainRow{StoreID: o.StoreID, Domain: d, OrganizationID: o.ID})
	}
	return wrapErr(tx.Create(&rows).Error, "claim domains for organization %q", o.ID)
}

// GetOrganization reads one organization of the store.
func (s *Store) GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error) {
	var row organizationRow
	if err := s.db(ctx).Where("id = ? AND store_id = ?", id, storeID).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get organization %q", id)
	}
	return row.toStorage()
}

// ListOrganizations returns the store's organizations by lower-cased name.
func (s *Store) ListOrganizations(ctx context.Context, storeID, after string, limit int) ([]storage.Organization, error) {
	var rows []organizationRow
	q := page(s.db(ctx).Where("store_id = ?", storeID), "name_normalized", after, limit)
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list organizations of store %q", storeID)
	}
	out := make([]storage.Organization, 0, len(rows))
	for i := range rows {
		o, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, nil
}

// UpdateOrganization writes name, partner flag, domains, attributes and branding; the domains'
// claims are replaced in the same transaction.
func (s *Store) UpdateOrganization(ctx context.Context, o *storage.Organization, expectedVersion int64) error {
	at := now()
	ref := rowRef{table: "organizations", id: o.ID, storeID: o.StoreID, what: "organization"}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		v, err := ref.update(tx, expectedVersion, map[string]any{"name": o.Name, "name_normalized": normalize(o.Name),
			"partner": o.Partner, "domains": encodeJSON(o.Domains, "[]"), "attributes": encodeJSON(o.Attributes, "{}"),
			"display_name": o.DisplayName, "logo_url": o.LogoURL, "primary_color": o.PrimaryColor,
			"branding": encodeJSON(o.Branding, "{}"), "updated_at": at})
		if err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM organization_domains WHERE organization_id = ?", o.ID).Error; err != nil {
			return wrapErr(err, "release domains of organization %q", o.ID)
		}
		if err := insertDomains(tx, o); err != nil {
			return err
		}
		o.Version, o.UpdatedAt = v, at
		return nil
	})
}

// DeleteOrganization removes one organization of the store and its
// domains' claims (by the foreign key's cascade).
func (s *Store) DeleteOrganization(ctx context.Context, storeID, id string, expectedVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		return rowRef{table: "organizations", id: id, storeID: storeID, what: "organization"}.delete(tx, expectedVersion)
	})
}
