package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
)

// APIPrefix is where the admin REST API lives.
const APIPrefix = "/admin/api/v1"

// Scope is the scope an access token needs to call the admin API.
const Scope = "foyer:admin"

// maxBody caps request bodies: a client's metadata is far smaller.
const maxBody = 64 << 10

// Principal is who calls the API, as the access token says.
type Principal struct {
	Subject  string // the account; empty for a client-credentials token
	ClientID string
	Scopes   []string
}

// actor names the principal in the audit log: the account, or the client
// for a token it obtained for itself.
func (p Principal) actor() (actor, kind string) {
	if p.Subject != "" {
		return p.Subject, "account"
	}
	return p.ClientID, "client"
}

// ErrInvalidToken is what a TokenValidator wraps for a token that is
// unknown, expired, revoked or not an access token; any other error is a
// server failure.
var ErrInvalidToken = errors.New("invalid access token")

// TokenValidator checks a bearer access token issued by Foyer.
type TokenValidator interface {
	ValidateAccessToken(ctx context.Context, token string) (Principal, error)
}

// Events records the admin audit log.
type Events interface {
	AppendEvent(ctx context.Context, e *storage.Event) error
}

// Deps are the admin API's collaborators.
type Deps struct {
	Tokens  TokenValidator
	Clients ClientService
	Events  Events
	Logger  *slog.Logger
}

// Handler serves the admin REST API.
type Handler struct {
	tokens  TokenValidator
	clients ClientService
	events  Events
	log     *slog.Logger
	// routes builds URLs from the router Mount was given.
	routes route.URLs
}

// New checks the dependencies and returns the handler.
func New(d Deps) (*Handler, error) {
	if d.Tokens == nil || d.Clients == nil || d.Events == nil {
		return nil, errors.New("admin: Tokens, Clients and Events are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{tokens: d.Tokens, clients: d.Clients, events: d.Events, log: d.Logger}, nil
}

// clientRoute is one client of the API, with the id variable.
const clientRoute = "admin.client"

// Mount registers the API's routes on a subrouter of r under APIPrefix and
// keeps r to build URLs from its named routes.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	api := r.PathPrefix(APIPrefix).Subrouter()
	route.Handle(api, "admin.openapi", "/openapi.json", route.Methods{http.MethodGet: serveOpenAPI})
	route.Handle(api, "admin.clients", "/clients", route.Methods{
		http.MethodGet: h.authorized(h.listClients), http.MethodPost: h.authorized(h.createClient)})
	route.Handle(api, clientRoute, "/clients/{id}", route.Methods{
		http.MethodGet: h.authorized(h.getClient), http.MethodPut: h.authorized(h.updateClient), http.MethodDelete: h.authorized(h.deleteClient)})
}

// apiFunc is an endpoint of the API for an authorized principal: it
// writes every answer it means to give (4xx error bodies through
// writeError and serviceError) and returns the failures it cannot answer,
// which serve renders.
type apiFunc func(w http.ResponseWriter, r *http.Request, p Principal) error

// serve is the API's one rendering path for failures: it logs the error
// with the request's context and answers 500 without its cause.
func (h *Handler) serve(f func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			h.log.ErrorContext(r.Context(), "admin api", "err", err)
			writeProblem(w, r, http.StatusInternalServerError, "Internal server error", "The server could not complete the request.")
		}
	}
}

// authorized admits requests whose bearer access token carries the admin
// scope and was issued to a client for itself (client credentials), and
// runs next for them through serve.
// Tokens issued on behalf of a user are refused: Foyer has no admin role
// yet, so a user token with foyer:admin would make whoever can sign in to
// such a client an administrator.
func (h *Handler) authorized(next apiFunc) http.HandlerFunc {
	return h.serve(func(w http.ResponseWriter, r *http.Request) error {
		token, ok := bearerToken(r)
		if !ok {
			// RFC 6750 section 3.1: no error code when no credentials came.
			w.Header().Set("WWW-Authenticate", `Bearer realm="foyer-admin", scope="`+Scope+`"`)
			writeProblem(w, r, http.StatusUnauthorized, "Unauthorized", "A bearer access token with the "+Scope+" scope is required.")
			return nil
		}
		p, err := h.tokens.ValidateAccessToken(r.Context(), token)
		switch {
		case errors.Is(err, ErrInvalidToken):
			bearerError(w, r, http.StatusUnauthorized, "invalid_token", "The access token is not valid.")
			return nil
		case err != nil:
			return fmt.Errorf("validate access token: %w", err)
		case !slices.Contains(p.Scopes, Scope):
			bearerError(w, r, http.StatusForbidden, "insufficient_scope", "The access token lacks the "+Scope+" scope.")
			return nil
		case p.Subject != "":
			bearerError(w, r, http.StatusForbidden, "insufficient_scope",
				"The admin API accepts only tokens a client obtained for itself with the client_credentials grant.")
			return nil
		}
		w.Header().Set("Cache-Control", "no-store")
		return next(w, r, p)
	})
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

func bearerError(w http.ResponseWriter, r *http.Request, status int, code, description string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="foyer-admin", error=%q, error_description=%q, scope=%q`,
		code, description, Scope))
	writeProblem(w, r, status, http.StatusText(status), description)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decodeJSON reads exactly one JSON object of the expected shape: unknown
// fields are refused, so a misspelt field is an error rather than silently
// dropped, which matters for a full replace.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return fmt.Errorf("%w: the body must be application/json", errBadRequest)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("%w: the body is larger than %d bytes", errBadRequest, maxBody)
		}
		return fmt.Errorf("%w: %s", errBadRequest, jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the body must hold a single JSON object", errBadRequest)
	}
	return nil
}

// jsonProblem describes a decoding error in words fit for the caller; the
// decoder's messages name Go types.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("field %q has the wrong type (got a JSON %s)", typeErr.Field, typeErr.Value)
	case errors.As(err, &typeErr):
		return "the body must be a JSON object"
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the body is not valid JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "the body is not valid JSON"
	}
}

// audit appends an admin audit log entry. The change it records has
// already happened, so a failure to record it is logged, not returned.
func (h *Handler) audit(r *http.Request, p Principal, kind string, data map[string]string) {
	ip := session.ClientIP(r)
	actor, actorType := p.actor()
	// Account and client ids look alike; actor_type says which this is.
	data["actor_type"] = actorType
	e := &storage.Event{Kind: kind, Actor: actor, IP: ip, Data: data}
	if err := h.events.AppendEvent(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "admin api: audit event not recorded", "kind", kind, "err", err)
	}
}
