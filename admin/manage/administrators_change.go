package manage

import (
	"context"
	"errors"

	"foyer/storage"
)

// Refusals that keep the operator side governable (all ErrConflict).
var (
	errLastOwner = Conflict("this would leave no enabled owner with access to every store")
	errSelf      = Conflict("an administrator cannot disable or remove themself; ask another owner")
)

// SetRoles replaces the administrator's grants if version (0: any) is
// still its version (ErrStale otherwise).
func (s *Administrators) SetRoles(ctx context.Context, actor Actor, id string, version int64, grants []Grant) (*Administrator, error) {
	if err := actor.Require(ManageAdministrators, ""); err != nil {
		return nil, err
	}
	p := Problems{}
	if err := s.checkGrants(ctx, grants, p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out Administrator
	err := s.core.Apply(ctx, actor, ManageAdministrators, "", func(tx context.Context) (Change, error) {
		acct, old, err := s.lockedLoad(tx, id, version)
		if err != nil {
			return Change{}, err
		}
		if acct.Status == storage.AccountEnabled && isOwner(old) && !isOwnerGrants(grants) {
			if err := s.requireAnotherOwner(tx, id); err != nil {
				return Change{}, err
			}
		}
		if _, err := s.store.DeleteAdminGrantsOf(tx, storage.PrincipalAdministrator, id); err != nil {
			return Change{}, err
		}
		stored, err := s.grant(tx, id, grants)
		if err != nil {
			return Change{}, err
		}
		before := viewOf(acct, old)
		out = viewOf(acct, stored)
		return Change{Action: "administrator.roles_set", TargetType: "administrator", TargetID: id, Before: before, After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Disable stops the administrator signing in: its status turns disabled,
// its sessions end and every token issued for it is revoked. version (0:
// any) must still be its version (ErrStale otherwise).
func (s *Administrators) Disable(ctx context.Context, actor Actor, id string, version int64) (*Administrator, error) {
	return s.setStatus(ctx, actor, id, version, storage.AccountDisabled, "administrator.disabled")
}

// Enable lets a disabled administrator sign in again; version as Disable's.
func (s *Administrators) Enable(ctx context.Context, actor Actor, id string, version int64) (*Administrator, error) {
	return s.setStatus(ctx, actor, id, version, storage.AccountEnabled, "administrator.enabled")
}

func (s *Administrators) setStatus(ctx context.Context, actor Actor, id string, version int64, status storage.AccountStatus, action string) (*Administrator, error) {
	if err := actor.Require(ManageAdministrators, ""); err != nil {
		return nil, err
	}
	if status == storage.AccountDisabled && isSelf(actor, id) {
		return nil, errSelf
	}
	var out Administrator
	err := s.core.Apply(ctx, actor, ManageAdministrators, "", func(tx context.Context) (Change, error) {
		acct, grants, err := s.lockedLoad(tx, id, version)
		if err != nil {
			return Change{}, err
		}
		if acct.Status == status {
			out = viewOf(acct, grants)
			return Change{}, nil // nothing changes, nothing to record
		}
		if status == storage.AccountDisabled && isOwner(grants) && acct.Status == storage.AccountEnabled {
			if err := s.requireAnotherOwner(tx, id); err != nil {
				return Change{}, err
			}
		}
		before := viewOf(acct, grants)
		if err := s.store.SetAccountStatus(tx, id, status); err != nil {
			return Change{}, err
		}
		if status == storage.AccountDisabled {
			if err := s.endAccess(tx, id); err != nil {
				return Change{}, err
			}
		}
		acct.Status = status
		out = viewOf(acct, grants)
		return Change{Action: action, TargetType: "administrator", TargetID: id, Before: before, After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// endAccess ends the account's sessions and revokes its tokens, so a
// disabled administrator's console tab stops working at its next request.
func (s *Administrators) endAccess(ctx context.Context, id string) error {
	if _, err := s.store.DeleteSessionsByAccount(ctx, id, ""); err != nil {
		return err
	}
	_, err := s.store.RevokeTokensBySubject(ctx, id)
	return err
}

// Remove deletes the administrator's account, everything keyed by it
// (sessions, tokens, factors) and its grants, if version (0: any) is still
// its version (ErrStale otherwise). Its audit entries stay.
func (s *Administrators) Remove(ctx context.Context, actor Actor, id string, version int64) error {
	if err := actor.Require(ManageAdministrators, ""); err != nil {
		return err
	}
	if isSelf(actor, id) {
		return errSelf
	}
	return s.core.Apply(ctx, actor, ManageAdministrators, "", func(tx context.Context) (Change, error) {
		acct, grants, err := s.lockedLoad(tx, id, version)
		if err != nil {
			return Change{}, err
		}
		if acct.Status == storage.AccountEnabled && isOwner(grants) {
			if err := s.requireAnotherOwner(tx, id); err != nil {
				return Change{}, err
			}
		}
		if err := s.store.DeleteAccountData(tx, id); err != nil {
			return Change{}, err
		}
		if _, err := s.store.DeleteAdminGrantsOf(tx, storage.PrincipalAdministrator, id); err != nil {
			return Change{}, err
		}
		return Change{Action: "administrator.removed", TargetType: "administrator", TargetID: id, Before: viewOf(acct, grants)}, nil
	})
}

func isSelf(actor Actor, id string) bool {
	return actor.Kind == storage.PrincipalAdministrator && actor.ID == id
}

// isOwner: the grants include owner over every store, the role that can
// manage administrators at all.
func isOwner(grants []storage.AdminGrant) bool {
	for _, g := range grants {
		if g.Role == storage.RoleOwner && len(g.StoreIDs) == 0 {
			return true
		}
	}
	return false
}

func isOwnerGrants(grants []Grant) bool {
	for _, g := range grants {
		if g.Role == storage.RoleOwner && len(g.StoreIDs) == 0 {
			return true
		}
	}
	return false
}

// requireAnotherOwner is errLastOwner unless an enabled administrator
// other than id holds owner over every store. It locks the grants first,
// so of two owners removing each other at once the second sees the first
// gone.
func (s *Administrators) requireAnotherOwner(ctx context.Context, id string) error {
	if err := s.store.LockAdminGrants(ctx); err != nil {
		return err
	}
	grants, err := s.store.ListAllAdminGrants(ctx)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.PrincipalKind != storage.PrincipalAdministrator || g.PrincipalID == id ||
			g.Role != storage.RoleOwner || len(g.StoreIDs) != 0 {
			continue
		}
		acct, err := s.store.GetAccount(ctx, g.PrincipalID)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if acct.StoreID == storage.AdministratorsStoreID && acct.Status == storage.AccountEnabled {
			return nil
		}
	}
	return errLastOwner
}
