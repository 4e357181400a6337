package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// policyRoute is one named policy, with the id variable.
const policyRoute = "admin.policy"

// mountPolicies registers the named policies' endpoints. A policy
// belongs to no identity store: every role reads them, changing one
// takes an owner or admin without a store limit (the service checks).
func (h *Handler) mountPolicies(api *mux.Router) {
	route.Handle(api, "admin.policies", "/policies", route.Methods{
		http.MethodGet: h.authorized(h.listPolicies), http.MethodPost: h.authorized(h.createPolicy)})
	route.Handle(api, policyRoute, "/policies/{id}", route.Methods{
		http.MethodGet: h.authorized(h.getPolicy), http.MethodPut: h.authorized(h.updatePolicy),
		http.MethodDelete: h.authorized(h.deletePolicy)})
	route.Handle(api, "admin.policy_default", "/policies/{id}/default", route.Methods{
		http.MethodPost: h.authorized(h.setDefaultPolicy)})
}

// listPolicies filters, sorts and pages the policies (optionally of one
// kind; listing.go).
func (h *Handler) listPolicies(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	o, err := listOptions(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := h.policies.ListBy(r.Context(), a, storage.PolicyKind(r.URL.Query().Get("kind")), o)
	if err != nil {
		return writeServiceError(w, r, listError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (h *Handler) getPolicy(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := h.policies.Get(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (h *Handler) createPolicy(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.PolicyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v, err := h.policies.Create(r.Context(), a, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeCreated(w, h.routes.Path(policyRoute, nil, "id", v.ID), v.Version, v)
	return nil
}

// policyReplacement is the body of a PUT: a policy's input, or the
// policy as a GET returned it (the read-only fields are ignored; its id
// must be the URL's; whether it is the Default changes by POST .../default).
type policyReplacement struct {
	manage.PolicyInput
	ID           string   `json:"id"`
	IsDefault    bool     `json:"is_default"`
	Applications []string `json:"applications"`
	Version      int64    `json:"version"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
}

// updatePolicy renames the policy and, when the body carries settings,
// replaces them, at the If-Match version; every application using the
// policy follows at once.
func (h *Handler) updatePolicy(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in policyReplacement
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	id := mux.Vars(r)["id"]
	if in.ID != "" && in.ID != id {
		return writeServiceError(w, r, manage.Problems{"id": "a policy's id cannot change"}.Err())
	}
	v, err := h.policies.Update(r.Context(), a, id, version, in.PolicyInput)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (h *Handler) deletePolicy(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := h.policies.Delete(r.Context(), a, mux.Vars(r)["id"], version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setDefaultPolicy makes the policy its kind's Default for applications
// created from now on.
func (h *Handler) setDefaultPolicy(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := h.policies.SetDefault(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}
