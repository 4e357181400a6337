package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// mountPartnerLookup registers /applications/{id}/partner-lookup: PUT sets
// the webhook (its secret shown once, when made or rotated), GET reads it
// without the secret, DELETE removes it.
func (h *Handler) mountPartnerLookup(api *mux.Router) {
	route.Handle(api, "admin.application_partner_lookup", "/applications/{id}/partner-lookup", route.Methods{
		http.MethodGet:    h.withPartnerLookups(h.getPartnerLookup),
		http.MethodPut:    h.withPartnerLookups(h.setPartnerLookup),
		http.MethodDelete: h.withPartnerLookups(h.deletePartnerLookup)})
}

func (h *Handler) withPartnerLookups(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.partnerLookups == nil {
			return errNoPartnerServices
		}
		return next(w, r, a)
	})
}

func (h *Handler) getPartnerLookup(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := h.partnerLookups.Get(r.Context(), a, mux.Vars(r)["id"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) setPartnerLookup(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.PartnerLookupInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v, err := h.partnerLookups.Set(r.Context(), a, mux.Vars(r)["id"], in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if v.Secret != "" {
		w.Header().Set("Cache-Control", "no-store") // the secret is in this answer only
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) deletePartnerLookup(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if err := h.partnerLookups.Delete(r.Context(), a, mux.Vars(r)["id"]); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
