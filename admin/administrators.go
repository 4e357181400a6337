package admin

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// administratorRoute is one administrator, with the id variable.
const administratorRoute = "admin.administrator"

// mountAdministrators registers the administrators' endpoints. An
// administrator's ETag is its computed version (a hash of its status and
// grants, see manage.Administrator.Version); its changes need If-Match
// like every other update (428 without, 412 when stale).
func (h *Handler) mountAdministrators(api *mux.Router) {
	route.Handle(api, "admin.administrators", "/administrators", route.Methods{
		http.MethodGet: h.authorized(h.listAdministrators), http.MethodPost: h.authorized(h.inviteAdministrator)})
	route.Handle(api, administratorRoute, "/administrators/{id}", route.Methods{
		http.MethodGet: h.authorized(h.getAdministrator), http.MethodPatch: h.authorized(h.setAdministratorRoles),
		http.MethodDelete: h.authorized(h.removeAdministrator)})
	route.Handle(api, "admin.administrator_disable", "/administrators/{id}/disable", route.Methods{
		http.MethodPost: h.authorized(h.setAdministratorStatus(false))})
	route.Handle(api, "admin.administrator_enable", "/administrators/{id}/enable", route.Methods{
		http.MethodPost: h.authorized(h.setAdministratorStatus(true))})
}

// listAdministrators pages the service's list, ordered by e-mail; the
// cursor is the last e-mail shown.
func (h *Handler) listAdministrators(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	limit, after, err := pageParams(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	all, err := h.admins.List(r.Context(), a)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	start := 0
	for start < len(all) && after != "" && strings.Compare(all[start].Email, after) <= 0 {
		start++
	}
	end := min(start+limit, len(all))
	page := all[start:end]
	writeJSON(w, http.StatusOK, newList(page, end < len(all), func(v manage.Administrator) string { return v.Email }))
	return nil
}

func (h *Handler) getAdministrator(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := h.admins.Get(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

// invitation is the body of POST /administrators.
type invitation struct {
	Email  string         `json:"email"`
	Grants []manage.Grant `json:"grants"`
}

// inviteAdministrator makes the administrator and e-mails them the way to
// set a password; the API never takes one.
func (h *Handler) inviteAdministrator(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in invitation
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v, err := h.admins.Invite(r.Context(), a, manage.NewAdministrator{Email: in.Email, Grants: in.Grants})
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeCreated(w, h.routes.Path(administratorRoute, nil, "id", v.ID), v.Version, v)
	return nil
}

// roles is the body of PATCH /administrators/{id}: the grants replace
// the administrator's.
type roles struct {
	Grants []manage.Grant `json:"grants"`
}

func (h *Handler) setAdministratorRoles(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in roles
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v, err := h.admins.SetRoles(r.Context(), a, mux.Vars(r)["id"], version, in.Grants)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (h *Handler) setAdministratorStatus(enable bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		version, err := ifMatch(r)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		change := h.admins.Disable
		if enable {
			change = h.admins.Enable
		}
		v, err := change(r.Context(), a, mux.Vars(r)["id"], version)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		writeVersioned(w, http.StatusOK, v.Version, v)
		return nil
	}
}

func (h *Handler) removeAdministrator(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := h.admins.Remove(r.Context(), a, mux.Vars(r)["id"], version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
