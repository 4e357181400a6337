// Package roleclaims is the authz.ClaimSource of the "roles" claim: the
// roles an account holds in the organizations of its identity store
// (seed 002, the Roles tab), for clients granted the "roles" scope.
//
// The claim is one object per organization, keyed by the organization's
// id (names can change, ids cannot), with the organization's name and the
// names of the roles the account holds there:
//
//	"roles": {
//	  "<organization id>": {"name": "Acme", "roles": ["admin", "viewer"]}
//	}
//
// Only role pairs count, not membership: an account may hold roles in an
// organization it is no member of. An account holding no role gets no
// claim. The claim is read when a token is issued and at every UserInfo
// request, so a role removed is gone from the next UserInfo answer (an ID
// token already issued keeps what it said).
package roleclaims

import (
	"context"

	"github.com/ory/fosite"

	"foyer/storage"
)

// Scope is the scope that releases the claim, and Claim its name.
const (
	Scope = "roles"
	Claim = "roles"
)

// Store is what the source reads: an account's pairs with the names of
// organization and role, in one query (storage.AccountRoles).
type Store interface {
	ListAccountRoles(ctx context.Context, accountID string) ([]storage.AccountRole, error)
}

// Source makes the claim.
type Source struct {
	store Store
}

// New returns the source over the store.
func New(store Store) *Source { return &Source{store: store} }

// ClaimNames makes a refresh read the roles again (authz.ClaimNamer): a
// role taken away must not stay in refreshed ID tokens.
func (s *Source) ClaimNames() []string { return []string{"roles"} }

// Organization is one member of the claim.
type Organization struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// Claims returns {"roles": ...} when the granted scopes hold "roles" and
// the account holds a role; nothing otherwise. Roles are in the order
// storage lists them (by name).
func (s *Source) Claims(ctx context.Context, acct *storage.Account, _ string, scopes fosite.Arguments) (map[string]any, error) {
	if !scopes.Has(Scope) {
		return nil, nil
	}
	pairs, err := s.store.ListAccountRoles(ctx, acct.ID)
	if err != nil || len(pairs) == 0 {
		return nil, err
	}
	orgs := map[string]Organization{}
	for _, p := range pairs {
		o := orgs[p.OrganizationID]
		o.Name = p.OrganizationName
		o.Roles = append(o.Roles, p.RoleName)
		orgs[p.OrganizationID] = o
	}
	return map[string]any{Claim: orgs}, nil
}
