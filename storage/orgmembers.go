package storage

import (
	"context"
	"errors"
)

// ErrLastOrganizationAdmin refuses a change that would leave an
// organization with nobody holding an OrganizationAdmin role in it: the
// organization would be left without anyone to administer it from the
// portal.
var ErrLastOrganizationAdmin = errors.New("storage: the organization's last administrator")

// OrganizationPerson is one of an organization's people (seed 003:
// "members are the accounts with a role in it"): an account that is a
// member of it, holds a role in it, or both.
type OrganizationPerson struct {
	AccountID string
	Email     string
	Username  string
	Member    bool         // has an organization_members row
	Roles     []PersonRole // the roles held in the organization, by name
}

// PersonRole is a role an OrganizationPerson holds in the organization,
// with the flags that decide what an organization administrator may do
// with it.
type PersonRole struct {
	ID                string
	Name              string
	OrganizationAdmin bool
	Assignable        bool
}

// OrganizationPeople is the account portal's view of an organization's
// people, for the accounts that administer it.
type OrganizationPeople interface {
	// ListAdministeredOrganizations returns the organizations in which
	// the account holds a role with OrganizationAdmin, by name
	// (case-insensitively), in one query.
	ListAdministeredOrganizations(ctx context.Context, accountID string) ([]Organization, error)
	// ListOrganizationPeople returns up to limit (0: all) of the people
	// of an organization of the store, by e-mail address
	// (case-insensitively) then account id, after the account with id
	// after ("" starts at the beginning), with their roles in it: two
	// queries whatever the number of people.
	ListOrganizationPeople(ctx context.Context, storeID, organizationID, after string, limit int) ([]OrganizationPerson, error)
	// GetOrganizationPerson returns one account of the organization's
	// people; ErrNotFound when the account is neither a member of it nor
	// holds a role in it (or is of another store).
	GetOrganizationPerson(ctx context.Context, storeID, organizationID, accountID string) (*OrganizationPerson, error)
	// RevokeOrganizationRole removes the role pair, unless it is the
	// last OrganizationAdmin pair of the organization
	// (ErrLastOrganizationAdmin, nothing changes). ErrNotFound when the
	// account does not hold it.
	RevokeOrganizationRole(ctx context.Context, organizationID, accountID, roleID string) error
	// RemoveOrganizationPerson removes every role pair the account holds
	// in the organization and its membership, in one transaction, unless
	// no administrator would be left (ErrLastOrganizationAdmin, nothing
	// changes). ErrNotFound when the account was none of its people.
	RemoveOrganizationPerson(ctx context.Context, storeID, organizationID, accountID string) error
}
