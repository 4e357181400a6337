package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// applicationRoute is one application, with the id variable.
const applicationRoute = "admin.application"

// mountApplications registers the applications' endpoints; an
// application belongs to its identity store, and the service checks the
// caller's roles for that store.
func (h *Handler) mountApplications(api *mux.Router) {
	route.Handle(api, "admin.applications", "/applications", route.Methods{
		http.MethodGet: h.authorized(h.listApplications), http.MethodPost: h.authorized(h.createApplication)})
	route.Handle(api, applicationRoute, "/applications/{id}", route.Methods{
		http.MethodGet: h.authorized(h.getApplication), http.MethodPut: h.authorized(h.updateApplication),
		http.MethodDelete: h.authorized(h.deleteApplication)})
	route.Handle(api, "admin.application_policy", "/applications/{id}/policies/{kind}", route.Methods{
		http.MethodPut: h.authorized(h.assignApplicationPolicy)})
}

// listApplications filters, sorts and pages (listing.go).
func (h *Handler) listApplications(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	o, err := listOptions(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := h.applications.ListBy(r.Context(), a, o)
	if err != nil {
		return writeServiceError(w, r, listError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (h *Handler) getApplication(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := h.applications.Get(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (h *Handler) createApplication(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.ApplicationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v, err := h.applications.Create(r.Context(), a, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeCreated(w, h.routes.Path(applicationRoute, nil, "id", v.ID), v.Version, v)
	return nil
}

// applicationReplacement is the body of a PUT: an application's input,
// or the application as a GET returned it (the read-only fields are
// ignored; its id must be the URL's).
type applicationReplacement struct {
	manage.ApplicationInput
	Policies  map[string]string `json:"policies"`
	Version   int64             `json:"version"`
	CreatedAt string            `json:"created_at"`
	UpdatedAt string            `json:"updated_at"`
}

// updateApplication replaces the application's own fields (name, logo
// URL, primary colour, organizational, login steps) at the If-Match
// version.
func (h *Handler) updateApplication(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in applicationReplacement
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	id := mux.Vars(r)["id"]
	if in.ID != "" && in.ID != id {
		return writeServiceError(w, r, manage.Problems{"id": "the application's id cannot change"}.Err())
	}
	in.ID = ""
	v, err := h.applications.Update(r.Context(), a, id, version, in.ApplicationInput)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (h *Handler) deleteApplication(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := h.applications.Delete(r.Context(), a, mux.Vars(r)["id"], version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// policyAssignment is the body of PUT /applications/{id}/policies/{kind}.
type policyAssignment struct {
	PolicyID string `json:"policy_id"`
}

// assignApplicationPolicy gives the application the policy of the kind.
// It is idempotent and takes no If-Match: it names the whole new state
// of what it changes.
func (h *Handler) assignApplicationPolicy(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in policyAssignment
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	vars := mux.Vars(r)
	v, err := h.applications.AssignPolicy(r.Context(), a, vars["id"], storage.PolicyKind(vars["kind"]), in.PolicyID)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}
