package portal

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/regulate"
	"foyer/selfservice/route"
	"foyer/storage"
	"foyer/themes"
)

func (h *Handler) mountSecurity(r *mux.Router) {
	route.Handle(r, securityRoute, BasePath+"/security", route.Methods{http.MethodGet: h.authed(h.showSecurity)})
	route.Handle(r, passwordRoute, BasePath+"/password", route.Methods{http.MethodPost: h.authed(h.changePassword)})
	route.Handle(r, endSessionRoute, BasePath+"/sessions/end", route.Methods{http.MethodPost: h.authed(h.endSession)})
	route.Handle(r, endOtherSessionsRoute, BasePath+"/sessions/end-others", route.Methods{http.MethodPost: h.authed(h.endOtherSessions)})
	route.Handle(r, revokeGrantRoute, BasePath+"/grants/revoke", route.Methods{http.MethodPost: h.authed(h.revokeGrant)})
}

// grantView is one authorized application.
type grantView struct {
	ClientID, Name string
	Scopes         []string
	Since          themes.Moment
}

func (h *Handler) showSecurity(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return h.renderSecurity(w, r, v, http.StatusOK, nil)
}

func (h *Handler) renderSecurity(w http.ResponseWriter, r *http.Request, v *viewer, status int, errs map[string]string) error {
	sessions, err := h.sessionViews(r, v)
	if err != nil {
		return err
	}
	grants, err := h.grantViews(r, v)
	if err != nil {
		return err
	}
	mfa, err := h.mfaSecurityData(r, v)
	if err != nil {
		return err
	}
	own, err := h.portalApp(r, v)
	if err != nil {
		return err
	}
	data := &securityData{
		PasswordURL: h.path(passwordRoute, nil), EndSessionURL: h.path(endSessionRoute, nil),
		EndOtherSessionsURL: h.path(endOtherSessionsRoute, nil), RevokeGrantURL: h.path(revokeGrantRoute, nil),
		MFA: mfa, ShowPassword: !passwordChangeHidden(own) && h.hasPassword(r, v),
		Fresh: h.fresh(v), ReauthURL: h.reauthURL(securityRoute), Sessions: sessions, Grants: grants,
	}
	if len(errs) > 0 {
		data.FieldErrors, data.Error = errs, "account.security.password_not_changed"
	}
	h.renderPage(w, r, v, "account_security", status, data)
	return nil
}

func (h *Handler) grantViews(r *http.Request, v *viewer) ([]grantView, error) {
	grants, err := h.store.ListGrants(r.Context(), v.Account.ID)
	if err != nil {
		return nil, err
	}
	out, c := make([]grantView, 0, len(grants)), clockFor(r, v)
	for _, g := range grants {
		name := g.ClientID
		if c, err := h.store.GetClient(r.Context(), g.ClientID); err == nil && c.Name != "" {
			name = c.Name
		}
		out = append(out, grantView{ClientID: g.ClientID, Name: name, Scopes: g.Scopes, Since: c.at(g.CreatedAt)})
	}
	return out, nil
}

// changePassword needs a fresh sign-in and the current password; wrong
// current passwords count towards a per-account limit.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, v *viewer) error {
	own, err := h.portalApp(r, v)
	if err != nil {
		return err
	}
	if passwordChangeHidden(own) {
		h.notFound(w, r)
		return nil
	}
	if !h.fresh(v) {
		http.Redirect(w, r, h.reauthURL(securityRoute), http.StatusSeeOther)
		return nil
	}
	ctx := r.Context()
	now := h.cfg.Now().UTC()
	key := regulate.PortalPassword.Key(v.Account.ID)
	attempt, err := h.limits.Attempt(ctx, key, now)
	if err != nil {
		return err
	}
	if attempt.Exceeded() {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((attempt.RetryAfter+time.Second-1)/time.Second), 10))
		return h.renderSecurity(w, r, v, http.StatusTooManyRequests, map[string]string{"current_password": "account.security.too_many_attempts"})
	}
	cred, err := h.store.GetPassword(ctx, v.Account.ID)
	if errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return nil
	} else if err != nil {
		return err
	}
	if _, err := h.hasher.Verify(ctx, r.PostFormValue("current_password"), cred.Hash); err != nil {
		return h.renderSecurity(w, r, v, http.StatusUnprocessableEntity, map[string]string{"current_password": "account.security.current_wrong"})
	}
	if problem := h.rules.Check(own.SelfService.WithDefaults().PasswordPolicy, r.PostFormValue("new_password"), r.PostFormValue("new_password_confirm")); problem != "" {
		// A mismatch is the confirmation's fault: the message hangs there.
		name := "new_password"
		if problem == password.ProblemMismatch {
			name = "new_password_confirm"
		}
		return h.renderSecurity(w, r, v, http.StatusUnprocessableEntity, map[string]string{name: "account.security.password_" + problem})
	}
	hash, err := h.hasher.Hash(ctx, r.PostFormValue("new_password"))
	if err == nil {
		err = h.store.SetPassword(ctx, v.Account.ID, hash)
	}
	if err == nil {
		// A reset link or code asked for before must not undo the change.
		err = storage.SpendPasswordResets(ctx, h.store, v.Account.ID, h.cfg.Now().UTC())
	}
	if err != nil {
		return err
	}
	_ = h.limits.Clear(ctx, key)
	// Other devices signed in with the old password are signed out, and
	// every token a client holds for the account ends with it (a refresh
	// token stolen with the old password must not outlive it), as after a
	// reset; the owner is told.
	if _, err := h.sessions.EndByAccount(ctx, v.Account.ID, v.Session.ID); err != nil {
		return err
	}
	if _, err := h.store.RevokeTokensBySubject(ctx, v.Account.ID); err != nil {
		return err
	}
	if err := h.tellPasswordChanged(r, v); err != nil {
		return err
	}
	h.event(r, v, "account.password_changed", nil)
	h.done(w, r, securityRoute, "password_changed")
	return nil
}

// tellPasswordChanged tells the owner by e-mail, or by SMS when the account
// has no address.
func (h *Handler) tellPasswordChanged(r *http.Request, v *viewer) error {
	var err error
	switch {
	case v.Account.Email != "":
		_, err = h.notify.Email(r.Context(), v.Account.Email, v.Account.ID, "password_changed", v.Lang, brandingOf(v.App), notify.PasswordChangedEmail{})
	case v.Account.Phone != "":
		_, err = h.notify.SMSFor(r.Context(), v.Account.Phone, v.Account.ID, "password_changed", v.Lang, brandingOf(v.App), nil,
			h.render.T(v.Lang, "sms.password_changed", brandingOf(v.App).AppName))
	}
	return err
}

// endSession signs out one of the account's sessions. The id comes from
// the form, so it must be one of this account's: any other id is answered
// as unknown.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id := r.PostFormValue("session_id")
	s, err := h.store.GetSession(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && s.AccountID != v.Account.ID) {
		h.notFound(w, r)
		return nil
	} else if err != nil {
		return err
	}
	if _, err := h.sessions.EndByID(r.Context(), s.ID); err != nil {
		return err
	}
	h.event(r, v, "account.session_ended", nil)
	if s.ID == v.Session.ID {
		h.clearCookie(w, portalCookie)
		h.message(w, r, http.StatusOK, "account.signed_out")
		return nil
	}
	h.done(w, r, securityRoute, "session_ended")
	return nil
}

func (h *Handler) endOtherSessions(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if _, err := h.sessions.EndByAccount(r.Context(), v.Account.ID, v.Session.ID); err != nil {
		return err
	}
	h.event(r, v, "account.other_sessions_ended", nil)
	h.done(w, r, securityRoute, "sessions_ended")
	return nil
}

// revokeGrant withdraws an application's authorization and its tokens;
// the store looks the grant up by this account, so another's is unknown.
func (h *Handler) revokeGrant(w http.ResponseWriter, r *http.Request, v *viewer) error {
	clientID := r.PostFormValue("client_id")
	err := h.store.RevokeGrant(r.Context(), v.Account.ID, clientID)
	if errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	h.event(r, v, "account.grant_revoked", map[string]string{"client_id": clientID})
	h.done(w, r, securityRoute, "grant_revoked")
	return nil
}
