package route

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/gorilla/mux"
)

// Names of the routes that another domain builds URLs to. Each is mounted
// (and its path written) by the domain named in its prefix.
const (
	// Authorize is authz's authorization endpoint.
	Authorize = "authz.authorize"
	// Resume continues an authorization after sign-in; its link carries
	// the StepResume signature.
	Resume = "authz.resume"
	// Token is authz's token endpoint.
	Token = "authz.token"
	// Initiate is authz's third-party initiated login.
	Initiate = "authz.initiate"
	// Login is selfservice's sign-in page; its link carries the StepLogin
	// signature.
	Login = "selfservice.login"
	// AccountHome and AccountCallback are the account portal's start page
	// and the redirect URI of its client.
	AccountHome     = "portal.home"
	AccountCallback = "portal.callback"
)

// Purposes of the signed links between flow steps that both authz and
// selfservice sign or check (session.StepSigner binds a signature to the
// interaction and one of these).
const (
	// StepLogin: authz sends the browser to the sign-in page with it.
	StepLogin = "login"
	// StepResume: selfservice sends the browser back to authz with it.
	StepResume = "resume"
	// StepRefuse: selfservice sends the browser to authz's Refuse with
	// it, bound to the OAuth error too (RefuseStep).
	StepRefuse = "refuse"
)

// Refuse is authz's route that answers an interaction's authorization
// request with an OAuth error (an upstream sign-in that failed).
const Refuse = "authz.refuse"

// RefuseStep is the signature purpose of a Refuse link for the error
// code: a link made for one error cannot send another.
func RefuseStep(code string) string { return StepRefuse + ":" + code }

// GET is the methods a GET route answers: HEAD too, as net/http's
// ServeMux did for "GET" patterns.
var GET = []string{http.MethodGet, http.MethodHead}

// Methods maps a method to its handler; "GET" also answers HEAD.
type Methods map[string]http.HandlerFunc

// Handle installs path on r under name (empty: unnamed) with one handler
// per method; other methods get 405 Method Not Allowed. The path is
// written here once and built everywhere else from the name.
func Handle(r *mux.Router, name, path string, m Methods) *mux.Route {
	rt := r.Path(path)
	if name != "" {
		rt = rt.Name(name)
	}
	methods := rt.Subrouter()
	for method, h := range m {
		ms := []string{method}
		if method == http.MethodGet {
			// A copy: mux upper-cases the methods in place, and routers
			// built at the same time would race on the shared slice.
			ms = slices.Clone(GET)
		}
		methods.Methods(ms...).HandlerFunc(h)
	}
	return rt
}

// URLs builds paths from the named routes of the server's router. The
// zero value builds nothing; a domain gets it from the router its Mount
// was given.
type URLs struct{ router *mux.Router }

// New builds from r's named routes (a subrouter shares its root's names).
func New(r *mux.Router) URLs { return URLs{router: r} }

// Has reports whether a route called name exists (for links to features
// another part of the program may or may not have mounted).
func (u URLs) Has(name string) bool { return u.router != nil && u.router.Get(name) != nil }

// Path is the path of the route called name with its variables (pairs of
// name and value) and the query. An unknown name or a missing variable is
// a wiring bug that the route test catches, so it panics (recovered as a
// 500) rather than sending the browser somewhere wrong.
func (u URLs) Path(name string, query url.Values, vars ...string) string {
	if u.router == nil {
		panic("route: URLs used before Mount: " + name)
	}
	rt := u.router.Get(name)
	if rt == nil {
		panic("route: no route named " + name)
	}
	p, err := rt.URLPath(vars...)
	if err != nil {
		panic(fmt.Sprintf("route: %s: %v", name, err))
	}
	if len(query) > 0 {
		p.RawQuery = query.Encode()
	}
	return p.String()
}

// InvitationHintPrefix starts the login_hint of an invitation link
// (selfservice/invite). The authorization endpoint sends a request that
// carries one to the sign-in pages even when the browser is signed in:
// only they accept invitations.
const InvitationHintPrefix = "invitation:"
