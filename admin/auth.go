package admin

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
)

// apiFunc is an endpoint of the API for an authenticated actor: it writes
// every answer it means to give (problems through writeProblem and
// writeServiceError) and returns the failures it cannot answer, which
// serve renders.
type apiFunc func(w http.ResponseWriter, r *http.Request, a manage.Actor) error

// serve is the API's one rendering path for failures: it logs the error
// with the request's context and answers 500 without its cause.
func (h *Handler) serve(f func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		switch {
		case err == nil:
		case storage.Failure(r.Context()) != nil:
			h.log.ErrorContext(r.Context(), "admin api: storage failure: answered 503", "err", err)
			w.Header().Set("Retry-After", retryAfterSeconds)
			writeProblem(w, r, http.StatusServiceUnavailable, "Service unavailable", "The server cannot reach its database. Try again shortly.")
		default:
			h.log.ErrorContext(r.Context(), "admin api", "err", err)
			writeProblem(w, r, http.StatusInternalServerError, "Internal server error", "The server could not complete the request.")
		}
	}
}

// retryAfterSeconds is how long a caller is asked to wait after a 503
// during a storage failure (as the OAuth endpoints ask).
const retryAfterSeconds = "5"

// refusalMetFailure: a token or actor that could not be read is not an
// invalid or forbidden one. An automation told 401 during a database
// outage would drop or rotate a good credential; serve answers 503.
func refusalMetFailure(r *http.Request) error {
	if f := storage.Failure(r.Context()); f != nil {
		return fmt.Errorf("admin api: authenticate: %w", f)
	}
	return nil
}

// authorized authenticates the bearer access token, turns it into the
// manage.Actor the endpoint runs as, and runs next through serve. Two
// kinds of token open the API (each endpoint then checks the actor's
// roles and store scope through manage):
//   - a console token: issued to the console's client for an account of
//     the administrators store holding a role (manage.Core.Administrator);
//   - a client-credentials token with the foyer:admin scope, of a client
//     holding a role (manage.Core.Client).
//
// Anything else, a customer's token above all, is 403.
func (h *Handler) authorized(next apiFunc) http.HandlerFunc {
	return h.serve(func(w http.ResponseWriter, r *http.Request) error {
		token, ok := bearerToken(r)
		if !ok {
			// RFC 6750 section 3.1: no error code when no credentials came.
			w.Header().Set("WWW-Authenticate", `Bearer realm="foyer-admin"`)
			writeProblem(w, r, http.StatusUnauthorized, "Unauthorized", "A bearer access token is required.")
			return nil
		}
		p, err := h.tokens.ValidateAccessToken(r.Context(), token)
		if errors.Is(err, ErrInvalidToken) {
			if err := refusalMetFailure(r); err != nil {
				return err
			}
			bearerError(w, r, http.StatusUnauthorized, "invalid_token", "The access token is not valid.")
			return nil
		}
		if err != nil {
			return fmt.Errorf("validate access token: %w", err)
		}
		a, err := h.actor(r, p)
		if errors.Is(err, manage.ErrForbidden) {
			if err := refusalMetFailure(r); err != nil {
				return err
			}
			writeProblem(w, r, http.StatusForbidden, "Forbidden", "This token does not open the admin API.")
			return nil
		}
		if err != nil {
			return fmt.Errorf("admin actor: %w", err)
		}
		w.Header().Set("Cache-Control", "no-store")
		return next(w, r, a)
	})
}

// actor is who the token's principal is on the operator side, or
// manage.ErrForbidden.
func (h *Handler) actor(r *http.Request, p Principal) (manage.Actor, error) {
	ip, ua := session.ClientIP(r), r.UserAgent()
	switch {
	case p.Subject != "" && p.ClientID == manage.ConsoleClientID:
		return h.core.Administrator(r.Context(), p.Subject, ip, ua)
	case p.Subject == "" && p.ClientID != "" && slices.Contains(p.Scopes, Scope):
		// The scope keeps a token the client obtained for another
		// resource server from opening the admin API if it leaks there.
		return h.core.Client(r.Context(), p.ClientID, "", ip, ua)
	default:
		return manage.Actor{}, manage.ErrForbidden
	}
}

// bearerToken reads "Authorization: Bearer TOKEN" (scheme case-insensitive).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// bearerError answers a token the API cannot accept (RFC 6750 section 3)
// with a problem body.
func bearerError(w http.ResponseWriter, r *http.Request, status int, code, description string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="foyer-admin", error=%q, error_description=%q`, code, description))
	writeProblem(w, r, status, http.StatusText(status), description)
}
