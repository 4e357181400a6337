package manage

import (
	"context"
	"errors"
	"strings"
	"time"

	"foyer/storage"
)

// AccountRolesStore is what the AccountRoles service needs.
type AccountRolesStore interface {
	CoreStore
	storage.AccountRoles
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
	GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error)
}

// AccountRoles manages what an account is in the organizations of its
// identity store: the (organization, role) pairs it holds and the
// organizations it is a member of (the Roles tab of seed 002). The two are
// apart: a role needs no membership.
type AccountRoles struct {
	core  *Core
	store AccountRolesStore
}

// NewAccountRoles returns the service.
func NewAccountRoles(core *Core, store AccountRolesStore) *AccountRoles {
	return &AccountRoles{core: core, store: store}
}

// AccountRole is one pair as the API, the console and the audit log show
// it.
type AccountRole struct {
	OrganizationID   string    `json:"organization_id"`
	OrganizationName string    `json:"organization_name"`
	RoleID           string    `json:"role_id"`
	RoleName         string    `json:"role_name"`
	CreatedAt        time.Time `json:"created_at"`
}

func accountRoleView(r *storage.AccountRole) AccountRole {
	return AccountRole{OrganizationID: r.OrganizationID, OrganizationName: r.OrganizationName,
		RoleID: r.RoleID, RoleName: r.RoleName, CreatedAt: r.CreatedAt}
}

// AccountOrganization is a membership as the API and the console show it.
type AccountOrganization struct {
	OrganizationID   string    `json:"organization_id"`
	OrganizationName string    `json:"organization_name"`
	CreatedAt        time.Time `json:"created_at"`
}

func accountOrganizationView(m *storage.OrganizationMember) AccountOrganization {
	return AccountOrganization{OrganizationID: m.OrganizationID, OrganizationName: m.OrganizationName, CreatedAt: m.CreatedAt}
}

// RoleAssignment is what an administrator submits to assign a role.
type RoleAssignment struct {
	OrganizationID string `json:"organization_id"`
	RoleID         string `json:"role_id"`
}

// pairAudit is what an audit entry of a pair holds: ids and names.
type pairAudit struct {
	AccountID      string `json:"account_id"`
	OrganizationID string `json:"organization_id"`
	Organization   string `json:"organization"`
	RoleID         string `json:"role_id,omitempty"`
	Role           string `json:"role,omitempty"`
}

// List returns the account's pairs by organization name, then role name.
func (s *AccountRoles) List(ctx context.Context, a Actor, storeID, accountID string) ([]AccountRole, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ListAccountRoles(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := make([]AccountRole, len(rows))
	for i := range rows {
		out[i] = accountRoleView(&rows[i])
	}
	return out, nil
}

// Organizations returns the organizations the account is a member of, by
// name.
func (s *AccountRoles) Organizations(ctx context.Context, a Actor, storeID, accountID string) ([]AccountOrganization, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ListAccountOrganizations(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := make([]AccountOrganization, len(rows))
	for i := range rows {
		out[i] = accountOrganizationView(&rows[i])
	}
	return out, nil
}

// Assign gives the account the role in the organization (action
// account.role_assigned). An organization or role the store does not
// define is a ValidationError; a pair held already is ErrConflict.
func (s *AccountRoles) Assign(ctx context.Context, a Actor, storeID, accountID string, in RoleAssignment) (*AccountRole, error) {
	in.OrganizationID, in.RoleID = strings.TrimSpace(in.OrganizationID), strings.TrimSpace(in.RoleID)
	var v AccountRole
	err := s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
		if err != nil {
			return Change{}, err
		}
		if err := s.checkPair(ctx, storeID, in); err != nil {
			return Change{}, err
		}
		r := &storage.AccountRole{StoreID: storeID, AccountID: acct.ID, OrganizationID: in.OrganizationID,
			RoleID: in.RoleID, CreatedAt: s.core.Now()}
		if err := s.store.AssignAccountRole(ctx, r); err != nil {
			return Change{}, conflictAs(err, "the account holds this role in the organization already")
		}
		v = accountRoleView(r)
		return Change{Action: "account.role_assigned", TargetType: "account", TargetID: acct.ID, StoreID: storeID,
			After: pairAudit{AccountID: acct.ID, OrganizationID: r.OrganizationID, Organization: r.OrganizationName,
				RoleID: r.RoleID, Role: r.RoleName}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// checkPair reports a missing choice, or an organization or role the
// store does not define, as the input's fault, both at once.
func (s *AccountRoles) checkPair(ctx context.Context, storeID string, in RoleAssignment) error {
	p := Problems{}
	if in.OrganizationID == "" {
		p.Add("organization_id", "choose an organization")
	} else if _, err := s.store.GetOrganization(ctx, storeID, in.OrganizationID); errors.Is(err, storage.ErrNotFound) {
		p.Add("organization_id", "the store has no such organization")
	} else if err != nil {
		return err
	}
	if in.RoleID == "" {
		p.Add("role_id", "choose a role")
	} else if _, err := s.store.GetStoreRole(ctx, storeID, in.RoleID); errors.Is(err, storage.ErrNotFound) {
		p.Add("role_id", "the store has no such role")
	} else if err != nil {
		return err
	}
	return p.Err()
}

// Remove takes the role in the organization from the account (action
// account.role_removed); ErrNotFound when it does not hold it.
func (s *AccountRoles) Remove(ctx context.Context, a Actor, storeID, accountID, organizationID, roleID string) error {
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
		if err != nil {
			return Change{}, err
		}
		held, err := s.store.ListAccountRoles(ctx, acct.ID)
		if err != nil {
			return Change{}, err
		}
		for _, r := range held {
			if r.OrganizationID != organizationID || r.RoleID != roleID {
				continue
			}
			if err := s.store.RemoveAccountRole(ctx, acct.ID, organizationID, roleID); err != nil {
				return Change{}, err
			}
			return Change{Action: "account.role_removed", TargetType: "account", TargetID: acct.ID, StoreID: storeID,
				Before: pairAudit{AccountID: acct.ID, OrganizationID: r.OrganizationID, Organization: r.OrganizationName,
					RoleID: r.RoleID, Role: r.RoleName}}, nil
		}
		return Change{}, ErrNotFound
	})
}

// AddMembership makes the account a member of the organization (action
// account.membership_added). It is idempotent: for a member already it
// changes nothing, writes no audit entry and reports added false. No
// organization is a ValidationError, one the store does not define
// ErrNotFound.
func (s *AccountRoles) AddMembership(ctx context.Context, a Actor, storeID, accountID, organizationID string) (_ *AccountOrganization, added bool, _ error) {
	var v AccountOrganization
	err := s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
		if err != nil {
			return Change{}, err
		}
		if strings.TrimSpace(organizationID) == "" {
			return Change{}, Problems{"organization_id": "choose an organization"}.Err()
		}
		current, err := s.store.ListAccountOrganizations(ctx, acct.ID)
		if err != nil {
			return Change{}, err
		}
		for i := range current {
			if current[i].OrganizationID == organizationID {
				v = accountOrganizationView(&current[i])
				return Change{}, nil
			}
		}
		m := &storage.OrganizationMember{StoreID: storeID, AccountID: acct.ID, OrganizationID: organizationID,
			CreatedAt: s.core.Now()}
		if err := s.store.AddOrganizationMember(ctx, m); err != nil {
			return Change{}, conflictAs(err, "the account is a member of the organization already")
		}
		v, added = accountOrganizationView(m), true
		return Change{Action: "account.membership_added", TargetType: "account", TargetID: acct.ID, StoreID: storeID,
			After: pairAudit{AccountID: acct.ID, OrganizationID: m.OrganizationID, Organization: m.OrganizationName}}, nil
	})
	if err != nil {
		return nil, false, err
	}
	return &v, added, nil
}

// RemoveMembership ends the account's membership of the organization
// (action account.membership_removed); its roles there stay. ErrNotFound
// when it was no member.
func (s *AccountRoles) RemoveMembership(ctx context.Context, a Actor, storeID, accountID, organizationID string) error {
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
		if err != nil {
			return Change{}, err
		}
		current, err := s.store.ListAccountOrganizations(ctx, acct.ID)
		if err != nil {
			return Change{}, err
		}
		for _, m := range current {
			if m.OrganizationID != organizationID {
				continue
			}
			if err := s.store.RemoveOrganizationMember(ctx, organizationID, acct.ID); err != nil {
				return Change{}, err
			}
			return Change{Action: "account.membership_removed", TargetType: "account", TargetID: acct.ID, StoreID: storeID,
				Before: pairAudit{AccountID: acct.ID, OrganizationID: m.OrganizationID, Organization: m.OrganizationName}}, nil
		}
		return Change{}, ErrNotFound
	})
}
