package admin

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoPartnerServices: the handler was built without the partner code or
// partner lookup service (a test that only walks the routes).
var errNoPartnerServices = errors.New("admin: the partner services are not configured")

// mountPartnerCodes registers /stores/{store}/organizations/{org}/partner-code:
// POST makes (or rotates) the code and shows it once, GET its status,
// DELETE removes it.
func (h *Handler) mountPartnerCodes(api *mux.Router) {
	route.Handle(api, "admin.store_org_partner_code", "/stores/{store}/organizations/{org}/partner-code", route.Methods{
		http.MethodGet:    h.withPartnerCodes(h.getPartnerCode),
		http.MethodPost:   h.withPartnerCodes(h.generatePartnerCode),
		http.MethodDelete: h.withPartnerCodes(h.deletePartnerCode)})
}

func (h *Handler) withPartnerCodes(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.stores.PartnerCodes == nil {
			return errNoPartnerServices
		}
		return next(w, r, a)
	})
}

func (h *Handler) getPartnerCode(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := h.stores.PartnerCodes.Get(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)["org"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
	return nil
}

// generatePartnerCode takes an optional body ({"expires_at", "max_uses"}):
// without one the code never expires and has no use limit.
func (h *Handler) generatePartnerCode(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.PartnerCodeInput
	if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		if err := decodeJSON(w, r, &in); err != nil {
			return writeServiceError(w, r, err)
		}
	}
	v, err := h.stores.PartnerCodes.Generate(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)["org"], in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	// The code is in this answer only: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (h *Handler) deletePartnerCode(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	if err := h.stores.PartnerCodes.Delete(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)["org"]); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
