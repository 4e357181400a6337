package manage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"foyer/storage"
)

// RolesStore is what the Roles service needs.
type RolesStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	CreateStoreRole(ctx context.Context, r *storage.StoreRole) error
	GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error)
	ListStoreRoles(ctx context.Context, storeID, after string, limit int) ([]storage.StoreRole, error)
	UpdateStoreRole(ctx context.Context, r *storage.StoreRole, expectedVersion int64) error
	DeleteStoreRole(ctx context.Context, storeID, id string, expectedVersion int64) error
}

// Roles manages the role definitions of an identity store.
type Roles struct {
	core  *Core
	store RolesStore
}

// NewRoles returns the service.
func NewRoles(core *Core, store RolesStore) *Roles { return &Roles{core: core, store: store} }

// Role is a role definition as the API, the console and the audit log
// show it.
type Role struct {
	ID          string `json:"id"`
	StoreID     string `json:"store_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// OrganizationAdmin: holders administer their organization in the
	// account portal. Assignable: organization administrators may grant it.
	OrganizationAdmin bool      `json:"organization_admin"`
	Assignable        bool      `json:"assignable"`
	Version           int64     `json:"version"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// SortKey is the key Roles.List pages by.
func (r Role) SortKey() string { return strings.ToLower(r.Name) }

func roleView(r *storage.StoreRole) Role {
	return Role{ID: r.ID, StoreID: r.StoreID, Name: r.Name, Description: r.Description,
		OrganizationAdmin: r.OrganizationAdmin, Assignable: r.Assignable, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// RoleInput is what an administrator submits for a role.
type RoleInput struct {
	Name              string `json:"name"`
	Description       string `json:"description"`
	OrganizationAdmin bool   `json:"organization_admin"`
	Assignable        bool   `json:"assignable"`
}

const (
	maxRoleName        = 64
	maxRoleDescription = 500
)

func validateRole(in RoleInput) (RoleInput, error) {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	p := Problems{}
	checkName(p, "name", in.Name, maxRoleName)
	if in.Description != "" {
		checkName(p, "description", in.Description, maxRoleDescription)
	}
	return in, p.Err()
}

// List returns the store's roles by lower-cased name (Role.SortKey),
// after the key.
func (s *Roles) List(ctx context.Context, a Actor, storeID, after string, limit int) (_ []Role, more bool, _ error) {
	if err := requireExistingStore(ctx, s.store, a, ReadConfig, storeID); err != nil {
		return nil, false, err
	}
	rows, err := s.store.ListStoreRoles(ctx, storeID, after, pageSize(limit))
	if err != nil {
		return nil, false, err
	}
	rows, more = cut(rows, limit)
	out := make([]Role, len(rows))
	for i := range rows {
		out[i] = roleView(&rows[i])
	}
	return out, more, nil
}

// Get returns one role of the store.
func (s *Roles) Get(ctx context.Context, a Actor, storeID, id string) (*Role, error) {
	if err := requireStore(a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	r, err := s.store.GetStoreRole(ctx, storeID, id)
	if err != nil {
		return nil, err
	}
	v := roleView(r)
	return &v, nil
}

// Create defines a role (action role.created); a name taken in the store
// (in any case) is ErrConflict.
func (s *Roles) Create(ctx context.Context, a Actor, storeID string, in RoleInput) (*Role, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateRole(in)
	if err != nil {
		return nil, err
	}
	r := &storage.StoreRole{StoreID: storeID, Name: in.Name, Description: in.Description,
		OrganizationAdmin: in.OrganizationAdmin, Assignable: in.Assignable, CreatedAt: s.core.Now()}
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateStoreRole(ctx, r); err != nil {
			return Change{}, conflictAs(fmt.Errorf("create role %q: %w", in.Name, err), "a role with this name exists in the store")
		}
		return Change{Action: "role.created", TargetType: "role", TargetID: r.ID, StoreID: storeID, After: roleView(r)}, nil
	})
	if err != nil {
		return nil, err
	}
	v := roleView(r)
	return &v, nil
}

// Update replaces a role's name, description and flags if it is still at
// version (action role.updated).
func (s *Roles) Update(ctx context.Context, a Actor, storeID, id string, version int64, in RoleInput) (*Role, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateRole(in)
	if err != nil {
		return nil, err
	}
	var v Role
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		r, err := s.store.GetStoreRole(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		before := roleView(r)
		r.Name, r.Description = in.Name, in.Description
		r.OrganizationAdmin, r.Assignable = in.OrganizationAdmin, in.Assignable
		if err := s.store.UpdateStoreRole(ctx, r, version); err != nil {
			return Change{}, conflictAs(err, "another role of the store has this name")
		}
		v = roleView(r)
		return Change{Action: "role.updated", TargetType: "role", TargetID: id, StoreID: storeID, Before: before, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Delete removes a role if it is still at version (action role.deleted).
func (s *Roles) Delete(ctx context.Context, a Actor, storeID, id string, version int64) error {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		r, err := s.store.GetStoreRole(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeleteStoreRole(ctx, storeID, id, version); err != nil {
			return Change{}, conflictAs(err, "the role is still in use")
		}
		return Change{Action: "role.deleted", TargetType: "role", TargetID: id, StoreID: storeID, Before: roleView(r)}, nil
	})
}
