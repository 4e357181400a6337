package manage

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"foyer/storage"
)

// nameCache resolves the organization and client names of a page of
// invitations, reading each once.
type nameCache struct {
	store   InvitationsStore
	storeID string
	orgs    map[string]string
	clients map[string]string
}

func newNameCache(s InvitationsStore, storeID string) *nameCache {
	return &nameCache{store: s, storeID: storeID, orgs: map[string]string{}, clients: map[string]string{}}
}

// org is the organization's name; "" when it is gone (an invitation
// outlives nothing, but a read must not fail on it).
func (c *nameCache) org(ctx context.Context, id string) (string, error) {
	if n, ok := c.orgs[id]; ok || id == "" {
		return n, nil
	}
	o, err := c.store.GetOrganization(ctx, c.storeID, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	if o != nil {
		c.orgs[id] = o.Name
	}
	return c.orgs[id], nil
}

func (c *nameCache) client(ctx context.Context, id string) (string, error) {
	if n, ok := c.clients[id]; ok {
		return n, nil
	}
	cl, err := c.store.GetClient(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	if cl != nil {
		c.clients[id] = cl.Name
	}
	return c.clients[id], nil
}

// view is the invitation as shown, its status computed at the core's
// clock.
func (s *Invitations) view(ctx context.Context, names *nameCache, inv *storage.Invitation) (Invitation, error) {
	v := Invitation{ID: inv.ID, StoreID: inv.StoreID, OrganizationID: inv.OrganizationID, ClientID: inv.ClientID,
		Email: inv.Email, Language: inv.Language, RoleIDs: inv.RoleIDs, GroupIDs: inv.GroupIDs, Attributes: inv.Attributes,
		Status: InvitationPending, CreatedBy: InvitationSender{Kind: inv.CreatedByKind, ID: inv.CreatedByID, Name: inv.CreatedByName},
		SendCount: inv.SendCount, AccountID: inv.AccountID, CreatedAt: inv.CreatedAt, SentAt: inv.SentAt,
		ExpiresAt: inv.ExpiresAt, AcceptedAt: inv.AcceptedAt}
	switch {
	case inv.Status == storage.InvitationDone:
		v.Status = InvitationDone
	case !s.core.Now().Before(inv.ExpiresAt):
		v.Status = InvitationExpired
	}
	if v.RoleIDs == nil {
		v.RoleIDs = []string{}
	}
	if v.GroupIDs == nil {
		v.GroupIDs = []string{}
	}
	if v.Attributes == nil {
		v.Attributes = map[string]string{}
	}
	var err error
	if v.OrganizationName, err = names.org(ctx, inv.OrganizationID); err != nil {
		return Invitation{}, err
	}
	if v.ClientName, err = names.client(ctx, inv.ClientID); err != nil {
		return Invitation{}, err
	}
	return v, nil
}

// NamedRef is a role or group an invitation names, with its name ("" when
// it was deleted since).
type NamedRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Names resolves an invitation's roles and groups for its detail view.
func (s *Invitations) Names(ctx context.Context, a Actor, inv *Invitation) (roles, groups []NamedRef, err error) {
	if err := s.requireInvitations(ctx, a, ReadAccounts, inv.StoreID); err != nil {
		return nil, nil, err
	}
	for _, id := range inv.RoleIDs {
		r, err := s.store.GetStoreRole(ctx, inv.StoreID, id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, nil, err
		}
		ref := NamedRef{ID: id}
		if r != nil {
			ref.Name = r.Name
		}
		roles = append(roles, ref)
	}
	for _, id := range inv.GroupIDs {
		g, err := s.store.GetGroup(ctx, inv.StoreID, id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, nil, err
		}
		ref := NamedRef{ID: id}
		if g != nil {
			ref.Name = g.Name
		}
		groups = append(groups, ref)
	}
	return roles, groups, nil
}

// Clients lists the clients an invitation of the store may name, by
// application and client name: with an organization (organizationID not
// "" nor "none") the clients of organizational applications, without one
// the others; either way only clients with a brand portal, registered by
// an operator (seed 004: "Organizations require special types of
// clients"). An organization the store does not have is ErrNotFound.
func (s *Invitations) Clients(ctx context.Context, a Actor, storeID, organizationID string) ([]InvitationClient, error) {
	if err := s.requireInvitations(ctx, a, ReadAccounts, storeID); err != nil {
		return nil, err
	}
	withOrg := organizationID != "" && organizationID != "none"
	if withOrg {
		if _, err := s.store.GetOrganization(ctx, storeID, organizationID); err != nil {
			return nil, err
		}
	}
	apps, err := s.store.ListApplications(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]storage.Application{}
	for _, app := range apps {
		if app.StoreID == storeID && app.Organizational == withOrg {
			byID[app.ID] = app
		}
	}
	clients, err := s.store.ListClients(ctx)
	if err != nil {
		return nil, err
	}
	out := []InvitationClient{}
	for _, c := range clients {
		app, ok := byID[c.ApplicationID]
		if !ok || c.InitiateLoginURI == "" || c.RegistrationTokenHash != nil {
			continue
		}
		out = append(out, InvitationClient{ClientID: c.ID, Name: c.Name, ApplicationID: app.ID, ApplicationName: app.Name})
	}
	slices.SortFunc(out, func(x, y InvitationClient) int {
		return cmp.Or(cmp.Compare(x.ApplicationName, y.ApplicationName), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ClientID, y.ClientID))
	})
	return out, nil
}
