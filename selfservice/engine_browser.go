package selfservice

import (
	"errors"
	"net/http"

	"foyer/storage"
)

// errOtherBrowser: the interaction was started in another browser. The
// authorization endpoint binds each interaction to the browser it
// arrived from (session.BindBrowser); the sign-in and registration pages
// and every way to a session refuse any other browser, so a link to a
// half-finished sign-in sent to someone cannot finish it in their browser
// and leave them signed in to the sender's account (login CSRF). Links
// from messages (activation, password reset, magic links) still do their
// job elsewhere, but continue the sign-in only where it began.
var errOtherBrowser = errors.New("selfservice: interaction started in another browser")

// startedHere reports whether this browser started the flow's request.
func (h *Handler) startedHere(r *http.Request, f *Flow) bool {
	return h.sessions.StartedHere(r, f.Interaction.Browser)
}

// flowLoadFailed answers a request whose flow could not be loaded with
// the page that says why, or returns err when the cause is ours.
func (h *Handler) flowLoadFailed(w http.ResponseWriter, r *http.Request, err error) error {
	switch {
	case errors.Is(err, errBadLink):
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
	case errors.Is(err, storage.ErrNotFound):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
	case errors.Is(err, errOtherBrowser):
		h.errorPage(w, r, http.StatusBadRequest, "error.other_browser")
	default:
		return err
	}
	return nil
}
