package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/gorilla/mux"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/token/hmac"
	"github.com/ory/fosite/token/jwt"

	"foyer/authz/fositestore"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// Store is what authz needs from storage.
type Store interface {
	fositestore.Backend
	GetInteraction(ctx context.Context, id string) (*storage.Interaction, error)
	CreateInteraction(ctx context.Context, i *storage.Interaction) error
	DeleteInteraction(ctx context.Context, id string) error
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	AppendEvent(ctx context.Context, e *storage.Event) error
	// Consent: the grants of third-party clients and their applications'
	// branding.
	GetGrant(ctx context.Context, accountID, clientID string) (*storage.OAuthGrant, error)
	SaveGrant(ctx context.Context, accountID, clientID string, scopes []string) (*storage.OAuthGrant, error)
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	GetApplicationPortal(ctx context.Context, id string) (*storage.Application, *storage.PortalSettings, error)
	// Introspection: a resource server and its application's store.
	GetClientApplication(ctx context.Context, clientID string) (*storage.Client, *storage.Application, error)
	// Step-up: whether an account enrolled a second factor.
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	// Organizational sign-in: the account's role pairs (orgsignin.go).
	ListAccountRoles(ctx context.Context, accountID string) ([]storage.AccountRole, error)
	// The accounts' groups, for the applications' restrictions (access.go).
	storage.GroupLister
	// Dynamic client registration (RFC 7591, 7592).
	RegistrationStore
	// The token endpoint's failed client authentications (clientlimit.go).
	clientAttempts
}

// Keys signs ID tokens and publishes the verification keys.
type Keys interface {
	Signer(ctx context.Context, alg string) (*jose.JSONWebKey, error)
	PublicKeySet(ctx context.Context) (*jose.JSONWebKeySet, error)
}

// Config is authz's configuration.
type Config struct {
	Issuer string
	// HMACKey signs opaque tokens and codes (32 bytes, from FOYER_SECRET).
	HMACKey               []byte
	AccessTokenLifespan   time.Duration // default 1h
	RefreshTokenLifespan  time.Duration // default 720h
	IDTokenLifespan       time.Duration // default 1h
	AuthorizeCodeLifespan time.Duration // default 5m
	InteractionLifespan   time.Duration // default 30m
	PARLifespan           time.Duration // pushed authorization requests; default 90s
	// RegistrationApplicationID is the application dynamically registered
	// clients join (RFC 7591).
	RegistrationApplicationID string
	// AllowPrivateNetworkURIs lets dynamically registered clients use
	// jwks_uri and backchannel_logout_uri on loopback, private and other
	// non-public addresses (development only): anyone may register a
	// client, so by default Foyer refuses to dial those for them.
	AllowPrivateNetworkURIs bool
	// PortalClientID is the account portal's own client, which no group
	// restriction applies to (access.go).
	PortalClientID string
	// PortalClientFor names the portal's client of each identity store
	// ("" for none); when set it decides instead of PortalClientID.
	PortalClientFor func(storeID string) string
	Now             func() time.Time
}

// Deps are authz's collaborators.
type Deps struct {
	Store    Store
	Keys     Keys
	Sessions *session.Manager
	Steps    *session.StepSigner
	Renderer *themes.Renderer
	Logger   *slog.Logger
	// ClaimSources add claims kept outside the account row (roles,
	// identity verification) to ID tokens and UserInfo (claimsource.go).
	ClaimSources []ClaimSource
}

// Handler serves the protocol endpoints.
type Handler struct {
	cfg      Config
	oauth    fosite.OAuth2Provider
	records  *fositestore.Store
	store    Store
	keys     Keys
	sessions *session.Manager
	steps    *session.StepSigner
	render   *themes.Renderer
	log      *slog.Logger
	// routes builds URLs from the router Mount was given.
	routes route.URLs
	// claimSources: see ClaimSource.
	claimSources []ClaimSource
	// authFailures are the token endpoint's recent failed client
	// authentications seen by this node (clientlimit.go).
	authFailures *recentFailures
}

// Paths of the protocol endpoints, relative to the issuer.
const (
	AuthorizePath = "/oauth2/auth"
	ResumePath    = "/oauth2/auth/resume"
	TokenPath     = "/oauth2/token"
	UserInfoPath  = "/oauth2/userinfo"
	LogoutPath    = "/oauth2/logout"
	JWKSPath      = "/.well-known/jwks.json"
	DiscoveryPath = "/.well-known/openid-configuration"
)

// New composes fosite for Foyer's flows.
func New(cfg Config, d Deps) (*Handler, error) {
	if len(cfg.HMACKey) < 32 {
		return nil, errors.New("authz: HMAC key must be at least 32 bytes")
	}
	if cfg.Issuer == "" {
		return nil, errors.New("authz: issuer is required")
	}
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	if d.Renderer == nil {
		return nil, errors.New("authz: a Renderer is required")
	}
	if err := trialRender(d.Renderer); err != nil {
		return nil, err
	}
	setDefaults(&cfg)
	h := &Handler{
		cfg: cfg, store: d.Store, keys: d.Keys, sessions: d.Sessions,
		steps: d.Steps, render: d.Renderer, log: d.Logger, claimSources: d.ClaimSources,
		authFailures: newRecentFailures(recentFailuresCap),
	}
	h.oauth, h.records = compose(cfg, d.Store, d.Keys)
	return h, nil
}

func setDefaults(cfg *Config) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.AccessTokenLifespan, time.Hour)
	def(&cfg.RefreshTokenLifespan, 30*24*time.Hour)
	def(&cfg.IDTokenLifespan, time.Hour)
	def(&cfg.AuthorizeCodeLifespan, 5*time.Minute)
	def(&cfg.InteractionLifespan, 30*time.Minute)
	def(&cfg.PARLifespan, defaultPARLifespan)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
}

// compose wires fosite's handlers by hand, with typed fields, so a missing
// storage method is a compile error rather than a start-up panic.
func compose(cfg Config, backend fositestore.Backend, keys Keys) (fosite.OAuth2Provider, *fositestore.Store) {
	fc := fositeConfig(cfg)
	signer := &jwt.DefaultSigner{GetPrivateKey: func(ctx context.Context) (interface{}, error) {
		return keys.Signer(ctx, "RS256")
	}}
	core := &tokenStrategy{
		CoreStrategy: oauth2.NewHMACSHAStrategy(&hmac.HMACStrategy{Config: fc}, fc),
		jwt:          &jwtAccessTokens{keys: keys, issuer: cfg.Issuer, lifespan: cfg.AccessTokenLifespan, now: cfg.Now},
	}
	store := fositestore.New(backend, cfg.Now, core.AuthorizeCodeSignature)
	idTokens := newIDTokenStrategy(keys, fc)
	oidcValidator := openid.NewOpenIDConnectRequestValidator(&hintDecoder{Signer: signer, keys: keys}, fc)

	explicit := &oauth2.AuthorizeExplicitGrantHandler{
		AccessTokenStrategy: core, RefreshTokenStrategy: core, AuthorizeCodeStrategy: core,
		CoreStorage: store, TokenRevocationStorage: store, Config: fc,
	}
	oidcExplicit := &openid.OpenIDConnectExplicitHandler{
		OpenIDConnectRequestStorage:   store,
		IDTokenHandleHelper:           &openid.IDTokenHandleHelper{IDTokenStrategy: idTokens},
		OpenIDConnectRequestValidator: oidcValidator,
		Config:                        fc,
	}
	pkceHandler := &pkce.Handler{AuthorizeCodeStrategy: core, Storage: store, Config: fc}

	addPAR(fc, cfg, store)
	fc.AuthorizeEndpointHandlers.Append(explicit)
	fc.AuthorizeEndpointHandlers.Append(oidcExplicit)
	fc.AuthorizeEndpointHandlers.Append(pkceHandler)
	fc.TokenEndpointHandlers = tokenEndpointHandlers(
		explicit,
		oidcExplicit,
		pkceHandler,
		&oauth2.RefreshTokenGrantHandler{
			AccessTokenStrategy: core, RefreshTokenStrategy: core, TokenRevocationStorage: store, Config: fc,
		},
		&openid.OpenIDConnectRefreshHandler{
			IDTokenHandleHelper: &openid.IDTokenHandleHelper{IDTokenStrategy: idTokens}, Config: fc,
		},
		&oauth2.ClientCredentialsGrantHandler{
			HandleHelper: &oauth2.HandleHelper{AccessTokenStrategy: core, AccessTokenStorage: store, Config: fc},
			Config:       fc,
		},
	)
	fc.TokenIntrospectionHandlers.Append(&oauth2.CoreValidator{CoreStrategy: core, CoreStorage: store, Config: fc})
	fc.RevocationHandlers.Append(&oauth2.TokenRevocationHandler{
		TokenRevocationStorage: store, AccessTokenStrategy: core, RefreshTokenStrategy: core,
	})
	provider := fosite.NewOAuth2Provider(store, assertionAudiences{Config: fc,
		urls: []string{cfg.Issuer + TokenPath, cfg.Issuer, cfg.Issuer + PARPath}})
	fc.ClientAuthenticationStrategy = clientAuthentication(provider)
	return provider, store
}

// assertionAudiences widens the audiences a client assertion may name:
// fosite accepts only the token endpoint's URL, while RFC 9126 section 2
// requires the issuer and the PAR endpoint's URL to be accepted as well
// (and RFC 7523 allows the issuer anywhere).
type assertionAudiences struct {
	*fosite.Config
	urls []string
}

func (a assertionAudiences) GetTokenURLs(context.Context) []string { return a.urls }

// fositeConfig is fosite's configuration for Foyer.
func fositeConfig(cfg Config) *fosite.Config {
	return &fosite.Config{
		AccessTokenLifespan:            cfg.AccessTokenLifespan,
		RefreshTokenLifespan:           cfg.RefreshTokenLifespan,
		IDTokenLifespan:                cfg.IDTokenLifespan,
		AuthorizeCodeLifespan:          cfg.AuthorizeCodeLifespan,
		IDTokenIssuer:                  cfg.Issuer,
		AccessTokenIssuer:              cfg.Issuer,
		TokenURL:                       cfg.Issuer + TokenPath,
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:       fosite.DefaultAudienceMatchingStrategy,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		RefreshTokenScopes:             []string{"offline_access"},
		AllowedPromptValues:            allowedPrompts,
		ClientSecretsHasher:            sha256Hasher{},
		GlobalSecret:                   cfg.HMACKey[:32],
		MinParameterEntropy:            fosite.MinParameterEntropy,
		JWKSFetcherStrategy:            newJWKSFetcher(cfg.Now, cfg.AllowPrivateNetworkURIs),
	}
}

// Mount installs the endpoints on r (no cross-origin protection: they
// legitimately receive cross-origin requests) and keeps r to build URLs
// from its named routes, selfservice's sign-in page among them.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	route.Handle(r, route.Authorize, AuthorizePath, route.Methods{http.MethodGet: h.serve(h.authorize), http.MethodPost: h.serve(h.authorize)})
	route.Handle(r, "authz.par", PARPath, route.Methods{http.MethodPost: strictForm(h.pushAuthorize)})
	route.Handle(r, route.Resume, ResumePath, route.Methods{http.MethodGet: h.serve(h.resume)})
	route.Handle(r, route.Refuse, RefusePath, route.Methods{http.MethodGet: h.serve(h.refuse)})
	route.Handle(r, consentRoute, ConsentPath, route.Methods{http.MethodGet: h.serve(h.showConsent), http.MethodPost: h.serve(h.submitConsent)})
	route.Handle(r, organizationRoute, OrganizationPath, route.Methods{http.MethodGet: h.serve(h.showOrganizations), http.MethodPost: h.serve(h.submitOrganization)})
	route.Handle(r, route.Token, TokenPath, route.Methods{http.MethodPost: strictForm(h.token)})
	route.Handle(r, "authz.revoke", RevocationPath, route.Methods{http.MethodPost: strictForm(h.revoke)})
	route.Handle(r, route.Initiate, InitiatePath, route.Methods{http.MethodGet: h.serve(h.initiate)})
	route.Handle(r, "authz.introspect", IntrospectionPath, route.Methods{http.MethodPost: strictForm(h.introspect)})
	route.Handle(r, "authz.userinfo", UserInfoPath, route.Methods{http.MethodGet: h.userinfo, http.MethodPost: h.userinfo})
	route.Handle(r, logoutRoute, LogoutPath, route.Methods{http.MethodGet: h.serve(h.logout), http.MethodPost: h.serve(h.logout)})
	route.Handle(r, "authz.discovery", DiscoveryPath, route.Methods{http.MethodGet: h.discovery})
	route.Handle(r, "authz.register", RegistrationPath, route.Methods{http.MethodPost: h.register})
	route.Handle(r, clientConfigurationRoute, RegistrationPath+"/{client_id}", route.Methods{
		http.MethodGet: h.readRegistration, http.MethodPut: h.updateRegistration, http.MethodDelete: h.deleteRegistration})
	route.Handle(r, "authz.jwks", JWKSPath, route.Methods{http.MethodGet: h.jwks})
}

// Names of authz's own routes that its links, redirects and form actions
// are built from (the shared ones are in selfservice/route).
const (
	// clientConfigurationRoute is a dynamically registered client's
	// configuration endpoint (RFC 7592), with the client_id variable.
	clientConfigurationRoute = "authz.client_configuration"
	consentRoute             = "authz.consent"
	logoutRoute              = "authz.logout"
)

// errorPage renders a themed error page; it is used where the client cannot
// safely be redirected to (unknown client, unregistered redirect URI).
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, messageKey string) {
	if f := storage.Failure(r.Context()); f != nil {
		// Whatever went wrong met a storage failure first: not the
		// visitor's link or the client's registration, so say so honestly.
		h.logServerError(r, "storage failure: answered 503", f, "")
		status, messageKey = http.StatusServiceUnavailable, "error.temporarily_unavailable"
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	lang := h.render.NegotiateRequest(r, r.FormValue("ui_locales"), "")
	err := h.render.Render(w, r, themes.Page{
		Template: "error",
		Lang:     lang,
		Status:   status,
		Branding: h.requestBranding(r),
		Data:     errorData{Title: "error.title", Message: messageKey},
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render error page", "err", err)
	}
}

// handlerFunc is an endpoint that may fail: it writes every answer it
// means to give (error pages for bad links, OAuth error redirects through
// authorizeError) and returns what it cannot answer, which serve renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve is authz's one rendering path for failures: it logs the error
// with the request's context and shows the themed error page, which says
// nothing of the cause.
func (h *Handler) serve(f handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			h.logServerError(r, "authz "+r.URL.Path, err, "")
			h.errorPage(w, r, http.StatusInternalServerError, "error.generic")
		}
	}
}

// logServerError logs a failure at error level, unless the client went
// away mid-request: that cancels our queries too and is not our fault.
func (h *Handler) logServerError(r *http.Request, msg string, err error, debug string) {
	level := slog.LevelError
	if r.Context().Err() != nil {
		level = slog.LevelDebug
	}
	h.log.Log(r.Context(), level, msg, "err", err, "debug", debug)
}

func (h *Handler) now() time.Time { return h.cfg.Now() }

func (h *Handler) url(path string) string { return h.cfg.Issuer + path }

func errorf(format string, args ...any) error { return fmt.Errorf("authz: "+format, args...) }
