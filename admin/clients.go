package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// clientRoute is one client of the API, with the id variable.
const clientRoute = "admin.client"

// mountClients registers the clients' endpoints.
func (h *Handler) mountClients(api *mux.Router) {
	route.Handle(api, "admin.clients", "/clients", route.Methods{
		http.MethodGet: h.authorized(h.listClients), http.MethodPost: h.authorized(h.createClient)})
	route.Handle(api, clientRoute, "/clients/{id}", route.Methods{
		http.MethodGet: h.authorized(h.getClient), http.MethodPut: h.authorized(h.updateClient), http.MethodDelete: h.authorized(h.deleteClient)})
	route.Handle(api, "admin.client_secret", "/clients/{id}/secret", route.Methods{http.MethodPost: h.authorized(h.rotateClientSecret)})
	route.Handle(api, "admin.client_roles", "/clients/{id}/roles", route.Methods{
		http.MethodGet: h.authorized(h.getClientRoles), http.MethodPut: h.authorized(h.setClientRoles)})
}

func (h *Handler) getClientRoles(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	roles, err := h.clients.Roles(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, roles.Version, roles)
	return nil
}

// setClientRoles replaces the roles the client's tokens act with; an
// empty list takes the client off the admin API. If-Match is the roles'
// ETag (their computed version), not the client's.
func (h *Handler) setClientRoles(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in manage.ClientRoles
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	roles, err := h.clients.SetRoles(r.Context(), a, mux.Vars(r)["id"], version, in.Grants)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, roles.Version, roles)
	return nil
}

func (h *Handler) listClients(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	limit, after, err := pageParams(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, more, err := h.clients.List(r.Context(), a, after, limit)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, newList(page, more, func(c manage.Client) string { return c.ClientID }))
	return nil
}

func (h *Handler) getClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	c, err := h.clients.Get(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, c.Version, c)
	return nil
}

func (h *Handler) createClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.ClientInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	c, err := h.clients.Create(r.Context(), a, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeCreated(w, h.routes.Path(clientRoute, nil, "id", c.ClientID), c.Version, c)
	return nil
}

// clientReplacement is the body of a PUT: a ClientInput, or a Client as a
// GET returned it (RFC 7592 section 2.2 sends client_id back). The
// read-only fields are accepted so that GET, edit, PUT works; client_id
// must name the client being replaced. The version that counts is
// If-Match's.
type clientReplacement struct {
	ClientID string `json:"client_id"`
	manage.ClientInput
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
	Version                 *int64     `json:"version"`
	CreatedAt               *time.Time `json:"created_at"`
	UpdatedAt               *time.Time `json:"updated_at"`
}

func (h *Handler) updateClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in clientReplacement
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	id := mux.Vars(r)["id"]
	if in.ClientID != "" && in.ClientID != id {
		return writeServiceError(w, r, fmt.Errorf("%w: client_id does not match the client in the URL", errBadRequest))
	}
	c, err := h.clients.Update(r.Context(), a, id, version, in.ClientInput)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, c.Version, c)
	return nil
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := h.clients.Delete(r.Context(), a, mux.Vars(r)["id"], version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotation is the body of a secret rotation (optional).
type rotation struct {
	// OverlapSeconds is how long the previous secret keeps working.
	OverlapSeconds int64 `json:"overlap_seconds"`
}

// rotateClientSecret answers the new secret once. If-Match is optional: a
// rotation replaces nothing the caller edited, but a caller may pin it.
func (h *Handler) rotateClientSecret(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var version int64
	if r.Header.Get("If-Match") != "" {
		v, err := ifMatch(r)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		version = v
	}
	var in rotation
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return writeServiceError(w, r, err)
		}
	}
	maxSeconds := int64(manage.MaxSecretOverlap / time.Second)
	if in.OverlapSeconds < 0 || in.OverlapSeconds > maxSeconds {
		return writeServiceError(w, r, manage.Problems{"overlap_seconds": fmt.Sprintf("must be between 0 and %d", maxSeconds)}.Err())
	}
	c, err := h.clients.RotateSecret(r.Context(), a, mux.Vars(r)["id"], version, time.Duration(in.OverlapSeconds)*time.Second)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, c.Version, c)
	return nil
}
