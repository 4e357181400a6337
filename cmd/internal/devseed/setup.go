package devseed

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// ensureGroups returns the ids of the seed's n groups, creating those the
// store lacks (found by name, so a second run fills the same groups).
func ensureGroups(ctx context.Context, s *sqlstore.Store, storeID string, n int) ([]string, error) {
	ids := make([]string, 0, n)
	for k := range n {
		name := groupName(k)
		g, err := s.GetGroupByName(ctx, storeID, name)
		if errors.Is(err, storage.ErrNotFound) {
			g = &storage.Group{StoreID: storeID, Name: name}
			err = s.CreateGroup(ctx, g)
		}
		if err != nil {
			return nil, fmt.Errorf("devseed: group %q: %w", name, err)
		}
		ids = append(ids, g.ID)
	}
	return ids, nil
}

// groupName names the k-th group: the list's names, then cohorts.
func groupName(k int) string {
	if k < len(groupNames) {
		return groupNames[k]
	}
	k -= len(groupNames)
	return fmt.Sprintf("Cohort %d-%02d", 2021+k/12, 1+k%12)
}

// ensureOrganizations returns the ids of the seed's organizations and
// roles, creating those the store lacks (found by name).
func ensureOrganizations(ctx context.Context, s *sqlstore.Store, storeID string) (orgs, roles []string, err error) {
	have, err := s.ListOrganizations(ctx, storeID, "", 1000)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range organizationNames {
		id := ""
		for _, o := range have {
			if strings.EqualFold(o.Name, name) {
				id = o.ID
			}
		}
		if id == "" {
			o := &storage.Organization{StoreID: storeID, Name: name}
			if err := s.CreateOrganization(ctx, o); err != nil {
				return nil, nil, fmt.Errorf("devseed: organization %q: %w", name, err)
			}
			id = o.ID
		}
		orgs = append(orgs, id)
	}
	haveRoles, err := s.ListStoreRoles(ctx, storeID, "", 1000)
	if err != nil {
		return nil, nil, err
	}
	for _, rn := range roleNames {
		id := ""
		for _, r := range haveRoles {
			if strings.EqualFold(r.Name, rn.name) {
				id = r.ID
			}
		}
		if id == "" {
			r := &storage.StoreRole{StoreID: storeID, Name: rn.name, Description: rn.description}
			if err := s.CreateStoreRole(ctx, r); err != nil {
				return nil, nil, fmt.Errorf("devseed: role %q: %w", rn.name, err)
			}
			id = r.ID
		}
		roles = append(roles, id)
	}
	return orgs, roles, nil
}
