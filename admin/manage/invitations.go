package manage

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"foyer/selfservice/invite"
	"foyer/storage"
)

// InvitationsStore is what the Invitations service and the invite
// service it drives need.
type InvitationsStore interface {
	CoreStore
	invite.Store
	ListApplications(ctx context.Context) ([]storage.Application, error)
	ListClients(ctx context.Context) ([]storage.Client, error)
}

// Invitations is customer invitations on the operator side (seed 004):
// support staff and administrators send them, see them, resend and
// revoke them. Sending needs WriteAccounts on the store, seeing them
// ReadAccounts, as the accounts they lead to.
type Invitations struct {
	core  *Core
	store InvitationsStore
	send  *invite.Service
}

// NewInvitations returns the service over an invite service of its own
// (mail queues the e-mails, cfg says where the links start), which sends
// inside the transaction of its audit entry (invitations_tx.go).
func NewInvitations(core *Core, store InvitationsStore, mail invite.Mailer, cfg invite.Config) *Invitations {
	return &Invitations{core: core, store: store, send: invite.New(inviteStore{store}, mail, cfg)}
}

// Invitation statuses as the API and the console show them: Expired is a
// pending invitation past its expiry (computed, not stored).
const (
	InvitationPending = "pending"
	InvitationDone    = "done"
	InvitationExpired = "expired"
)

// Invitation is an invitation as the API and the console show it. It
// never carries the token (nor its digest).
type Invitation struct {
	ID               string            `json:"id"`
	StoreID          string            `json:"store_id"`
	OrganizationID   string            `json:"organization_id,omitempty"`
	OrganizationName string            `json:"organization_name,omitempty"`
	ClientID         string            `json:"client_id"`
	ClientName       string            `json:"client_name,omitempty"`
	Email            string            `json:"email"`
	Language         string            `json:"language,omitempty"`
	RoleIDs          []string          `json:"role_ids"`
	GroupIDs         []string          `json:"group_ids"`
	Attributes       map[string]string `json:"attributes"`
	Status           string            `json:"status"`
	CreatedBy        InvitationSender  `json:"created_by"`
	SendCount        int               `json:"send_count"`
	AccountID        string            `json:"account_id,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	SentAt           time.Time         `json:"sent_at"`
	ExpiresAt        time.Time         `json:"expires_at"`
	AcceptedAt       *time.Time        `json:"accepted_at,omitempty"`
}

// InvitationSender is who sent an invitation.
type InvitationSender struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// InvitationInput is what an operator submits to invite someone.
type InvitationInput struct {
	OrganizationID string            `json:"organization_id,omitempty"`
	ClientID       string            `json:"client_id"`
	Email          string            `json:"email"`
	Language       string            `json:"language,omitempty"`
	RoleIDs        []string          `json:"role_ids,omitempty"`
	GroupIDs       []string          `json:"group_ids,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"`
}

// InvitationClient is a client an invitation may name: its brand portal
// is where the invitation link leads.
type InvitationClient struct {
	ClientID        string `json:"client_id"`
	Name            string `json:"name"`
	ApplicationID   string `json:"application_id"`
	ApplicationName string `json:"application_name"`
}

// invitationAudit is what an audit entry of an invitation holds: whom it
// invites to what, never its token.
type invitationAudit struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	OrganizationID string    `json:"organization_id,omitempty"`
	Organization   string    `json:"organization,omitempty"`
	ClientID       string    `json:"client_id"`
	RoleIDs        []string  `json:"role_ids"`
	GroupIDs       []string  `json:"group_ids"`
	ExpiresAt      time.Time `json:"expires_at"`
	SendCount      int       `json:"send_count"`
}

func (v *Invitation) audit() invitationAudit {
	return invitationAudit{ID: v.ID, Email: v.Email, OrganizationID: v.OrganizationID, Organization: v.OrganizationName,
		ClientID: v.ClientID, RoleIDs: v.RoleIDs, GroupIDs: v.GroupIDs, ExpiresAt: v.ExpiresAt, SendCount: v.SendCount}
}

// requireInvitations checks the actor may do p on the store's
// invitations: never in the administrators store (they are not
// customers), and the store must exist.
func (s *Invitations) requireInvitations(ctx context.Context, a Actor, p Permission, storeID string) error {
	if storeID == storage.AdministratorsStoreID {
		return ErrNotFound
	}
	if err := a.Require(p, storeID); err != nil {
		return err
	}
	if _, err := s.store.GetIdentityStore(ctx, storeID); err != nil {
		return err
	}
	return nil
}

// List returns one page of the store's invitations, newest first.
// organizationID "" lists all, "none" those without an organization;
// after is the id of the last invitation of the page before.
func (s *Invitations) List(ctx context.Context, a Actor, storeID, organizationID, after string, limit int) (Page[Invitation], error) {
	if err := s.requireInvitations(ctx, a, ReadAccounts, storeID); err != nil {
		return Page[Invitation]{}, err
	}
	if organizationID == "none" {
		organizationID = storage.NoOrganization
	}
	rows, err := s.store.ListInvitations(ctx, storeID, organizationID, after, pageSize(limit))
	if err != nil {
		return Page[Invitation]{}, err
	}
	rows, more := cut(rows, limit)
	names := newNameCache(s.store, storeID)
	out := Page[Invitation]{Items: make([]Invitation, len(rows))}
	for i := range rows {
		if out.Items[i], err = s.view(ctx, names, &rows[i]); err != nil {
			return Page[Invitation]{}, err
		}
	}
	if more {
		out.Next = rows[len(rows)-1].ID
	}
	return out, nil
}

// Get returns one invitation of the store; ErrNotFound (a revoked one is
// gone).
func (s *Invitations) Get(ctx context.Context, a Actor, storeID, id string) (*Invitation, error) {
	if err := s.requireInvitations(ctx, a, ReadAccounts, storeID); err != nil {
		return nil, err
	}
	inv, err := s.store.GetInvitation(ctx, storeID, id)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, newNameCache(s.store, storeID), inv)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Send checks and sends an invitation (action invitation.sent). Its
// problems come as a ValidationError with the input's field names.
func (s *Invitations) Send(ctx context.Context, a Actor, storeID string, in InvitationInput) (*Invitation, error) {
	if err := s.requireInvitations(ctx, a, WriteAccounts, storeID); err != nil {
		return nil, err
	}
	req := invite.Request{StoreID: storeID, OrganizationID: strings.TrimSpace(in.OrganizationID),
		ClientID: strings.TrimSpace(in.ClientID), Email: in.Email, Language: strings.TrimSpace(in.Language),
		RoleIDs: in.RoleIDs, GroupIDs: in.GroupIDs, Attributes: in.Attributes, By: sender(a)}
	hidden, err := s.hiddenAttributes(ctx, storeID, in.Attributes)
	if err != nil {
		return nil, err
	}
	return s.sent(ctx, a, storeID, "invitation.sent", func(ctx context.Context) (*storage.Invitation, error) {
		inv, err := s.send.Send(ctx, req)
		var ve *invite.ValidationError
		switch {
		case errors.As(err, &ve):
			for f, msg := range hidden {
				if _, ok := ve.Fields[f]; !ok {
					ve.Fields[f] = msg
				}
			}
			return nil, err
		case err != nil:
			return nil, err
		case len(hidden) > 0:
			// Every problem at once: the rest was fine, and returning the
			// error rolls the sending back.
			return nil, &invite.ValidationError{Fields: hidden}
		}
		return inv, nil
	})
}

// Resend sends a pending invitation again with a new link (the old one
// stops working) and a renewed expiry (action invitation.resent). One
// accepted already is a conflict.
func (s *Invitations) Resend(ctx context.Context, a Actor, storeID, id string) (*Invitation, error) {
	if err := s.requireInvitations(ctx, a, WriteAccounts, storeID); err != nil {
		return nil, err
	}
	return s.sent(ctx, a, storeID, "invitation.resent", func(ctx context.Context) (*storage.Invitation, error) {
		return s.send.Resend(ctx, storeID, id)
	})
}

// Revoke deletes the invitation: its link stops working and it leaves the
// list (action invitation.revoked). ErrNotFound.
func (s *Invitations) Revoke(ctx context.Context, a Actor, storeID, id string) error {
	if err := s.requireInvitations(ctx, a, WriteAccounts, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		inv, err := s.store.GetInvitation(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		v, err := s.view(ctx, newNameCache(s.store, storeID), inv)
		if err != nil {
			return Change{}, err
		}
		if err := s.send.Revoke(ctx, storeID, id); err != nil {
			return Change{}, err
		}
		return Change{Action: "invitation.revoked", TargetType: "invitation", TargetID: id, StoreID: storeID,
			Before: v.audit()}, nil
	})
}

// sent runs a sending of the invite service (send) in the transaction of
// its audit entry, so the invitation, its e-mail and the entry are
// stored together or not at all, and returns the invitation as shown.
func (s *Invitations) sent(ctx context.Context, a Actor, storeID, action string,
	send func(ctx context.Context) (*storage.Invitation, error)) (*Invitation, error) {
	var v Invitation
	err := s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		inv, err := send(joinTx(ctx))
		if err != nil {
			return Change{}, invitationError(err)
		}
		if v, err = s.view(ctx, newNameCache(s.store, storeID), inv); err != nil {
			return Change{}, err
		}
		return Change{Action: action, TargetType: "invitation", TargetID: inv.ID, StoreID: storeID, After: v.audit()}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// hiddenAttributes are the problems of pre-filled attributes the schema
// hides from the console: an operator may set only what the console
// shows.
func (s *Invitations) hiddenAttributes(ctx context.Context, storeID string, values map[string]string) (map[string]string, error) {
	st, err := s.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return nil, err
	}
	p := map[string]string{}
	for name := range values {
		for _, d := range st.Attributes {
			if d.Name == name && !d.AdminVisible {
				p["attributes."+name] = "is not an attribute the admin console shows"
			}
		}
	}
	return p, nil
}

// sender is the actor as an invitation names its sender. The system (the
// CLI) goes unnamed in the e-mail.
func sender(a Actor) invite.Sender {
	if a.Kind == storage.PrincipalSystem {
		return invite.Sender{Kind: string(a.Kind)}
	}
	return invite.Sender{Kind: string(a.Kind), ID: a.ID, Name: a.Name}
}

// invitationError maps the invite service's errors to the package's.
func invitationError(err error) error {
	var ve *invite.ValidationError
	switch {
	case errors.As(err, &ve):
		return &ValidationError{Fields: maps.Clone(ve.Fields)}
	case errors.Is(err, invite.ErrNotPending):
		return Conflict("the invitation was accepted already: there is nothing to resend")
	}
	return err
}
