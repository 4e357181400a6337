package manage

// TEMPORARY until "accounts: foundation" lands on main (admin/manage/accounts.go):
// the contract's LoadAccount and Labels, removed at the merge.

import (
	"context"
	"errors"

	"foyer/storage"
)

type AccountGetter interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
}

func LoadAccount(ctx context.Context, r AccountGetter, a Actor, p Permission, storeID, id string) (*storage.Account, error) {
	if storeID == storage.AdministratorsStoreID {
		return nil, ErrNotFound
	}
	if err := a.Require(p, storeID); err != nil {
		return nil, err
	}
	acct, err := r.GetAccount(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if acct.StoreID != storeID {
		return nil, ErrNotFound
	}
	return acct, nil
}

type Label string

const (
	LabelEnabled         Label = "enabled"
	LabelDisabled        Label = "disabled"
	LabelPending         Label = "pending"
	LabelEmailVerified   Label = "email_verified"
	LabelEmailUnverified Label = "email_unverified"
	LabelExternal        Label = "external_identity"
)

func Labels(acct *storage.Account, external bool) []Label {
	var out []Label
	switch acct.Status {
	case storage.AccountDisabled:
		out = append(out, LabelDisabled)
	case storage.AccountPending:
		out = append(out, LabelPending)
	default:
		out = append(out, LabelEnabled)
	}
	if acct.Email != "" {
		if acct.EmailConfirmed {
			out = append(out, LabelEmailVerified)
		} else {
			out = append(out, LabelEmailUnverified)
		}
	}
	if external {
		out = append(out, LabelExternal)
	}
	return out
}
