package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// An account's external identities through the API (manage's
// AccountAuthenticators): listing them and removing one.

func (h *Handler) mountAccountExternal(api *mux.Router) {
	route.Handle(api, "admin.account_external_identities", accountPath+"/external-identities", route.Methods{
		http.MethodGet: h.withAccountAuth(h.listAccountExternal)})
	route.Handle(api, "admin.account_external_identity", accountPath+"/external-identities/{provider}/{subject}", route.Methods{
		http.MethodDelete: h.withAccountAuth(h.removeAccountExternal)})
}

func (h *Handler) listAccountExternal(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	st, id := accountVars(r)
	items, err := h.accountAuth.ExternalIdentities(r.Context(), a, st, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// removeAccountExternal unlinks one identity: 204, 404 when the account
// holds no such identity, 409 when it is the account's only way in. The
// optional body's notify.client_id picks the client whose branding the
// customer's notice wears (the notice goes in any case).
func (h *Handler) removeAccountExternal(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.RemoveInput
	if err := decodeOptional(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	v := mux.Vars(r)
	return done(w, r, h.accountAuth.RemoveExternalIdentity(r.Context(), a, st, id, v["provider"], v["subject"], in))
}
