package manage

import (
	"context"
	"errors"

	"foyer/storage"
)

// AccountGetter reads one account (every account operation starts with
// LoadAccount over one).
type AccountGetter interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
}

// LoadAccount returns the account id of the identity store storeID when
// the actor may do p on that store. It is ErrForbidden when the actor may
// not, and ErrNotFound when there is no such account in that store — and
// for every account of the administrators store, whose accounts are
// managed by Administrators only: support staff must not reach an
// owner's account through customer account management.
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

// Label is one status label of an account (seed 002's "Account statuses").
type Label string

const (
	LabelEnabled  Label = "enabled"
	LabelDisabled Label = "disabled"
	// LabelPending: self-registered, activation link not yet followed; it
	// cannot sign in until then.
	LabelPending         Label = "pending"
	LabelEmailVerified   Label = "email_verified"
	LabelEmailUnverified Label = "email_unverified"
	LabelExternal        Label = "external_identity"
)

// Labels are the account's status labels: its status, then whether its
// e-mail address is verified (when it has one), then whether it came with
// an external identity. An address confirmed at a registration without an
// activation step counts as verified (the seed's rule), though Foyer still
// notes that nobody proved the mailbox (Account.EmailUnproven).
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
