package storage

import (
	"context"
	"time"
)

// StoreRole is a role an identity store defines for its accounts (what
// applications read to decide what a customer may do); not to be confused
// with AdminRole, which is what an administrator may do in Foyer.
type StoreRole struct {
	ID          string
	StoreID     string
	Name        string // unique in the store, compared case-insensitively
	Description string
	// OrganizationAdmin makes its holders administrators of the
	// organization they hold it in: from the account portal they manage
	// its members, their roles and invitations (seed 003's "Customer
	// account administrator").
	OrganizationAdmin bool
	// Assignable lets organization administrators grant it; they can
	// grant no other role.
	Assignable bool
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// MaxOrganizationName is the longest organization name, in characters:
// the same for a self-registered company, the admin API and console, and
// the portal's rename, so whoever may edit a stored company can save it.
const MaxOrganizationName = 200

// Organization is a company (a customer's or a partner's) whose people
// are accounts of one identity store. Its Domains are lower-case DNS
// names, each owned by at most one organization of the store.
type Organization struct {
	ID      string
	StoreID string
	Name    string // unique in the store, compared case-insensitively
	Partner bool
	Domains []string
	// Attributes is the company information: values of the identity
	// store's organization schema (IdentityStore.OrganizationAttributes).
	Attributes map[string]string
	// DisplayName, LogoURL and PrimaryColor are the organization's own
	// branding; each empty one falls back to the application's (see
	// OrganizationBranding).
	DisplayName  string
	LogoURL      string // absolute https URL or empty
	PrimaryColor string // "#rrggbb" or empty
	Branding     Branding
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// StoreConfig is the operator side's storage for identity stores and what
// each defines: groups, roles and organizations. Updates and deletions
// name the version they read: a row changed since is ErrStale and left
// alone (expectedVersion 0 skips the check, for the CLI). List methods
// page by a unique key: they return up to limit rows (every row for limit
// 0) whose key sorts after after ("" starts at the beginning).
type StoreConfig interface {
	// ListIdentityStoresPage returns identity stores by id.
	ListIdentityStoresPage(ctx context.Context, after string, limit int) ([]IdentityStore, error)
	// UpdateIdentityStore writes Name, IdentifierTypes, Attributes and
	// OrganizationAttributes and sets s.Version and s.UpdatedAt;
	// ErrNotFound, ErrStale.
	UpdateIdentityStore(ctx context.Context, s *IdentityStore, expectedVersion int64) error
	// DeleteIdentityStore removes the store with its groups, roles and
	// organizations; a store still holding accounts or applications is
	// ErrConflict and stays. ErrNotFound, ErrStale.
	DeleteIdentityStore(ctx context.Context, id string, expectedVersion int64) error

	// GetGroup reads one group of the store; ErrNotFound.
	GetGroup(ctx context.Context, storeID, id string) (*Group, error)
	// ListGroupsPage returns the store's groups by name.
	ListGroupsPage(ctx context.Context, storeID, after string, limit int) ([]Group, error)
	// RenameGroup writes g.Name and sets g.Version and g.UpdatedAt. A
	// taken name, or a group an application's portal restriction names
	// (restrictions keep names), is ErrConflict; ErrNotFound, ErrStale.
	RenameGroup(ctx context.Context, g *Group, expectedVersion int64) error
	// DeleteGroup removes the group and its memberships. A group an
	// application's portal restriction names is ErrConflict (deleting it
	// would open the application to everyone); ErrNotFound, ErrStale.
	DeleteGroup(ctx context.Context, storeID, id string, expectedVersion int64) error

	// CreateStoreRole inserts r, filling in ID, Version and times; a name
	// taken in the store is ErrConflict, an unknown store ErrNotFound.
	CreateStoreRole(ctx context.Context, r *StoreRole) error
	GetStoreRole(ctx context.Context, storeID, id string) (*StoreRole, error)
	// ListStoreRoles returns the store's roles by lower-cased name.
	ListStoreRoles(ctx context.Context, storeID, after string, limit int) ([]StoreRole, error)
	// UpdateStoreRole writes Name, Description, OrganizationAdmin and
	// Assignable; ErrConflict,
	// ErrNotFound, ErrStale.
	UpdateStoreRole(ctx context.Context, r *StoreRole, expectedVersion int64) error
	DeleteStoreRole(ctx context.Context, storeID, id string, expectedVersion int64) error

	// CreateOrganization inserts o, filling in ID, Version and times; a
	// name or domain taken in the store is ErrConflict, an unknown store
	// ErrNotFound.
	CreateOrganization(ctx context.Context, o *Organization) error
	GetOrganization(ctx context.Context, storeID, id string) (*Organization, error)
	// ListOrganizations returns the store's organizations by lower-cased
	// name.
	ListOrganizations(ctx context.Context, storeID, after string, limit int) ([]Organization, error)
	// UpdateOrganization writes Name, Partner, Domains, Attributes and branding; ErrConflict,
	// ErrNotFound, ErrStale.
	UpdateOrganization(ctx context.Context, o *Organization, expectedVersion int64) error
	DeleteOrganization(ctx context.Context, storeID, id string, expectedVersion int64) error
}
