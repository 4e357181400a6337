package console

import (
	"errors"
	"net/http"
	"net/url"

	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
)

// request is one page request of a signed-in administrator.
type request struct {
	Actor   manage.Actor
	Binding binding
	// Stores are the identity stores the actor may see, for the switcher.
	Stores []storage.IdentityStore
	Lang   string
}

// pageFunc is a console page or form handler: it writes every answer it
// means to give and returns what it cannot answer, which serve renders.
type pageFunc func(w http.ResponseWriter, r *http.Request, rq *request) error

// authed runs fn for a request of a signed-in administrator, through
// serve. Without a live console sign-in, GETs go to the sign-in and POSTs
// back to the console's start (a post has no page to come back to). An
// account that is not (or no longer) an enabled administrator with a
// grant gets the 403 page; a post without the session's form token is
// refused before fn runs.
func (h *Handler) authed(fn pageFunc) http.HandlerFunc {
	return h.serve(func(w http.ResponseWriter, r *http.Request) error {
		b, ok := h.binding(r)
		if ok {
			sess, err := h.sessions.Current(r)
			if err != nil && !errors.Is(err, session.ErrNoSession) {
				return err
			}
			ok = err == nil && sess.ID == b.SessionID && sess.AccountID == b.AccountID
		}
		if !ok && storage.Failure(r.Context()) != nil {
			// A session the outage kept us from reading is not a session
			// that ended: keep the cookie, serve answers 503.
			return storage.Failure(r.Context())
		}
		if !ok {
			h.clearCookie(w, consoleCookie)
			next := h.path(homeRoute, nil)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, h.path(signInRoute, url.Values{"next": {next}}), http.StatusSeeOther)
			return nil
		}
		actor, err := h.core.Administrator(r.Context(), b.AccountID, session.ClientIP(r), r.UserAgent())
		if err != nil {
			return err // ErrForbidden: serve shows the 403 page
		}
		if r.Method == http.MethodPost && !h.formTokenOK(r, b) {
			h.message(w, r, http.StatusForbidden, "admin.form_expired")
			return nil
		}
		stores, err := h.visibleStores(r, actor)
		if err != nil {
			return err
		}
		lang := h.render.Negotiate("", "", r.Header.Get("Accept-Language"))
		return fn(w, r, &request{Actor: actor, Binding: b, Stores: stores, Lang: lang})
	})
}

// visibleStores are the customer identity stores the actor may see.
func (h *Handler) visibleStores(r *http.Request, a manage.Actor) ([]storage.IdentityStore, error) {
	all, err := h.store.ListIdentityStores(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]storage.IdentityStore, 0, len(all))
	for _, s := range all {
		if s.ID != storage.AdministratorsStoreID && a.Can(manage.ReadConfig, s.ID) {
			out = append(out, s)
		}
	}
	return out, nil
}

// canSee reports whether the store is one the request may see.
func (rq *request) canSee(storeID string) bool {
	for _, s := range rq.Stores {
		if s.ID == storeID {
			return true
		}
	}
	return false
}
