package storage

import (
	"context"
	"time"
)

// AccountRole is one (organization, role) pair an account holds: the
// account has the role in that organization of its identity store. An
// account may hold several roles in several organizations, whether or
// not it is a member of them (seed 002: only role pairs count for
// permissions).
type AccountRole struct {
	AccountID        string
	StoreID          string
	OrganizationID   string
	OrganizationName string // read from the organization; ignored on assignment
	RoleID           string
	RoleName         string // read from the role; ignored on assignment
	CreatedAt        time.Time
}

// OrganizationMember is an account's membership of an organization of its
// identity store.
type OrganizationMember struct {
	OrganizationID   string
	OrganizationName string // read from the organization; ignored when added
	AccountID        string
	StoreID          string
	CreatedAt        time.Time
}

// AccountRoles reads and writes the role pairs and organization
// memberships of accounts. The account, the organization and the role
// must all be of the identity store named: anything else (an unknown id,
// or one of another store) is ErrNotFound and writes nothing. Deleting
// an account, an organization or a role removes its rows.
type AccountRoles interface {
	// AssignAccountRole inserts the pair r names (StoreID, AccountID,
	// OrganizationID, RoleID), filling in CreatedAt when zero and the
	// names; a pair the account already holds is ErrConflict.
	AssignAccountRole(ctx context.Context, r *AccountRole) error
	// RemoveAccountRole removes one pair; ErrNotFound when the account
	// does not hold it.
	RemoveAccountRole(ctx context.Context, accountID, organizationID, roleID string) error
	// ListAccountRoles returns the account's pairs with the names of
	// organization and role, ordered by organization name then role name
	// (case-insensitively), in one query: what the "roles" claim of a
	// token is made of.
	ListAccountRoles(ctx context.Context, accountID string) ([]AccountRole, error)

	// AddOrganizationMember makes the account a member of the
	// organization, filling in CreatedAt when zero and the name; a member
	// already is ErrConflict.
	AddOrganizationMember(ctx context.Context, m *OrganizationMember) error
	// RemoveOrganizationMember ends a membership; ErrNotFound when the
	// account was no member.
	RemoveOrganizationMember(ctx context.Context, organizationID, accountID string) error
	// ListAccountOrganizations returns the organizations the account is
	// a member of, by name (case-insensitively).
	ListAccountOrganizations(ctx context.Context, accountID string) ([]OrganizationMember, error)
}
