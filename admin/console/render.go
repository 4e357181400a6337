package console

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/themes"
)

// frame is what every console page shows around its content: the
// administrator, the menu, the store switcher and the sign-out form. Each
// page's data struct embeds it, so templates read {{.Data.AdminName}}.
type frame struct {
	AdminName string
	HomeURL   string
	Roles     []string
	Nav       []navItem
	// Stores feed the switcher; CurrentStore is the one the page is about.
	Stores       []storeChoice
	CurrentStore string
	SwitchURL    string
	LogoutURL    string
	// FormToken goes into every form the page posts.
	FormToken string
	// Notice and Error are message keys shown above the content.
	Notice string
	Error  string
	// SwitchView keeps the switcher on the kind of page shown (the
	// account list) instead of opening the store's settings.
	SwitchView string
}

// setFrame fills in the frame, keeping a notice or error the page set.
func (f *frame) setFrame(x frame) {
	if f.Notice != "" {
		x.Notice = f.Notice
	}
	if f.Error != "" {
		x.Error = f.Error
	}
	*f = x
}

// framed is a page's data: a struct embedding frame.
type framed interface{ setFrame(frame) }

type navItem struct {
	Path, Label string
	Current     bool
}

type storeChoice struct {
	ID, Name string
	Current  bool
}

// page renders a console page with its frame.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, rq *request, tmpl string, status int, current string, data framed) {
	f := frame{AdminName: rq.Actor.Name, HomeURL: h.path(homeRoute, nil), Nav: h.nav(rq, r), CurrentStore: current,
		SwitchURL: h.path(switchRoute, nil), LogoutURL: h.path(logoutRoute, nil), FormToken: h.formToken(rq.Binding)}
	f.Nav = h.withStoreNav(f.Nav, rq, r, current)
	for _, g := range rq.Actor.Grants {
		f.Roles = append(f.Roles, string(g.Role))
	}
	for _, s := range rq.Stores {
		f.Stores = append(f.Stores, storeChoice{ID: s.ID, Name: s.Name, Current: s.ID == current})
	}
	if n := r.URL.Query().Get("notice"); noticeKeys[n] {
		f.Notice = "admin.notice." + n
	}
	data.setFrame(f)
	h.renderData(w, r, rq.Lang, tmpl, status, data)
}

func (h *Handler) renderData(w http.ResponseWriter, r *http.Request, lang, tmpl string, status int, data any) {
	w.Header().Set("Referrer-Policy", "same-origin")
	err := h.render.Render(w, r, themes.Page{Template: tmpl, Lang: lang, Branding: themes.Branding{AppName: "Foyer"}, Data: data, Status: status})
	if err != nil {
		// Render wrote nothing: a bare 500 rather than an empty page.
		h.log.ErrorContext(r.Context(), "console render", "template", tmpl, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// noticeKeys are the notices a redirect after a post may name in ?notice=.
var noticeKeys = map[string]bool{
	"saved": true, "created": true, "deleted": true, "invited": true, "disabled": true, "enabled": true, "removed": true, "authenticator_removed": true,
	"reset_sent": true, "password_set": true, "code_sent": true, "contact_added": true, "lockout_cleared": true, "external_removed": true,
	"session_ended": true, "sessions_ended": true,
	"account_disabled": true, "account_enabled": true, "account_deleted": true,
	"group_added": true, "group_removed": true,
	"invitation_sent": true, "invitation_resent": true, "invitation_revoked": true,
}

// messagePage is the data of admin_message: a title, a message and a link.
type messagePage struct {
	Title, Message, LinkURL, LinkText string
	// LogoutURL and FormToken offer a sign-out (the 403 page).
	LogoutURL, FormToken string
}

// message shows a standalone console message (outside the frame: the
// visitor may not be an administrator). A refusal or failure of a request
// that met a storage failure is the 503 page instead (see unavailable).
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, key string) {
	if status >= http.StatusBadRequest && storage.Failure(r.Context()) != nil {
		h.unavailable(w, r)
		return
	}
	h.showMessage(w, r, status, key)
}

// showMessage renders the admin_message page as it is asked.
func (h *Handler) showMessage(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := h.render.Negotiate("", "", r.Header.Get("Accept-Language"))
	h.renderData(w, r, lang, "admin_message", status, &messagePage{Title: "admin.title", Message: key,
		LinkURL: h.path(homeRoute, nil), LinkText: "admin.open"})
}

// forbidden is the 403 page for someone signed in who is not an
// administrator with a grant (a customer, a disabled administrator), or
// an administrator whose roles do not allow the page: it says so and
// offers to sign out.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request) {
	if storage.Failure(r.Context()) != nil {
		h.unavailable(w, r)
		return
	}
	lang := h.render.Negotiate("", "", r.Header.Get("Accept-Language"))
	p := &messagePage{Title: "admin.forbidden.title", Message: "admin.forbidden.text"}
	if b, ok := h.binding(r); ok {
		p.LogoutURL, p.FormToken = h.path(logoutRoute, nil), h.formToken(b)
	}
	h.renderData(w, r, lang, "admin_message", http.StatusForbidden, p)
}

// unavailable is the 503 page with Retry-After for a request that met a
// storage failure: whatever went wrong after it (a session or an
// administrator that could not be read, a page that could not load) says
// nothing about the administrator, who is neither signed out, nor
// forbidden, nor sent to sign in again; the same request works once the
// database is back.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request) {
	h.log.ErrorContext(r.Context(), "console: storage failure: answered 503", "path", r.URL.Path, "err", storage.Failure(r.Context()))
	w.Header().Set("Retry-After", retryAfterSeconds)
	h.showMessage(w, r, http.StatusServiceUnavailable, "error.temporarily_unavailable")
}

// retryAfterSeconds is how long a browser is asked to wait after a 503
// during a storage failure (as the OAuth endpoints and the admin API ask).
const retryAfterSeconds = "5"

// serve is the console's one rendering path for failures: a request that
// met a storage failure gets the 503 page whatever the error, ErrForbidden
// is the 403 page, ErrNotFound the 404 page, anything else is logged and
// shown as a message that says nothing of the cause.
func (h *Handler) serve(f func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		switch {
		case err == nil:
		case storage.Failure(r.Context()) != nil:
			h.unavailable(w, r)
		case errors.Is(err, manage.ErrForbidden):
			h.forbidden(w, r)
		case errors.Is(err, storage.ErrNotFound):
			h.message(w, r, http.StatusNotFound, "admin.not_found")
		default:
			level := slog.LevelError
			if r.Context().Err() != nil {
				level = slog.LevelDebug
			}
			h.log.Log(r.Context(), level, "console", "path", r.URL.Path, "err", err)
			h.message(w, r, http.StatusInternalServerError, "error.generic")
		}
	}
}

// done redirects after a successful post (post/redirect/get), naming the
// notice to show; to is always a path built from the console's own named
// routes.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, to, notice string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"notice="+url.QueryEscape(notice), http.StatusSeeOther) //nolint:gosec // G710: a path of the console's own routes
}
