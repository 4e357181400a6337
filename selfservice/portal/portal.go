package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/device"
	"foyer/selfservice/firstparty"
	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/regulate"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// Paths of the portal.
const (
	BasePath     = "/account"
	CallbackPath = "/account/callback"
	LoginPath    = "/account/login"
	// SlugPrefix is the friendly URL: /a/{slug} opens the portal with that
	// application's branding.
	SlugPrefix = "/a/"
	// appsPath is the launcher, where a sign-in lands unless it came for
	// another page of the portal.
	appsPath = BasePath + "/apps"
)

// Store is what the portal needs from storage.
type Store interface {
	storage.Transactor
	storage.Portal
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error)
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	ListApplications(ctx context.Context) ([]storage.Application, error)
	ListClients(ctx context.Context) ([]storage.Client, error)
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	GetPassword(ctx context.Context, accountID string) (*storage.PasswordCredential, error)
	SetPassword(ctx context.Context, accountID, hash string) error
	GetSession(ctx context.Context, id string) (*storage.Session, error)
	ListSessionsByAccount(ctx context.Context, accountID string) ([]storage.Session, error)
	ListGrants(ctx context.Context, accountID string) ([]storage.OAuthGrant, error)
	RevokeGrant(ctx context.Context, accountID, clientID string) error
	RecordConsent(ctx context.Context, c *storage.ConsentRecord) error
	ListConsents(ctx context.Context, accountID string) ([]storage.ConsentRecord, error)
	AppendEvent(ctx context.Context, e *storage.Event) error
	ListEvents(ctx context.Context, accountID string, limit int) ([]storage.Event, error)
	// The attempt limits (regulate.Store).
	RecordLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, error)
	RecordAttempts(ctx context.Context, at, since time.Time, keys ...string) ([]int64, error)
	ClearLoginAttempts(ctx context.Context, keys ...string) error
	ListLoginAttempts(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	TallyAttemptWindows(ctx context.Context, windows ...storage.AttemptLimit) ([]storage.AttemptTally, error)
	CreateOneTimeSecret(ctx context.Context, s *storage.OneTimeSecret) error
	UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*storage.OneTimeSecret, error)
	LatestOneTimeSecret(ctx context.Context, accountID, purpose string) (*storage.OneTimeSecret, error)
	SpendOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	RevokeTokensBySubject(ctx context.Context, subject string) (int64, error)
	CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
	// Linked accounts (external*.go).
	GetUpstreamProvider(ctx context.Context, id string) (*storage.UpstreamProvider, error)
	ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error)
	CreateUpstreamAttempt(ctx context.Context, a *storage.UpstreamAttempt) error
	orgStore
}

// orgStore is what organization administration (organization*.go) reads
// and writes.
type orgStore interface {
	storage.OrganizationPeople
	ListStoreRoles(ctx context.Context, storeID, after string, limit int) ([]storage.StoreRole, error)
	GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error)
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
	UpdateOrganization(ctx context.Context, o *storage.Organization, expectedVersion int64) error
	AssignAccountRole(ctx context.Context, r *storage.AccountRole) error
	GetInvitation(ctx context.Context, storeID, id string) (*storage.Invitation, error)
	ListInvitations(ctx context.Context, storeID, organizationID, after string, limit int) ([]storage.Invitation, error)
}

// Config is the portal's configuration.
type Config struct {
	// Issuer is the server's public URL: the portal is a client of it.
	Issuer string
	// ClientID is the portal's own client of the default identity store
	// (bootstrap's foyer-account).
	ClientID string
	// DefaultApplicationID brands the portal when no application is named.
	DefaultApplicationID string
	// DefaultStoreID is the identity store of ClientID's application, the
	// one /account signs in to when nothing names another (default
	// "default").
	DefaultStoreID string
	// StoreClient names the portal's client of any other identity store
	// ("" when it has none); nil: only the default store has a portal.
	// The client must belong to an application of that store.
	StoreClient func(storeID string) string
	// CookieKey signs the portal's cookies (derived from FOYER_SECRET).
	CookieKey []byte
	// Secure marks cookies Secure (https issuer).
	Secure bool
	// FreshSignIn is how recent a sign-in must be for deleting the account
	// or changing the password (default 5 minutes).
	FreshSignIn time.Duration
	// GeoIPPath is a MaxMind City database; empty: no locations shown.
	GeoIPPath string
	Now       func() time.Time
}

// Deps are the portal's collaborators.
type Deps struct {
	Store     Store
	Sessions  *session.Manager
	Passwords *password.Hasher
	Renderer  *themes.Renderer
	Notify    *notify.Service
	Logger    *slog.Logger
	// Invitations lets organization administrators invite colleagues
	// (invite.Service); nil: the portal offers no invitation form.
	Invitations Inviter
	// Upstream talks to the store's upstream identity providers when a
	// customer links one; nil: the portal offers no "Connect".
	Upstream *upstream.Client
}

// Handler serves the portal.
type Handler struct {
	cfg      Config
	store    Store
	sessions *session.Manager
	hasher   *password.Hasher
	rules    *password.Rules
	render   *themes.Renderer
	notify   *notify.Service
	invites  Inviter
	upstream *upstream.Client
	log      *slog.Logger
	limits   *regulate.Regulator
	// devices names the browser, system and location of sessions.
	devices *device.Describer
	// routes builds URLs from the router Mount was given.
	routes route.URLs

	// codes exchanges the portal's codes in process (its server is set
	// by UseServer once the whole handler chain exists).
	codes *firstparty.Exchanger
}

// New returns the portal handler.
func New(cfg Config, d Deps) (*Handler, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || len(cfg.CookieKey) < 32 {
		return nil, errors.New("portal: Issuer, ClientID and a 32-byte CookieKey are required")
	}
	if d.Renderer == nil {
		return nil, errors.New("portal: a Renderer is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FreshSignIn <= 0 {
		cfg.FreshSignIn = 5 * time.Minute
	}
	if cfg.DefaultApplicationID == "" {
		cfg.DefaultApplicationID = "default"
	}
	if cfg.DefaultStoreID == "" {
		cfg.DefaultStoreID = "default"
	}
	if err := trialRender(d.Renderer); err != nil {
		return nil, err
	}
	devices, err := device.Open(cfg.GeoIPPath)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return &Handler{cfg: cfg, store: d.Store, sessions: d.Sessions, hasher: d.Passwords, rules: password.NewRules(), render: d.Renderer,
		notify: d.Notify, invites: d.Invitations, upstream: d.Upstream, log: d.Logger, limits: regulate.New(d.Store), devices: devices,
		codes: firstparty.New(cfg.Issuer, "portal")}, nil
}

// UseServer gives the portal the server's handler, through which it
// exchanges codes and reads discovery and keys without leaving the process
// (the issuer's public address may not be reachable from the node).
func (h *Handler) UseServer(server http.Handler) { h.codes.UseServer(server) }

// Close releases the GeoIP database.
func (h *Handler) Close() error { return h.devices.Close() }

// Names of the portal's own routes that its links and redirects are built
// from (route.AccountHome and route.AccountCallback are the shared ones).
const (
	signInRoute   = "portal.sign_in"
	appsRoute     = "portal.apps"
	profileRoute  = "portal.profile"
	settingsRoute = "portal.settings"
	securityRoute = "portal.security"
	privacyRoute  = "portal.privacy"
	// The pages' forms and downloads (pagedata.go's ...URL fields).
	logoutRoute           = "portal.logout"
	passwordRoute         = "portal.password"
	endSessionRoute       = "portal.end_session"
	endOtherSessionsRoute = "portal.end_other_sessions"
	revokeGrantRoute      = "portal.revoke_grant"
	consentsRoute         = "portal.consents"
	exportJSONRoute       = "portal.export_json"
	exportHTMLRoute       = "portal.export_html"
	confirmContactRoute   = "portal.confirm_contact"
	unlinkRoute           = "portal.unlink"
	connectRoute          = "portal.connect"
	deleteRoute           = "portal.delete"
)

// Mount installs the portal's routes on r, which the caller guards against
// cross-origin form posts, and keeps r to build URLs from its named
// routes, authz's among them.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	route.Handle(r, route.AccountHome, BasePath, route.Methods{http.MethodGet: h.home})
	route.Handle(r, "", BasePath+"/", route.Methods{http.MethodGet: h.home})
	route.Handle(r, signInRoute, LoginPath, route.Methods{http.MethodGet: h.serve(h.startSignIn)})
	route.Handle(r, route.AccountCallback, CallbackPath, route.Methods{http.MethodGet: h.callback})
	route.Handle(r, logoutRoute, BasePath+"/logout", route.Methods{http.MethodPost: h.serve(h.logout)})
	route.Handle(r, "portal.friendly_url", SlugPrefix+"{slug}", route.Methods{http.MethodGet: h.serve(h.friendlyURL)})

	route.Handle(r, appsRoute, appsPath, route.Methods{http.MethodGet: h.authed(h.showApps)})
	h.mountProfile(r)
	h.mountSettings(r)
	h.mountSecurity(r)
	h.mountPrivacy(r)
	h.mountOrganizations(r)
}

// path is the path of the portal's route called name, with the query.
func (h *Handler) path(name string, query url.Values) string { return h.routes.Path(name, query) }
