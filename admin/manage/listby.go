package manage

import (
	"context"

	"foyer/storage"
)

// The ListBy methods read a whole configuration list the actor may see
// (through List with no limit) and filter, sort and page it (listing.go).

// ListBy returns a page of the stores the actor may read.
func (s *Stores) ListBy(ctx context.Context, a Actor, o ListOptions) (Page[IdentityStore], error) {
	all, _, err := s.List(ctx, a, "", 0)
	if err != nil {
		return Page[IdentityStore]{}, err
	}
	return listPage(all, func(v IdentityStore) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// ListBy returns a page of the store's groups.
func (s *Groups) ListBy(ctx context.Context, a Actor, storeID string, o ListOptions) (Page[Group], error) {
	all, _, err := s.List(ctx, a, storeID, "", 0)
	if err != nil {
		return Page[Group]{}, err
	}
	return listPage(all, func(v Group) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// ListBy returns a page of the store's roles.
func (s *Roles) ListBy(ctx context.Context, a Actor, storeID string, o ListOptions) (Page[Role], error) {
	all, _, err := s.List(ctx, a, storeID, "", 0)
	if err != nil {
		return Page[Role]{}, err
	}
	return listPage(all, func(v Role) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// ListBy returns a page of the store's organizations.
func (s *Organizations) ListBy(ctx context.Context, a Actor, storeID string, o ListOptions) (Page[Organization], error) {
	all, _, err := s.List(ctx, a, storeID, "", 0)
	if err != nil {
		return Page[Organization]{}, err
	}
	return listPage(all, func(v Organization) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// ListBy returns a page of the applications of the stores the actor may
// read.
func (s *Applications) ListBy(ctx context.Context, a Actor, o ListOptions) (Page[ApplicationView], error) {
	all, err := s.List(ctx, a, "", 0)
	if err != nil {
		return Page[ApplicationView]{}, err
	}
	return listPage(all, func(v ApplicationView) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// ListBy returns a page of the policies of the kind ("" every kind).
func (s *Policies) ListBy(ctx context.Context, a Actor, kind storage.PolicyKind, o ListOptions) (Page[PolicyView], error) {
	all, err := s.List(ctx, a, kind, "", 0)
	if err != nil {
		return Page[PolicyView]{}, err
	}
	return listPage(all, func(v PolicyView) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}
