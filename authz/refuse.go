package authz

import (
	"errors"
	"net/http"

	"github.com/ory/fosite"

	"foyer/selfservice/route"
	"foyer/storage"
)

// RefusePath answers an interaction's authorization request with an
// OAuth error: selfservice links here when an upstream sign-in failed
// and the customer chose to return to the application.
const RefusePath = "/oauth2/auth/refuse"

// refusal is the error a Refuse link may send for code, or nil.
func refusal(code string) *fosite.RFC6749Error {
	switch code {
	case fosite.ErrAccessDenied.ErrorField:
		return fosite.ErrAccessDenied.WithHint("Signing in with the external identity provider did not work.")
	case fosite.ErrTemporarilyUnavailable.ErrorField:
		return fosite.ErrTemporarilyUnavailable.WithHint("The external identity provider cannot be reached right now.")
	}
	return nil
}

// refuse answers the interaction's request with the error its signed
// link names (with state and iss, as a denied consent does) and ends the
// interaction. The link is signed for the interaction and the error, and
// the interaction must be this browser's.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	id, code := q.Get("interaction"), q.Get("error")
	rfc := refusal(code)
	if id == "" || rfc == nil || !h.steps.Verify(id, route.RefuseStep(code), q.Get("sig")) {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	ctx := r.Context()
	in, pending, err := h.sessions.LoadInteraction(r, h.store, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!h.now().Before(in.ExpiresAt) || in.SessionID != "")) {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil
	}
	if err != nil {
		return errorf("load interaction: %w", err)
	}
	if !h.sessions.StartedHere(r, in.Browser) {
		h.errorPage(w, r, http.StatusBadRequest, "error.other_browser")
		return nil
	}
	ar, replayErr := h.replay(r, in)
	if errors.Is(replayErr, errClientSwitched) {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	// Single use: whoever deletes it first answers. A pending one (never
	// stored: nothing of it to use twice but its cookie) ends with that.
	if pending {
		h.sessions.Unpark(w, id)
	} else if err := h.store.DeleteInteraction(ctx, id); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil //nolint:nilerr // another request used it first: answered, not a failure
	}
	if replayErr != nil {
		h.authorizeError(w, r, ar, replayErr)
		return nil
	}
	h.authorizeError(w, r, ar, rfc)
	return nil
}
