package manage

// TEMPORARY (branch acct-roles): the lead's foundation defines these in
// accounts.go; this file goes when main is merged in.

import (
	"context"

	"foyer/storage"
)

// AccountGetter reads accounts.
type AccountGetter interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
}

// LoadAccount: see the foundation.
func LoadAccount(ctx context.Context, r AccountGetter, a Actor, p Permission, storeID, id string) (*storage.Account, error) {
	if err := a.Require(p, storeID); err != nil {
		return nil, err
	}
	acct, err := r.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if acct.StoreID != storeID || acct.StoreID == storage.AdministratorsStoreID {
		return nil, ErrNotFound
	}
	return acct, nil
}
