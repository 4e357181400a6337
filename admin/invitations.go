package admin

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoInvitations: the handler was built without the Invitations
// service (a test that only walks the routes).
var errNoInvitations = errors.New("admin: the invitations service is not configured")

// Route names of a store's invitations.
const (
	invitationsRoute       = "admin.invitations"
	invitationRoute        = "admin.invitation"
	invitationResendRoute  = "admin.invitation_resend"
	invitationClientsRoute = "admin.invitation_clients"
)

// mountInvitations registers a store's customer invitations:
//
//	/stores/{store}/invitations              GET (?organization=ID|none), POST
//	/stores/{store}/invitations/{id}         GET, DELETE (revoke)
//	/stores/{store}/invitations/{id}/resend  POST
//	/stores/{store}/invitation-clients       GET (?organization=ID|none)
//
// Invitations have no If-Match: a resend or a revocation of one that
// changed meanwhile is still what was asked.
func (h *Handler) mountInvitations(api *mux.Router) {
	base := "/stores/{store}/invitations"
	route.Handle(api, invitationsRoute, base, route.Methods{
		http.MethodGet: h.withInvitations(h.listInvitations), http.MethodPost: h.withInvitations(h.sendInvitation)})
	route.Handle(api, invitationRoute, base+"/{invitation}", route.Methods{
		http.MethodGet: h.withInvitations(h.getInvitation), http.MethodDelete: h.withInvitations(h.revokeInvitation)})
	route.Handle(api, invitationResendRoute, base+"/{invitation}/resend", route.Methods{
		http.MethodPost: h.withInvitations(h.resendInvitation)})
	route.Handle(api, invitationClientsRoute, "/stores/{store}/invitation-clients", route.Methods{
		http.MethodGet: h.withInvitations(h.listInvitationClients)})
}

// withInvitations runs next only when the service is there.
func (h *Handler) withInvitations(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.invitations == nil {
			return errNoInvitations
		}
		return next(w, r, a)
	})
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	limit, after, err := pageParams(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := h.invitations.List(r.Context(), a, mux.Vars(r)["store"], r.URL.Query().Get("organization"), after, limit)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (h *Handler) sendInvitation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.InvitationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	storeID := mux.Vars(r)["store"]
	inv, err := h.invitations.Send(r.Context(), a, storeID, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Location", h.routes.Path(invitationRoute, nil, "store", storeID, "invitation", inv.ID))
	writeJSON(w, http.StatusCreated, inv)
	return nil
}

func (h *Handler) getInvitation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	inv, err := h.invitations.Get(r.Context(), a, v["store"], v["invitation"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	if err := h.invitations.Revoke(r.Context(), a, v["store"], v["invitation"]); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	inv, err := h.invitations.Resend(r.Context(), a, v["store"], v["invitation"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, inv)
	return nil
}

func (h *Handler) listInvitationClients(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	items, err := h.invitations.Clients(r.Context(), a, mux.Vars(r)["store"], r.URL.Query().Get("organization"))
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, itemList(items))
	return nil
}
