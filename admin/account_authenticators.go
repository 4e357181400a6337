package admin

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// The Authenticators tab of an account through the API (manage's
// AccountAuthenticators), and the clients a customer notice may go
// through (manage.CustomerNotices).

// errNoAccountAuth: the handler was built without the services.
var errNoAccountAuth = errors.New("admin: the account authenticator services are not configured")

func (h *Handler) mountAccountAuthenticators(api *mux.Router) {
	route.Handle(api, "admin.account_authenticators", accountPath+"/authenticators", route.Methods{
		http.MethodGet: h.withAccountAuth(h.listAccountAuthenticators)})
	route.Handle(api, "admin.account_authenticator", accountPath+"/authenticators/{authenticator}", route.Methods{
		http.MethodDelete: h.withAccountAuth(h.removeAccountAuthenticator)})
	route.Handle(api, "admin.account_recovery_codes", accountPath+"/recovery-codes", route.Methods{
		http.MethodDelete: h.withAccountAuth(h.removeAccountRecoveryCodes)})
	route.Handle(api, "admin.account_password", accountPath+"/password", route.Methods{
		http.MethodPut: h.withAccountAuth(h.setAccountPassword), http.MethodDelete: h.withAccountAuth(h.removeAccountPassword)})
	route.Handle(api, "admin.account_password_reset", accountPath+"/password-reset", route.Methods{
		http.MethodPost: h.withAccountAuth(h.sendAccountPasswordReset)})
	route.Handle(api, "admin.account_contacts", accountPath+"/contacts", route.Methods{
		http.MethodPost: h.withAccountAuth(h.startAccountContact)})
	route.Handle(api, "admin.account_contacts_confirm", accountPath+"/contacts/confirm", route.Methods{
		http.MethodPost: h.withAccountAuth(h.confirmAccountContact)})
	route.Handle(api, "admin.account_lockout", accountPath+"/lockout", route.Methods{
		http.MethodDelete: h.withAccountAuth(h.clearAccountLockout)})
	route.Handle(api, "admin.account_notice_clients", accountPath+"/notice-clients", route.Methods{
		http.MethodGet: h.withAccountAuth(h.listNoticeClients)})
}

func (h *Handler) withAccountAuth(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.accountAuth == nil || h.notices == nil {
			return errNoAccountAuth
		}
		return next(w, r, a)
	})
}

func (h *Handler) listAccountAuthenticators(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	st, id := accountVars(r)
	v, err := h.accountAuth.List(r.Context(), a, st, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// decodeOptional reads a JSON body when there is one: removals take an
// optional notice.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	return decodeJSON(w, r, v)
}

// done answers a change with 204, or writes the service's error.
func done(w http.ResponseWriter, r *http.Request, err error) error {
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) removeAccountAuthenticator(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.RemoveInput
	if err := decodeOptional(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	return done(w, r, h.accountAuth.RemoveAuthenticator(r.Context(), a, st, id, mux.Vars(r)["authenticator"], in))
}

func (h *Handler) removeAccountRecoveryCodes(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.RemoveInput
	if err := decodeOptional(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	return done(w, r, h.accountAuth.RemoveRecoveryCodes(r.Context(), a, st, id, in))
}

func (h *Handler) setAccountPassword(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.SetPasswordInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	return done(w, r, h.accountAuth.SetPassword(r.Context(), a, st, id, in))
}

func (h *Handler) removeAccountPassword(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.RemovePasswordInput
	if err := decodeOptional(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	return done(w, r, h.accountAuth.RemovePassword(r.Context(), a, st, id, in))
}

func (h *Handler) sendAccountPasswordReset(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.ResetInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	if err := h.accountAuth.SendPasswordReset(r.Context(), a, st, id, in); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *Handler) startAccountContact(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.ContactInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	p, err := h.accountAuth.StartContact(r.Context(), a, st, id, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusAccepted, p)
	return nil
}

func (h *Handler) confirmAccountContact(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.ConfirmContactInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	st, id := accountVars(r)
	return done(w, r, h.accountAuth.ConfirmContact(r.Context(), a, st, id, in))
}

func (h *Handler) clearAccountLockout(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	st, id := accountVars(r)
	n, err := h.accountAuth.ClearLockout(r.Context(), a, st, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, map[string]int64{"attempts_cleared": n})
	return nil
}

func (h *Handler) listNoticeClients(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	st, id := accountVars(r)
	clients, err := h.notices.ClientsFor(r.Context(), a, st, id)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": clients})
	return nil
}
