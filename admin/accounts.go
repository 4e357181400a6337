package admin

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/accountexport"
	"foyer/selfservice/route"
	"foyer/storage"
)

// profilePath is one customer account of an identity store.
const profilePath = "/stores/{store}/accounts/{account}"

// errNoAccountServices: the handler was built without the account
// profile services (a test that only walks the routes).
var errNoAccountServices = errors.New("admin: the account profile services are not configured")

// withAccounts runs next only when the account services are there.
func (h *Handler) withAccounts(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.accountActions == nil || h.accountProfiles == nil {
			return errNoAccountServices
		}
		return next(w, r, a)
	})
}

// mountAccountProfile registers an account's profile, its overview
// actions and its groups.
func (h *Handler) mountAccountProfile(api *mux.Router) {
	route.Handle(api, "admin.store_account", profilePath, route.Methods{
		http.MethodGet: h.withAccounts(h.getAccount), http.MethodPatch: h.withAccounts(h.patchAccount),
		http.MethodDelete: h.withAccounts(h.deleteAccount)})
	route.Handle(api, "admin.store_account_enable", profilePath+"/enable", route.Methods{
		http.MethodPost: h.withAccounts(h.accountStatus(h.accountActionsEnable))})
	route.Handle(api, "admin.store_account_disable", profilePath+"/disable", route.Methods{
		http.MethodPost: h.withAccounts(h.accountStatus(h.accountActionsDisable))})
	route.Handle(api, "admin.store_account_end_sessions", profilePath+"/end-sessions", route.Methods{
		http.MethodPost: h.withAccounts(h.endAllSessions)})
	route.Handle(api, "admin.store_account_export", profilePath+"/export", route.Methods{
		http.MethodGet: h.withAccounts(h.exportAccount)})
	route.Handle(api, "admin.store_account_groups", profilePath+"/groups", route.Methods{
		http.MethodGet: h.withAccounts(h.listAccountGroups)})
	route.Handle(api, "admin.store_account_group", profilePath+"/groups/{group}", route.Methods{
		http.MethodPut: h.withAccounts(h.accountGroup(true)), http.MethodDelete: h.withAccounts(h.accountGroup(false))})
}

func accountVars(r *http.Request) (storeID, id string) {
	v := mux.Vars(r)
	return v["store"], v["account"]
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	storeID, id := accountVars(r)
	p, err := h.accountProfiles.Get(r.Context(), a, storeID, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, p.Version, p)
	return nil
}

// patchAccount edits the fields the body names, if the account is still
// at the If-Match version.
func (h *Handler) patchAccount(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in manage.AttributesInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	storeID, id := accountVars(r)
	p, err := h.accountProfiles.UpdateAttributes(r.Context(), a, storeID, id, version, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, p.Version, p)
	return nil
}

// deleteAccount deletes the account as the portal's deletion does.
func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	storeID, id := accountVars(r)
	if err := h.accountActions.Delete(r.Context(), a, storeID, id); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) accountActionsEnable(r *http.Request, a manage.Actor, storeID, id string, n *manage.NotifyChoice) error {
	return h.accountActions.SetStatus(r.Context(), a, storeID, id, storage.AccountEnabled, n)
}

func (h *Handler) accountActionsDisable(r *http.Request, a manage.Actor, storeID, id string, n *manage.NotifyChoice) error {
	return h.accountActions.SetStatus(r.Context(), a, storeID, id, storage.AccountDisabled, n)
}

// statusBody is the optional body of enable and disable: a customer notice.
type statusBody struct {
	Notify *manage.NotifyChoice `json:"notify,omitempty"`
}

// accountStatus runs a status change and answers the profile after it.
func (h *Handler) accountStatus(change func(r *http.Request, a manage.Actor, storeID, id string, n *manage.NotifyChoice) error) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		var in statusBody
		if err := decodeOptional(w, r, &in); err != nil {
			return writeServiceError(w, r, err)
		}
		storeID, id := accountVars(r)
		if err := change(r, a, storeID, id, in.Notify); err != nil {
			return writeServiceError(w, r, err)
		}
		return h.getAccount(w, r, a)
	}
}

func (h *Handler) endAllSessions(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	storeID, id := accountVars(r)
	n, err := h.accountActions.EndSessions(r.Context(), a, storeID, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, map[string]int{"sessions_ended": n})
	return nil
}

// exportAccount downloads the account's information as JSON (the
// default) or as a self-contained HTML page.
func (h *Handler) exportAccount(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "html" {
		return writeServiceError(w, r, fmt.Errorf("%w: format must be json or html", errBadRequest))
	}
	storeID, id := accountVars(r)
	x, err := h.accountProfiles.Export(r.Context(), a, storeID, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	name := "account-" + x.Profile.ID
	if format != "html" {
		return accountexport.WriteJSON(w, x, name+".json")
	}
	if h.renderer == nil {
		return errors.New("admin: no renderer for the HTML export")
	}
	lang := h.renderer.Negotiate("", "", r.Header.Get("Accept-Language"))
	t := func(key string, args ...any) string { return h.renderer.T(lang, key, args...) }
	return accountexport.WriteHTML(w, x.HTMLPage(lang, t), t, name+".html")
}

func (h *Handler) listAccountGroups(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	storeID, id := accountVars(r)
	gs, err := h.accountProfiles.Groups(r.Context(), a, storeID, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": gs})
	return nil
}

// accountGroup puts the account into the group (PUT) or takes it out
// (DELETE); both are idempotent. A group the store does not have is 422.
func (h *Handler) accountGroup(add bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		storeID, id := accountVars(r)
		groupID := mux.Vars(r)["group"]
		var err error
		if add {
			err = h.accountActions.AddToGroup(r.Context(), a, storeID, id, groupID)
		} else {
			err = h.accountActions.RemoveFromGroup(r.Context(), a, storeID, id, groupID)
		}
		if err != nil {
			return writeServiceError(w, r, err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
