package portal

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// navItem is one entry of the portal's menu.
type navItem struct {
	Path, Label string
	Current     bool
}

var navPages = []struct{ route, label string }{
	{appsRoute, "account.nav.apps"},
	{profileRoute, "account.nav.profile"},
	{settingsRoute, "account.nav.settings"},
	{securityRoute, "account.nav.security"},
	{privacyRoute, "account.nav.privacy"},
}

// renderPage renders a portal page with its frame (menu, who is signed
// in, the notice ?notice= names) and the application's branding.
func (h *Handler) renderPage(w http.ResponseWriter, r *http.Request, v *viewer, tmpl string, status int, data pageData) {
	h.renderBranded(w, r, v, tmpl, status, data, brandingOf(v.App))
}

// renderBranded is renderPage with the branding given: an organization's
// page wears the organization's own (issue 15).
func (h *Handler) renderBranded(w http.ResponseWriter, r *http.Request, v *viewer, tmpl string, status int, data pageData,
	brand themes.Branding) {
	f := data.base()
	f.Nav = make([]navItem, 0, len(navPages))
	for _, p := range navPages {
		path := h.path(p.route, nil)
		f.Nav = append(f.Nav, navItem{Path: path, Label: p.label, Current: r.URL.Path == path})
	}
	if org := h.orgNav(r, v); org != nil {
		f.Nav = append(f.Nav, *org)
	}
	f.LogoutURL = h.path(logoutRoute, nil)
	f.AccountName = displayName(v.Account)
	if n := r.URL.Query().Get("notice"); n != "" && noticeKeys[n] {
		f.Notice = "account.notice." + n
	}
	err := h.render.Render(w, r, themes.Page{Template: tmpl, Lang: v.Lang, Branding: brand, Data: data, Status: status})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render", "template", tmpl, "err", err)
	}
}

// noticeKeys are the notices a redirect after a post may name in ?notice=.
var noticeKeys = map[string]bool{
	"saved": true, "code_sent": true, "contact_changed": true, "password_changed": true,
	"session_ended": true, "sessions_ended": true, "grant_revoked": true, "consent_saved": true,
	"unlinked": true, "fresh_needed": true,
	// Organization administration's.
	"role_granted": true, "role_revoked": true, "member_removed": true, "organization_renamed": true,
	"invitation_sent": true, "invitation_resent": true, "invitation_revoked": true,
}

// done redirects after a successful post (post/redirect/get), naming the
// notice to show.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, page, notice string) {
	http.Redirect(w, r, h.path(page, url.Values{"notice": {notice}}), http.StatusSeeOther)
}

func brandingOf(app *storage.Application) themes.Branding {
	return themes.Branding(storage.ApplicationBranding(app))
}

func displayName(a *storage.Account) string {
	for _, s := range []string{a.Attributes["given_name"], a.Email, a.Username, a.Phone} {
		if s != "" {
			return s
		}
	}
	return a.ID
}

// brandingApp is the application the portal was opened for: the one named
// by the app cookie (set by ?app= or the friendly URL), or the default.
func (h *Handler) brandingApp(r *http.Request) (*storage.Application, error) {
	ctx := r.Context()
	if id := h.cookie(r, appCookie); id != "" {
		app, err := h.store.GetApplication(ctx, id)
		if err == nil {
			return app, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
	}
	app, err := h.store.GetApplication(ctx, h.cfg.DefaultApplicationID)
	if errors.Is(err, storage.ErrNotFound) {
		return &storage.Application{ID: h.cfg.DefaultApplicationID}, nil
	}
	return app, err
}

// chooseApp switches the portal's branding to the application named by
// ?app= for this and later pages; an unknown id changes nothing.
func (h *Handler) chooseApp(w http.ResponseWriter, r *http.Request, v *viewer, id string) {
	app, err := h.store.GetApplication(r.Context(), id)
	// Only the applications of the customer's own identity store: another
	// store's consents and branding are not theirs to see or answer.
	if err != nil || app.StoreID != v.Account.StoreID {
		return
	}
	v.App = app
	h.setCookie(w, appCookie, app.ID, 0)
}

// friendlyURL opens the portal with the branding of the application that
// holds the slug.
func (h *Handler) friendlyURL(w http.ResponseWriter, r *http.Request) error {
	app, err := h.store.FindApplicationBySlug(r.Context(), mux.Vars(r)["slug"])
	if errors.Is(err, storage.ErrNotFound) {
		h.message(w, r, http.StatusNotFound, "error.not_found")
		return nil
	}
	if err != nil {
		return err
	}
	h.setCookie(w, appCookie, app.ID, 0)
	// The application's customers sign in through their store's portal.
	var q url.Values
	if _, err := h.storePortal(r.Context(), app.StoreID); err == nil {
		q = h.storeQuery(app.StoreID)
	}
	http.Redirect(w, r, h.path(appsRoute, q), http.StatusFound)
	return nil
}

// message shows a page outside the portal's menu.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, key string) {
	h.messageIn(w, r, status, key, "")
}

// messageIn is message whose "Open your account" leads to the portal of
// storeID (or of the store the request names, when empty).
//
// A request that met a storage failure gets 503 and Retry-After whatever
// it was about to say: the customer's session or link may be fine, the
// database was only unreachable.
func (h *Handler) messageIn(w http.ResponseWriter, r *http.Request, status int, key, storeID string) {
	if storage.Failure(r.Context()) != nil {
		status, key = http.StatusServiceUnavailable, "error.temporarily_unavailable"
		w.Header().Set("Retry-After", storageRetryAfter)
	}
	lang := h.render.NegotiateRequest(r, "", "")
	app, _ := h.brandingApp(r)
	home := withStore(r, nil)
	if storeID != "" {
		home = h.storeQuery(storeID)
	}
	if id := home.Get(StoreParam); id != "" {
		if _, err := h.storePortal(r.Context(), id); err != nil {
			home = nil // never a link to a portal that is not there
		}
	}
	err := h.render.Render(w, r, themes.Page{Template: "message", Lang: lang, Branding: brandingOf(app), Status: status,
		Data: messageData{Title: "account.title", Message: key, LinkURL: h.path(route.AccountHome, home), LinkText: "account.open"}})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render message", "err", err)
	}
}

// notFound answers an id the signed-in account does not hold exactly like
// one that does not exist, so nobody learns about others' ids.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.message(w, r, http.StatusNotFound, "error.not_found")
}

// storageRetryAfter is how long a browser is asked to wait after a 503
// during a storage failure (as the OAuth endpoints ask).
const storageRetryAfter = "5"

// handlerFunc is a portal endpoint that may fail: it writes every answer
// it means to give (pages with field errors, not-found messages,
// redirects) and returns what it cannot answer, which serve renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve is the portal's one rendering path for failures: it logs the
// error with the request's context (at debug level when the client went
// away, which cancels our queries too) and shows the themed message page,
// which says nothing of the cause.
func (h *Handler) serve(f handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		if err == nil {
			return
		}
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelDebug
		}
		h.log.Log(r.Context(), level, "portal", "path", r.URL.Path, "err", err)
		h.message(w, r, http.StatusInternalServerError, "error.generic")
	}
}

// event appends to the account's activity log; a failure is logged, not
// shown, because the action itself succeeded.
func (h *Handler) event(r *http.Request, v *viewer, kind string, data map[string]string) {
	e := &storage.Event{AccountID: v.Account.ID, Kind: kind, Actor: v.Account.ID, IP: session.ClientIP(r), Data: data}
	if err := h.store.AppendEvent(r.Context(), e); err != nil {
		h.log.WarnContext(r.Context(), "portal event", "kind", kind, "err", err)
	}
}
