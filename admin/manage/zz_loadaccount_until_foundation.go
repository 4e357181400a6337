package manage

import (
	"context"

	"foyer/storage"
)

// TEMPORARY (H7): the lead's "accounts: foundation" defines LoadAccount
// and AccountGetter in accounts.go; this file goes when main is merged.

// AccountGetter reads one account.
type AccountGetter interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
}

// LoadAccount is the foundation's contract: ErrForbidden when the actor
// may not do p on the store, ErrNotFound for an unknown account, one of
// another store or one of the administrators store.
func LoadAccount(ctx context.Context, r AccountGetter, a Actor, p Permission, storeID, id string) (*storage.Account, error) {
	if err := a.Require(p, storeID); err != nil {
		return nil, err
	}
	if storeID == storage.AdministratorsStoreID {
		return nil, ErrNotFound
	}
	acct, err := r.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if acct.StoreID != storeID {
		return nil, ErrNotFound
	}
	return acct, nil
}
