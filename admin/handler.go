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
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
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
	Tokens TokenValidator
	// Core turns a token's subject or client into a manage.Actor.
	Core    *manage.Core
	Clients ClientService
	Events  Events
	Logger  *slog.Logger
}

// Handler serves the admin REST API.
type Handler struct {
	tokens  TokenValidator
	core    *manage.Core
	clients ClientService
	events  Events
	log     *slog.Logger
	// openAPI is the assembled document, served as is.
	openAPI []byte
	// routes builds URLs from the router Mount was given.
	routes route.URLs
}

// New checks the dependencies and returns the handler.
func New(d Deps) (*Handler, error) {
	if d.Tokens == nil || d.Core == nil || d.Clients == nil || d.Events == nil {
		return nil, errors.New("admin: Tokens, Core, Clients and Events are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	doc, err := assembleOpenAPI(openAPIFiles, "openapi")
	if err != nil {
		return nil, err
	}
	return &Handler{tokens: d.Tokens, core: d.Core, clients: d.Clients, events: d.Events, log: d.Logger, openAPI: doc}, nil
}

// clientRoute is one client of the API, with the id variable.
const clientRoute = "admin.client"

// Mount registers the API's routes on a subrouter of r under APIPrefix and
// keeps r to build URLs from its named routes.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	api := r.PathPrefix(APIPrefix).Subrouter()
	route.Handle(api, "admin.openapi", "/openapi.json", route.Methods{http.MethodGet: h.serveOpenAPI})
	route.Handle(api, "admin.clients", "/clients", route.Methods{
		http.MethodGet: h.authorized(h.listClients), http.MethodPost: h.authorized(h.createClient)})
	route.Handle(api, clientRoute, "/clients/{id}", route.Methods{
		http.MethodGet: h.authorized(h.getClient), http.MethodPut: h.authorized(h.updateClient), http.MethodDelete: h.authorized(h.deleteClient)})
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
func (h *Handler) audit(r *http.Request, a manage.Actor, kind string, data map[string]string) {
	// Account and client ids look alike; actor_type says which this is.
	data["actor_type"] = string(a.Kind)
	e := &storage.Event{Kind: kind, Actor: a.ID, IP: a.IP, Data: data}
	if err := h.events.AppendEvent(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "admin api: audit event not recorded", "kind", kind, "err", err)
	}
}
