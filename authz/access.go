package authz

import (
	"context"
	"net/http"

	"github.com/ory/fosite"

	"foyer/authz/fositestore"
	"foyer/storage"
	"foyer/themes"
)

// errNotInGroups is what a client hears when the account is outside its
// application's group restriction.
var errNotInGroups = fosite.ErrAccessDenied.WithHint("The account may not use this application: it is not a member of the groups the application is restricted to.")

// mayUse reports whether the account may use the client's application by
// the application's group restriction (storage's one definition, which the
// portal's launcher shows tiles by). It is asked on the SSO shortcut and
// after an interactive sign-in (consentOrIssue), at the consent decision,
// and on every refresh, so removing a membership ends access to the
// application rather than just hiding its tile.
//
// The account portal's own client of the application's store is exempt:
// the default store's belongs to the default application, and
// restricting that application must not keep customers from their own
// account (its security settings, export and deletion).
func (h *Handler) mayUse(ctx context.Context, clientID string, app *storage.Application, portal *storage.PortalSettings, accountID string) (bool, error) {
	if h.isPortalClient(clientID, app.StoreID) {
		return true, nil
	}
	ok, err := storage.MayUseWith(ctx, h.store, app, portal, accountID)
	if err != nil {
		return false, errorf("group check: %w", err)
	}
	return ok, nil
}

// isPortalClient reports whether clientID is the account portal's client
// of the identity store storeID.
func (h *Handler) isPortalClient(clientID, storeID string) bool {
	portal := h.cfg.PortalClientID
	if h.cfg.PortalClientFor != nil {
		portal = h.cfg.PortalClientFor(storeID)
	}
	return portal != "" && clientID == portal
}

// refuseOutsider answers the authorization request with access_denied when
// the account is outside the application's groups, and reports whether it
// wrote a response (a failure it did not answer is returned). prompt=none goes straight back to the client (no page
// may be shown); otherwise the customer sees why, in their language, with
// a button that takes the error (with state and iss) back to the client.
func (h *Handler) refuseOutsider(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, login *signedIn) (bool, error) {
	acct, app := login.acct, login.app
	ok, err := h.mayUse(r.Context(), ar.GetClient().GetID(), app, login.portal, acct.ID)
	if err != nil {
		return false, err
	}
	if ok {
		return false, nil
	}
	h.logEvent(r.Context(), acct.ID, "authorize.denied_group", r)
	if has(prompts(ar), "none") || !ar.IsRedirectURIValid() {
		h.authorizeError(w, r, ar, errNotInGroups)
		return true, nil
	}
	h.deniedPage(w, r, ar, app, acct, denial{err: errNotInGroups})
	return true, nil
}

// denial is why deniedPage refuses: the error the client gets and the
// message keys the page explains it with (empty: the group restriction's).
type denial struct {
	err           *fosite.RFC6749Error
	message, help string
}

// deniedPage explains the refusal. Its button delivers the error response
// the client expects, by the request's response mode: a link carrying it
// in the query, or a form posting it (form_post).
func (h *Handler) deniedPage(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, app *storage.Application, acct *storage.Account, why denial) {
	params := h.errorParams(ar, why.err)
	data := accessDeniedData{Account: accountLabel(acct), Reason: why.message, Advice: why.help}
	if ar.GetResponseMode() == fosite.ResponseModeFormPost {
		hidden := map[string]string{}
		for k := range params {
			hidden[k] = params.Get(k)
		}
		target := ar.GetRedirectURI().String()
		data.Action, data.Hidden = target, hidden
		w.Header().Set("Content-Security-Policy", themes.CSPWithFormTarget(target))
	} else {
		data.LinkURL = errorTarget(ar, params).String()
	}
	w.Header().Set("Cache-Control", "no-store")
	err := h.render.Render(w, r, themes.Page{
		Template: "access_denied",
		Lang:     h.render.NegotiateRequest(r, ar.GetRequestForm().Get("ui_locales"), acct.Language),
		Branding: themes.Branding(storage.ApplicationBranding(app)),
		Status:   http.StatusForbidden,
		Data:     data,
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render access_denied", "err", err)
	}
}

// refreshAllowed refuses a refresh for an account that left the groups
// its client's application is restricted to: the refresh token was issued
// while it was a member, but access ends with the membership.
func (h *Handler) refreshAllowed(r *http.Request, ar fosite.AccessRequester) error {
	fc, ok := ar.GetClient().(*fositestore.Client)
	if !ok {
		return fosite.ErrServerError.WithHint("The client is not a stored client.")
	}
	c := fc.Storage()
	app, portal, err := h.store.GetApplicationPortal(r.Context(), c.ApplicationID)
	if err != nil {
		return fosite.ErrServerError.WithWrap(errorf("load application: %w", err))
	}
	ok, err = h.mayUse(r.Context(), c.ID, app, portal, ar.GetSession().GetSubject())
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if !ok {
		return fosite.ErrInvalidGrant.WithHint("The account may no longer use this application.")
	}
	return nil
}
