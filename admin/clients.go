package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"

	"foyer/storage"
)

// ClientInput is a client as an admin describes it, in RFC 7591's field
// names. PUT replaces every field, so an omitted one takes its default.
type ClientInput struct {
	// ApplicationID defaults to the default application.
	ApplicationID          string   `json:"application_id"`
	ClientName             string   `json:"client_name"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	// GrantTypes default to authorization_code and refresh_token.
	GrantTypes []string `json:"grant_types"`
	// Scope is space-separated; empty means the default scopes.
	Scope string `json:"scope"`
	// TokenEndpointAuthMethod is client_secret_basic (the default) or
	// client_secret_post for confidential clients, none for public ones.
	TokenEndpointAuthMethod string `json:"token_endpoint_auth_method"`
	FirstParty              bool   `json:"first_party"`
	// ResourceServer lets the client introspect other clients' tokens.
	ResourceServer                   bool   `json:"resource_server"`
	Public                           bool   `json:"public"`
	InitiateLoginURI                 string `json:"initiate_login_uri"`
	BackchannelLogoutURI             string `json:"backchannel_logout_uri"`
	BackchannelLogoutSessionRequired bool   `json:"backchannel_logout_session_required"`
}

// Client is a registered client as the API shows it.
type Client struct {
	ClientID string `json:"client_id"`
	// ClientSecret is set only in the answer to a create, once; only its
	// digest is stored.
	ClientSecret string `json:"client_secret,omitempty"`
	// ClientSecretExpiresAt is 0 (never) whenever a secret is issued, as
	// RFC 7591 requires.
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
	ClientInput
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Errors a ClientService returns for bad input; the text after the
// sentinel is shown to the caller as the error description.
var (
	ErrInvalidClientMetadata = errors.New("invalid client metadata")
	ErrInvalidRedirectURI    = errors.New("invalid redirect URI")
)

// ClientService registers and manages clients with the same validation
// and secret generation as the CLI. Unknown ids are storage.ErrNotFound.
type ClientService interface {
	CreateClient(ctx context.Context, in ClientInput) (*Client, error)
	ListClients(ctx context.Context) ([]Client, error)
	GetClient(ctx context.Context, id string) (*Client, error)
	// UpdateClient replaces the client's metadata; its id and secret stay.
	UpdateClient(ctx context.Context, id string, in ClientInput) (*Client, error)
	DeleteClient(ctx context.Context, id string) error
}

// clientList is the answer to a list: an object, so that paging can be
// added without breaking callers.
type clientList struct {
	Clients []Client `json:"clients"`
}

func (h *Handler) listClients(w http.ResponseWriter, r *http.Request, _ manage.Actor) error {
	clients, err := h.clients.ListClients(r.Context())
	if err != nil {
		return h.serviceError(w, r, "list clients", err)
	}
	if clients == nil {
		clients = []Client{}
	}
	writeJSON(w, http.StatusOK, clientList{Clients: clients})
	return nil
}

func (h *Handler) getClient(w http.ResponseWriter, r *http.Request, _ manage.Actor) error {
	c, err := h.clients.GetClient(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return h.serviceError(w, r, "get client", err)
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) createClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in ClientInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	c, err := h.clients.CreateClient(r.Context(), in)
	if err != nil {
		return h.serviceError(w, r, "create client", err)
	}
	if c.ClientSecret != "" {
		never := int64(0)
		c.ClientSecretExpiresAt = &never
	}
	h.audit(r, a, "client.created", map[string]string{"client_id": c.ClientID, "client_name": c.ClientName})
	w.Header().Set("Location", h.routes.Path(clientRoute, nil, "id", c.ClientID))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// clientReplacement is the body of a PUT: a ClientInput, or a Client as a
// GET returned it (RFC 7592 section 2.2 sends client_id back). The
// read-only fields are accepted so that GET, edit, PUT works; client_id
// must name the client being replaced.
type clientReplacement struct {
	ClientID string `json:"client_id"`
	ClientInput
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func (h *Handler) updateClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in clientReplacement
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	id := mux.Vars(r)["id"]
	if in.ClientID != "" && in.ClientID != id {
		writeProblem(w, r, http.StatusBadRequest, "Bad request", "client_id does not match the client in the URL.")
		return nil
	}
	c, err := h.clients.UpdateClient(r.Context(), id, in.ClientInput)
	if err != nil {
		return h.serviceError(w, r, "update client", err)
	}
	h.audit(r, a, "client.updated", map[string]string{"client_id": c.ClientID, "client_name": c.ClientName})
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	id := mux.Vars(r)["id"]
	if err := h.clients.DeleteClient(r.Context(), id); err != nil {
		return h.serviceError(w, r, "delete client", err)
	}
	h.audit(r, a, "client.deleted", map[string]string{"client_id": id})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serviceError answers the service's sentinels with statuses and RFC 7591
// error codes, and returns anything else, saying what failed, for serve to
// answer as a 500 that shows nothing of its cause.
func (h *Handler) serviceError(w http.ResponseWriter, r *http.Request, what string, err error) error {
	switch {
	case errors.Is(err, ErrInvalidRedirectURI):
		writeProblemDoc(w, r, Problem{Type: ProblemValidation, Title: "The input is not valid", Status: http.StatusUnprocessableEntity,
			Detail: describe(err, ErrInvalidRedirectURI), Errors: []FieldError{{Field: "redirect_uris", Detail: describe(err, ErrInvalidRedirectURI)}}})
	case errors.Is(err, ErrInvalidClientMetadata):
		writeProblem(w, r, http.StatusUnprocessableEntity, "The input is not valid", describe(err, ErrInvalidClientMetadata))
	case errors.Is(err, storage.ErrNotFound):
		writeProblem(w, r, http.StatusNotFound, "Not found", "There is no client with this id.")
	case errors.Is(err, storage.ErrConflict):
		writeProblem(w, r, http.StatusConflict, "Conflict", "The client conflicts with an existing one.")
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// describe is the part of err's message after the sentinel's own text:
// what the caller did wrong, without the wrapping.
func describe(err, sentinel error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, sentinel.Error()+": "); ok {
		return after
	}
	return msg
}
