package portal

import (
	"net/http"
	"net/url"

	"foyer/selfservice/session"
	"foyer/themes"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/storage"
)

func (h *Handler) mountSettings(r *mux.Router) {
	route.Handle(r, settingsRoute, BasePath+"/settings", route.Methods{http.MethodGet: h.authed(h.showSettings)})
	route.Handle(r, unlinkRoute, BasePath+"/settings/unlink", route.Methods{http.MethodPost: h.authed(h.unlink)})
	route.Handle(r, connectRoute, BasePath+"/settings/connect", route.Methods{http.MethodPost: h.authed(h.connect)})
	route.Handle(r, deleteRoute, BasePath+"/delete", route.Methods{http.MethodPost: h.authed(h.deleteAccount)})
}

func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.renderSettings(w, r, v, http.StatusOK, nil)
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, v *viewer, status int, errs map[string]string) error {
	ctx := r.Context()
	external, err := h.externalData(ctx, v, clockFor(r, v))
	if err != nil {
		return err
	}
	auths, err := h.store.ListAuthenticators(ctx, v.Account.ID)
	if err != nil {
		return err
	}
	passkeys := 0
	for _, a := range auths {
		if a.Kind == storage.MethodPasskey {
			passkeys++
		}
	}
	data := &settingsData{
		UnlinkURL: h.path(unlinkRoute, nil), ConnectURL: h.path(connectRoute, nil), DeleteURL: h.path(deleteRoute, nil),
		Username: v.Account.Username, Email: v.Account.Email, Phone: v.Account.Phone,
		HasPassword: h.hasPassword(r, v), Passkeys: passkeys, Links: external.Links, Connect: external.Connect,
		Fresh: h.fresh(v), ReauthURL: h.reauthURL(settingsRoute), FieldErrors: errs,
	}
	if r.Method == http.MethodGet {
		data.Notice, data.Error = linkOutcome(r)
	}
	// Connect's post ends in a redirect to the provider, and browsers
	// apply form-action to every hop.
	var targets []string
	for _, c := range external.Connect {
		targets = append(targets, c.Targets...)
	}
	w.Header().Set("Content-Security-Policy", themes.CSPWithFormTargets(targets...))
	h.renderPage(w, r, v, "account_settings", status, data)
	return nil
}

func (h *Handler) hasPassword(r *http.Request, v *viewer) bool {
	_, err := h.store.GetPassword(r.Context(), v.Account.ID)
	return err == nil
}

// fresh reports whether the session's sign-in is recent enough for
// deleting the account, changing the password or a contact, linking or
// unlinking an external identity, and, for an
// account with a second factor, proved it: a recent password-only sign-in
// at an application without MFA is not enough. Sensitive actions ask for
// a factor as an optional MFA policy does: of whoever enrolled one.
func (h *Handler) fresh(v *viewer) bool {
	sensitive := session.MFADemand{Mode: storage.MFAOptional, HasFactors: v.HasFactors}
	return h.cfg.Now().Sub(v.Session.AuthTime) <= h.cfg.FreshSignIn && sensitive.SatisfiedBy(v.Session.ACR)
}

// reauthURL asks for a new sign-in (prompt=login) and comes back to the
// page (a route name).
func (h *Handler) reauthURL(page string) string {
	return h.path(signInRoute, url.Values{"fresh": {"1"}, "next": {h.path(page, nil)}})
}

// deleteAccount removes everything the account has, after a fresh sign-in
// and an explicit confirmation. Sessions end first, through the session
// manager, so relying parties get their back-channel logout; then one
// transaction deletes every row keyed by the account and its tokens; an
// event without the account id records that a deletion happened.
func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !h.fresh(v) {
		http.Redirect(w, r, h.reauthURL(settingsRoute), http.StatusSeeOther)
		return nil
	}
	if r.PostFormValue("confirm") != "yes" {
		return h.renderSettings(w, r, v, http.StatusUnprocessableEntity, map[string]string{"confirm": "account.settings.delete_confirm_required"})
	}
	ctx := r.Context()
	if _, err := h.sessions.End(w, r); err != nil {
		return err
	}
	if _, err := h.sessions.EndByAccount(ctx, v.Account.ID, ""); err != nil {
		return err
	}
	if err := h.store.DeleteAccountData(ctx, v.Account.ID); err != nil {
		return err
	}
	anon := &storage.Event{Kind: "account.deleted", Actor: "self-service", Data: map[string]string{"store": v.Account.StoreID}}
	if err := h.store.AppendEvent(ctx, anon); err != nil {
		h.log.WarnContext(ctx, "portal: deletion event", "err", err)
	}
	h.clearCookie(w, portalCookie)
	h.message(w, r, http.StatusOK, "account.settings.deleted")
	return nil
}
