package admin

import (
	"bytes"
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
	"foyer/httpin"
	"foyer/selfservice/route"
	"foyer/themes"
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

// Deps are the admin API's collaborators.
type Deps struct {
	Tokens TokenValidator
	// Core turns a token's subject or client into a manage.Actor.
	Core           *manage.Core
	Clients        *manage.Clients
	Administrators *manage.Administrators
	Audit          *manage.Audit
	Applications   *manage.Applications
	Policies       *manage.Policies
	Stores         StoreServices // stores, groups, roles, organizations (admin/stores.go)
	Logger         *slog.Logger
	// AccountJobs runs quick actions on many accounts (admin/account_jobs.go).
	AccountJobs *manage.AccountJobs
	// AccountAuth and Notices serve an account's authenticators and the
	// clients its notices may go through (account_authenticators.go).
	AccountAuth *manage.AccountAuthenticators
	Notices     *manage.CustomerNotices
	// AccountActions and AccountProfiles serve an account's profile
	// (admin/accounts.go); Renderer translates its HTML export.
	AccountActions  *manage.AccountActions
	AccountProfiles *manage.AccountProfiles
	Renderer        *themes.Renderer
	// AccountRoles serves an account's roles and memberships
	// (admin/account_roles.go).
	AccountRoles *manage.AccountRoles
	Verification VerificationServices // verification policies and account verifications (admin/verification.go)

	// AccountActivity serves an account's activity, sessions and consents.
	AccountActivity *manage.AccountActivity
	// AccountSearch serves the account list (admin/accounts_search.go).
	AccountSearch *manage.AccountSearch
	// Invitations serves a store's customer invitations (admin/invitations.go).
	Invitations *manage.Invitations
	// PartnerLookups serves applications' partner lookup webhooks
	// (admin/partner_lookup.go).
	PartnerLookups *manage.PartnerLookups
	// Upstreams serves the stores' upstream identity providers
	// (admin/upstreams.go).
	Upstreams *manage.Upstreams
	// MessageTemplates serves the applications' own e-mail and SMS
	// templates (admin/msgtemplates.go).
	MessageTemplates *manage.MessageTemplates
	// Brandings serves applications' and organizations' branding
	// (admin/branding.go).
	Brandings *manage.Brandings
	// Translations serves translation packages (admin/translations.go).
	Translations *manage.Translations
	// OpenAPI is the document OpenAPIDocument returned, for a caller that
	// assembled it earlier (the server does while its theme loads); nil:
	// New assembles it.
	OpenAPI []byte
}

// Handler serves the admin REST API.
type Handler struct {
	tokens  TokenValidator
	core    *manage.Core
	clients *manage.Clients
	admins  *manage.Administrators
	audit   *manage.Audit
	// applications and policies serve applications.go and policies.go.
	applications *manage.Applications
	policies     *manage.Policies
	stores       StoreServices
	verification VerificationServices
	activity     *manage.AccountActivity
	accountJobs  *manage.AccountJobs
	log          *slog.Logger
	accountAuth  *manage.AccountAuthenticators
	notices      *manage.CustomerNotices
	// accountActions, accountProfiles and renderer serve accounts.go.
	accountActions  *manage.AccountActions
	accountProfiles *manage.AccountProfiles
	renderer        *themes.Renderer
	accountRoles    *manage.AccountRoles
	// accountSearch serves accounts_search.go.
	accountSearch *manage.AccountSearch
	invitations   *manage.Invitations
	// partnerLookups serves partner_lookup.go.
	partnerLookups *manage.PartnerLookups
	// upstreams serves upstreams.go.
	upstreams *manage.Upstreams
	// msgTemplates serves msgtemplates.go.
	msgTemplates *manage.MessageTemplates
	// brandings serves branding.go.
	brandings *manage.Brandings
	// translations serves translations.go.
	translations *manage.Translations
	// openAPI is the assembled document, served as is.
	openAPI []byte
	// routes builds URLs from the router Mount was given.
	routes route.URLs
}

// New checks the dependencies and returns the handler.
func New(d Deps) (*Handler, error) {
	if d.Tokens == nil || d.Core == nil || d.Clients == nil || d.Administrators == nil || d.Audit == nil {
		return nil, errors.New("admin: Tokens, Core, Clients, Administrators and Audit are required")
	}
	if d.Applications == nil || d.Policies == nil {
		return nil, errors.New("admin: Applications and Policies are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	doc := d.OpenAPI
	if doc == nil {
		var err error
		if doc, err = OpenAPIDocument(); err != nil {
			return nil, err
		}
	}
	h := &Handler{tokens: d.Tokens, core: d.Core, clients: d.Clients, admins: d.Administrators, audit: d.Audit, applications: d.Applications, policies: d.Policies, stores: d.Stores, log: d.Logger, openAPI: doc}
	h.accountAuth, h.notices = d.AccountAuth, d.Notices
	h.accountActions, h.accountProfiles, h.renderer = d.AccountActions, d.AccountProfiles, d.Renderer
	h.accountRoles = d.AccountRoles
	h.verification = d.Verification
	h.activity = d.AccountActivity
	h.accountSearch = d.AccountSearch
	h.accountJobs = d.AccountJobs
	h.invitations = d.Invitations
	h.partnerLookups = d.PartnerLookups
	h.upstreams = d.Upstreams
	h.msgTemplates = d.MessageTemplates
	h.brandings = d.Brandings
	h.translations = d.Translations
	return h, nil
}

// Mount registers the API's routes on a subrouter of r under APIPrefix and
// keeps r to build URLs from its named routes.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	api := r.PathPrefix(APIPrefix).Subrouter()
	route.Handle(api, "admin.openapi", "/openapi.json", route.Methods{http.MethodGet: h.serveOpenAPI})
	// One line per resource; each file registers its own routes.
	h.mountClients(api)
	h.mountStores(api)
	h.mountAdministrators(api)
	h.mountAudit(api)
	h.mountApplications(api)
	h.mountPolicies(api)
	h.mountAccountAuthenticators(api)
	h.mountAccountExternal(api)
	h.mountAccountProfile(api)
	h.mountAccountRoles(api)
	h.mountVerification(api)
	h.mountAccountActivity(api)
	h.mountAccountSearch(api)
	h.mountAccountJobs(api)
	h.mountInvitations(api)
	h.mountPartnerCodes(api)
	h.mountPartnerLookup(api)
	h.mountUpstreams(api)
	h.mountMessageTemplates(api)
	h.mountBranding(api)
	h.mountTranslations(api)
	// What no route above answered (a match with ErrNotFound, so route
	// checks do not take it for a route).
	api.NotFoundHandler = h.unrouted(r)
}

// allMethods are the methods a 405's Allow header may list, in its order.
var allMethods = []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodOptions,
	http.MethodPatch, http.MethodPost, http.MethodPut}

// unrouted answers a request no route of the API took as a problem: 405
// with Allow when the path exists for other methods, else 404. (It also
// keeps the 405s gorilla/mux loses: a method mismatch on one route is
// forgotten when a later route of the same subrouter matches its prefix.)
func (h *Handler) unrouted(root *mux.Router) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, method := range allMethods {
			probe := r.Clone(r.Context())
			probe.Method = method
			var match mux.RouteMatch
			if root.Match(probe, &match) && match.MatchErr == nil {
				allow = append(allow, method)
			}
		}
		if len(allow) == 0 {
			writeProblem(w, r, http.StatusNotFound, "Not found", "The admin API has no such endpoint.")
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, r, http.StatusMethodNotAllowed, "Method not allowed", "This endpoint answers "+strings.Join(allow, ", ")+".")
	}
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Errorf("%w: the body is larger than %d bytes", errBadRequest, maxBody)
	}
	if err != nil {
		return fmt.Errorf("%w: the body cannot be read", errBadRequest)
	}
	// A key given twice is refused: encoding/json keeps the last, where
	// a proxy or an audit of the request may read the first.
	if err := httpin.NoDuplicateKeys(body); err != nil {
		return fmt.Errorf("%w: %w", errBadRequest, err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
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
