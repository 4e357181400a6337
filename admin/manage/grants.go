package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"foyer/storage"
)

// storeReader finds identity stores (to check the stores a grant names).
type storeReader interface {
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
}

// checkGrants adds a problem for each grant whose role is unknown or given
// twice, or that names a store that does not exist or the administrators
// store (administrators belong to no store a grant could be limited to).
// It is the one check of grants, for administrators and clients alike.
func checkGrants(ctx context.Context, stores storeReader, grants []Grant, p Problems) error {
	var seen []storage.AdminRole
	for i, g := range grants {
		field := fmt.Sprintf("grants[%d]", i)
		switch {
		case !g.Role.Valid():
			p.Add(field+".role", "must be one of owner, admin, support, auditor")
		case slices.Contains(seen, g.Role):
			p.Add(field+".role", "is given twice")
		}
		seen = append(seen, g.Role)
		for _, id := range g.StoreIDs {
			_, err := stores.GetIdentityStore(ctx, id)
			if errors.Is(err, storage.ErrNotFound) || id == storage.AdministratorsStoreID {
				p.Add(field+".store_ids", fmt.Sprintf("no identity store %q", id))
				continue
			}
			if err != nil {
				return fmt.Errorf("check grants: %w", err)
			}
		}
	}
	return nil
}
