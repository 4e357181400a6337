package manage

import (
	"context"
	"fmt"

	"foyer/storage"
)

// ClientRoles is what a client holds on the operator side: the roles its
// client-credentials tokens (with foyer:admin) act with.
type ClientRoles struct {
	Grants []Grant `json:"grants"`
	// Version is a hash of the grants (see grantsVersion): the ETag that
	// SetRoles checks. Ignored in SetRoles' input.
	Version int64 `json:"version"`
}

// Roles returns the client's admin roles. Who holds which role is the
// administrators' business: it needs ReadAdministrators on every store.
func (s *Clients) Roles(ctx context.Context, a Actor, id string) (*ClientRoles, error) {
	if err := a.Require(ReadAdministrators, ""); err != nil {
		return nil, err
	}
	if _, err := s.store.GetClient(ctx, id); err != nil {
		return nil, fmt.Errorf("client roles: %w", err)
	}
	return s.roles(ctx, id)
}

func (s *Clients) roles(ctx context.Context, id string) (*ClientRoles, error) {
	stored, err := s.core.store.ListAdminGrants(ctx, storage.PrincipalClient, id)
	if err != nil {
		return nil, fmt.Errorf("client roles: %w", err)
	}
	out := &ClientRoles{Grants: make([]Grant, len(stored))}
	for i, g := range stored {
		out.Grants[i] = Grant{Role: g.Role, StoreIDs: g.StoreIDs}
	}
	out.Version = grantsVersion("", out.Grants)
	return out, nil
}

// SetRoles replaces the client's admin roles (none: it no longer opens
// the admin API). Giving roles is an owner's: ManageAdministrators on
// every store. version (0: any) must still be the roles' version
// (ErrStale otherwise).
func (s *Clients) SetRoles(ctx context.Context, a Actor, id string, version int64, grants []Grant) (*ClientRoles, error) {
	if err := a.Require(ManageAdministrators, ""); err != nil {
		return nil, err
	}
	if err := s.checkGrants(ctx, grants); err != nil {
		return nil, err
	}
	var out *ClientRoles
	err := s.core.Apply(ctx, a, ManageAdministrators, "", func(ctx context.Context) (Change, error) {
		if err := s.core.lockAdminGrants(ctx); err != nil { // before reading: see grantsVersion
			return Change{}, err
		}
		if _, err := s.store.GetClient(ctx, id); err != nil {
			return Change{}, fmt.Errorf("client roles: %w", err)
		}
		before, err := s.roles(ctx, id)
		if err != nil {
			return Change{}, err
		}
		if err := checkVersion("roles of client", id, version, before.Version); err != nil {
			return Change{}, err
		}
		if _, err := s.core.store.DeleteAdminGrantsOf(ctx, storage.PrincipalClient, id); err != nil {
			return Change{}, fmt.Errorf("client roles: %w", err)
		}
		for _, g := range grants {
			sg := storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: id, Role: g.Role,
				StoreIDs: g.StoreIDs, CreatedAt: s.core.Now()}
			if err := s.core.store.CreateAdminGrant(ctx, &sg); err != nil {
				return Change{}, fmt.Errorf("client roles: %w", err)
			}
		}
		if out, err = s.roles(ctx, id); err != nil {
			return Change{}, err
		}
		return Change{Action: "client.roles_set", TargetType: "client", TargetID: id, Before: before, After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkGrants validates a client's grants (none at all takes its roles
// away).
func (s *Clients) checkGrants(ctx context.Context, grants []Grant) error {
	p := Problems{}
	if err := checkGrants(ctx, s.store, grants, p); err != nil {
		return err
	}
	return p.Err()
}
