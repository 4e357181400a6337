package invite

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"foyer/storage"
)

// inviteContext is what an invitation points at, loaded and checked.
type inviteContext struct {
	store  *storage.IdentityStore
	org    *storage.Organization // nil for none
	client *storage.Client
	app    *storage.Application
	policy storage.SelfServicePolicy
}

// errField marks a reference that names nothing usable; check turns it
// into a field error.
type errField struct{ field, msg string }

func (e errField) Error() string { return e.field + ": " + e.msg }

// context loads the store, organization, client and application of an
// invitation and checks they fit together: the client's application
// serves the store, is organizational exactly when an organization is
// named (seed 004: "Organizations require special types of clients"), and
// the client has a brand portal the invitation link can open.
func (s *Service) context(ctx context.Context, storeID, orgID, clientID string) (*inviteContext, error) {
	st, err := s.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return nil, err
	}
	c := &inviteContext{store: st}
	if orgID != "" {
		if c.org, err = s.store.GetOrganization(ctx, storeID, orgID); errors.Is(err, storage.ErrNotFound) {
			return nil, errField{"organization_id", "is not an organization of this identity store"}
		} else if err != nil {
			return nil, err
		}
	}
	if clientID == "" {
		return nil, errField{"client_id", "choose the client whose brand portal the invitation opens"}
	}
	if c.client, err = s.store.GetClient(ctx, clientID); errors.Is(err, storage.ErrNotFound) {
		return nil, errField{"client_id", "is not a client"}
	} else if err != nil {
		return nil, err
	}
	if c.app, err = s.store.GetApplication(ctx, c.client.ApplicationID); err != nil {
		return nil, fmt.Errorf("invite: application of client %q: %w", clientID, err)
	}
	switch {
	case c.app.StoreID != storeID:
		return nil, errField{"client_id", "belongs to an application of another identity store"}
	case c.org != nil && !c.app.Organizational:
		return nil, errField{"client_id", "an invitation to an organization needs a client of an organizational application"}
	case c.org == nil && c.app.Organizational:
		return nil, errField{"client_id", `an invitation with "No organization" needs a client of a non-organizational application`}
	case c.client.InitiateLoginURI == "" || c.client.RegistrationTokenHash != nil:
		return nil, errField{"client_id", "has no brand portal (initiate_login_uri) for the invitation link to open"}
	}
	c.policy = c.app.SelfService.Effective(st)
	return c, nil
}

// check validates the whole request and reports every problem at once.
func (s *Service) check(ctx context.Context, req Request) (*inviteContext, error) {
	problems := map[string]string{}
	add := func(field, msg string) {
		if _, ok := problems[field]; !ok {
			problems[field] = msg
		}
	}
	c, err := s.context(ctx, req.StoreID, req.OrganizationID, req.ClientID)
	var ef errField
	switch {
	case errors.As(err, &ef):
		add(ef.field, ef.msg)
	case err != nil:
		return nil, err
	}
	if !storage.ValidEmail(req.Email) {
		add("email", "must be an e-mail address")
	}
	langs := s.cfg.Languages
	if s.cfg.LanguagesNow != nil {
		langs = s.cfg.LanguagesNow()
	}
	if req.Language != "" && !slices.Contains(langs, req.Language) {
		add("language", fmt.Sprintf("must be one of %v", langs))
	}
	if err := s.checkRefs(ctx, req, add); err != nil {
		return nil, err
	}
	if c != nil {
		checkAttributes(c.store.Attributes, req.Attributes, add)
		if err := s.checkAddress(ctx, c, req, add); err != nil {
			return nil, err
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Fields: problems}
	}
	return c, nil
}

// checkRefs checks the roles (only with an organization: roles are held
// in one) and the groups are the store's.
func (s *Service) checkRefs(ctx context.Context, req Request, add func(field, msg string)) error {
	if len(req.RoleIDs) > 0 && req.OrganizationID == "" {
		add("role_ids", "roles are held in an organization: choose one or assign no role")
	}
	for _, id := range req.RoleIDs {
		r, err := s.store.GetStoreRole(ctx, req.StoreID, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			add("role_ids", fmt.Sprintf("%q is not a role of this identity store", id))
		case err != nil:
			return err
		case req.OnlyAssignable && !r.Assignable:
			add("role_ids", fmt.Sprintf("%q is not a role organization administrators may grant", r.Name))
		}
	}
	for _, id := range req.GroupIDs {
		_, err := s.store.GetGroup(ctx, req.StoreID, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			add("group_ids", fmt.Sprintf("%q is not a group of this identity store", id))
		case err != nil:
			return err
		}
	}
	return nil
}

// checkAttributes checks the pre-filled values: attributes of the schema,
// each valid for its type. Required attributes may be left for the
// invitee to fill in.
func checkAttributes(schema []storage.AttributeDef, values map[string]string, add func(field, msg string)) {
	for name, v := range values {
		i := slices.IndexFunc(schema, func(d storage.AttributeDef) bool { return d.Name == name })
		if i < 0 {
			add("attributes."+name, "is not an attribute of this identity store")
			continue
		}
		if v == "" {
			continue
		}
		if err := schema[i].Check(v); err != nil {
			add("attributes."+name, err.Error())
		}
	}
}

// checkAddress refuses an address that already belongs to an account of
// the store when the invited address is read-only (seed 004's "Sending
// error", an operator's: the Admin Console's). An organization
// administrator's invitation is not checked: the refusal would tell a
// customer which addresses have an account in the store, other
// organizations' people included; the owner accepts it by signing in.
func (s *Service) checkAddress(ctx context.Context, c *inviteContext, req Request, add func(field, msg string)) error {
	if c.policy.Onboarding.InviteeMayChangeEmail || !storage.ValidEmail(req.Email) || req.By.Kind == SenderAccount {
		return nil
	}
	_, err := s.store.FindAccountByIdentifier(ctx, req.StoreID, storage.IdentifierEmail, req.Email)
	switch {
	case err == nil:
		add("email", "already belongs to an account of this identity store, and the application's self-service policy makes the invited address read-only")
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return nil
}
