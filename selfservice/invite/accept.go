package invite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"foyer/storage"
)

// Pending is an invitation found by its login hint, with what the sign-up
// pages need to show it.
type Pending struct {
	Invitation   *storage.Invitation
	Organization *storage.Organization // nil for none
	Application  *storage.Application
	// EmailReadOnly: the invitee must use the invited address (the
	// application's self-service policy does not let them choose another).
	EmailReadOnly bool
}

// Find returns the pending invitation a login hint carries, for an
// authorization request of clientID: the invitation's client or another
// client of the same application. Anything else (not an invitation's
// hint, a token replaced by a resend, used, revoked or expired, another
// application) is ErrUnusable, one error for all, so a link tells a guesser
// nothing.
func (s *Service) Find(ctx context.Context, loginHint, clientID string) (*Pending, error) {
	token, ok := strings.CutPrefix(loginHint, hintPrefix)
	if !ok || token == "" {
		return nil, ErrUnusable
	}
	inv, err := s.store.FindInvitationByToken(ctx, digest(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrUnusable
	}
	if err != nil {
		return nil, fmt.Errorf("invite: find: %w", err)
	}
	if inv.Status != storage.InvitationPending || !s.cfg.Now().Before(inv.ExpiresAt) {
		return nil, ErrUnusable
	}
	c, err := s.context(ctx, inv.StoreID, inv.OrganizationID, inv.ClientID)
	var ef errField
	if errors.As(err, &ef) {
		return nil, ErrUnusable // its client or organization is gone or changed
	}
	if err != nil {
		return nil, err
	}
	if clientID != inv.ClientID {
		other, err := s.store.GetClient(ctx, clientID)
		if err != nil || other.ApplicationID != c.app.ID {
			return nil, ErrUnusable
		}
	}
	return &Pending{Invitation: inv, Organization: c.org, Application: c.app,
		EmailReadOnly: !c.policy.Onboarding.InviteeMayChangeEmail}, nil
}

// Accept completes the invitation for acct and gives the account what the
// invitation promised: membership of its organization with its roles, its
// groups, and every group the application is assigned (seed 004). Call it
// inside the transaction that creates the account (or, for an existing
// account, a transaction of its own): the invitation is single-use, and
// of two acceptances only one completes — the other gets ErrUnusable and
// must roll back. skipped are the roles the invitation named that the
// current rules no longer let it grant (join); the acceptance's event
// records them.
func (s *Service) Accept(ctx context.Context, p *Pending, acct *storage.Account) (skipped []string, _ error) {
	inv := p.Invitation
	if acct.StoreID != inv.StoreID {
		return nil, ErrUnusable
	}
	if p.EmailReadOnly && !strings.EqualFold(acct.Email, inv.Email) {
		return nil, ErrUnusable
	}
	if err := s.store.CompleteInvitation(ctx, inv.ID, acct.ID, s.cfg.Now().UTC()); errors.Is(err, storage.ErrNotFound) {
		return nil, ErrUnusable
	} else if err != nil {
		return nil, fmt.Errorf("invite: complete: %w", err)
	}
	skipped, err := s.join(ctx, inv, acct)
	if err != nil {
		return nil, err
	}
	return skipped, s.addGroups(ctx, p, acct)
}

// join makes the account a member of the invitation's organization with
// its roles, as the rules are now, not as they were when it was sent: a
// role deleted since is skipped, and so is one an organization
// administrator's invitation names that is no longer assignable (the
// check Send made, checkRefs); skipped names them. What the account holds
// already is skipped silently. Everything is read first: in PostgreSQL a
// failed statement would abort the caller's transaction.
func (s *Service) join(ctx context.Context, inv *storage.Invitation, acct *storage.Account) (skipped []string, _ error) {
	if inv.OrganizationID == "" {
		return nil, nil
	}
	orgs, err := s.store.ListAccountOrganizations(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("invite: memberships: %w", err)
	}
	if !slices.ContainsFunc(orgs, func(m storage.OrganizationMember) bool { return m.OrganizationID == inv.OrganizationID }) {
		err := s.store.AddOrganizationMember(ctx, &storage.OrganizationMember{OrganizationID: inv.OrganizationID,
			AccountID: acct.ID, StoreID: inv.StoreID})
		if err != nil {
			return nil, fmt.Errorf("invite: membership: %w", err)
		}
	}
	held, err := s.store.ListAccountRoles(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("invite: roles: %w", err)
	}
	for _, roleID := range inv.RoleIDs {
		if slices.ContainsFunc(held, func(r storage.AccountRole) bool {
			return r.OrganizationID == inv.OrganizationID && r.RoleID == roleID
		}) {
			continue
		}
		role, err := s.store.GetStoreRole(ctx, inv.StoreID, roleID)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && inv.CreatedByKind == SenderAccount && !role.Assignable:
			if !slices.Contains(skipped, roleID) {
				skipped = append(skipped, roleID)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("invite: role %q: %w", roleID, err)
		}
		pair := storage.AccountRole{StoreID: inv.StoreID, AccountID: acct.ID, OrganizationID: inv.OrganizationID, RoleID: roleID}
		if err := s.store.AssignAccountRole(ctx, &pair); err != nil {
			return nil, fmt.Errorf("invite: role %q: %w", roleID, err)
		}
		held = append(held, pair) // a role the invitation names twice is given once
	}
	return skipped, nil
}

// addGroups adds the invitation's groups and the application's. A group
// deleted since the invitation was sent is skipped.
func (s *Service) addGroups(ctx context.Context, p *Pending, acct *storage.Account) error {
	var ids []string
	for _, id := range p.Invitation.GroupIDs {
		if _, err := s.store.GetGroup(ctx, acct.StoreID, id); errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return fmt.Errorf("invite: group %q: %w", id, err)
		}
		ids = append(ids, id)
	}
	settings, err := s.store.GetPortalSettings(ctx, p.Application.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("invite: application groups: %w", err)
	}
	if settings != nil {
		for _, name := range settings.Groups {
			g, err := s.store.GetGroupByName(ctx, acct.StoreID, name)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("invite: application group %q: %w", name, err)
			}
			ids = append(ids, g.ID)
		}
	}
	for _, id := range ids {
		if err := s.store.AddGroupMember(ctx, id, acct.ID); err != nil {
			return fmt.Errorf("invite: group %q: %w", id, err)
		}
	}
	return nil
}
