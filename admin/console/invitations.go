package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// InvitationService is what the console asks of a store's customer
// invitations (manage.Invitations).
type InvitationService interface {
	List(ctx context.Context, a manage.Actor, storeID, organizationID, after string, limit int) (manage.Page[manage.Invitation], error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Invitation, error)
	Names(ctx context.Context, a manage.Actor, inv *manage.Invitation) (roles, groups []manage.NamedRef, err error)
	Clients(ctx context.Context, a manage.Actor, storeID, organizationID string) ([]manage.InvitationClient, error)
	Send(ctx context.Context, a manage.Actor, storeID string, in manage.InvitationInput) (*manage.Invitation, error)
	Resend(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Invitation, error)
	Revoke(ctx context.Context, a manage.Actor, storeID, id string) error
}

// Routes of a store's invitations.
const (
	invitationsRoute      = "console.invitations"
	invitationNewRoute    = "console.invitation_new"
	invitationRoute       = "console.invitation"
	invitationResendRoute = "console.invitation_resend"
	invitationRevokeRoute = "console.invitation_revoke"
	invitationsPageSize   = 50
)

// mountInvitations registers the invitation pages; without the service
// there are none.
func (h *Handler) mountInvitations(r *mux.Router) {
	if h.invitations == nil {
		return
	}
	base := "/admin/stores/{store}/invitations"
	route.Handle(r, invitationsRoute, base, route.Methods{http.MethodGet: h.authed(h.invitationsPage)})
	// Before {invitation}: "new" is not an invitation.
	route.Handle(r, invitationNewRoute, base+"/new", route.Methods{
		http.MethodGet: h.authed(h.newInvitationPage), http.MethodPost: h.authed(h.sendInvitation)})
	route.Handle(r, invitationRoute, base+"/{invitation}", route.Methods{http.MethodGet: h.authed(h.invitationPage)})
	route.Handle(r, invitationResendRoute, base+"/{invitation}/resend", route.Methods{http.MethodPost: h.authed(h.resendInvitation)})
	route.Handle(r, invitationRevokeRoute, base+"/{invitation}/revoke", route.Methods{
		http.MethodGet: h.authed(h.confirmRevokeInvitation), http.MethodPost: h.authed(h.revokeInvitation)})
}

// invitationsPage is the data of admin_invitations: the store's
// invitations newest first, filtered by organization, and the way to
// invite someone.
type invitationsPage struct {
	frame
	StoreName string
	Rows      []invitationRow
	// The filter: "" every invitation, "none" those without an
	// organization, else an organization's id.
	FilterURL string
	Filter    []option
	NextURL   string
	CanSend   bool
	NewURL    string
}

// option is one choice of a select or one checkbox.
type option struct {
	Value, Label string
	Selected     bool
	// Translate marks a Label that is a message key, not a name.
	Translate bool
}

// invitationRow is one invitation of the list; Organization "" is none.
type invitationRow struct {
	Email, Organization, Client string
	Status                      string // a message key
	Sent, Expires, URL          string
}

func (h *Handler) invitationsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := q.Get("organization")
	page, err := h.invitations.List(r.Context(), rq.Actor, s.ID, filter, q.Get("after"), invitationsPageSize)
	if err != nil {
		return err
	}
	orgs, err := h.orgs.ListBy(r.Context(), rq.Actor, s.ID, manage.ListOptions{})
	if err != nil {
		return err
	}
	p := &invitationsPage{StoreName: s.Name, FilterURL: h.path(invitationsRoute, nil, "store", s.ID),
		CanSend: rq.Actor.Can(manage.WriteAccounts, s.ID), NewURL: h.path(invitationNewRoute, nil, "store", s.ID)}
	p.Filter = append(p.Filter, option{Value: "", Label: "admin.invitations.all", Selected: filter == "", Translate: true},
		option{Value: "none", Label: "admin.invitations.no_organization", Selected: filter == "none", Translate: true})
	for _, o := range orgs.Items {
		p.Filter = append(p.Filter, option{Value: o.ID, Label: o.Name, Selected: filter == o.ID})
	}
	for _, inv := range page.Items {
		p.Rows = append(p.Rows, invitationRow{Email: inv.Email, Organization: inv.OrganizationName, Client: inv.ClientName,
			Status: "admin.invitations.status_" + inv.Status, Sent: inv.SentAt.UTC().Format(listTime),
			Expires: inv.ExpiresAt.UTC().Format(listTime), URL: h.path(invitationRoute, nil, "store", s.ID, "invitation", inv.ID)})
	}
	if page.Next != "" {
		next := url.Values{"after": {page.Next}}
		if filter != "" {
			next.Set("organization", filter)
		}
		p.NextURL = h.path(invitationsRoute, next, "store", s.ID)
	}
	h.page(w, r, rq, "admin_invitations", http.StatusOK, s.ID, p)
	return nil
}
