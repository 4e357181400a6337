package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin"
	"foyer/admin/manage"
	"foyer/authz"
	"foyer/authz/backchannel"
	"foyer/authz/fositestore"
	"foyer/authz/keys"
	"foyer/authz/roleclaims"
	"foyer/selfservice"
	"foyer/selfservice/device"
	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// server is everything one running node holds.
type server struct {
	handler http.Handler
	// router is the handler's router, for the route tests.
	router *mux.Router
	// metrics serves /metrics where metricsExposureOf says: on the public
	// router, or on FOYER_METRICS_LISTEN (serve starts that listener).
	metrics http.Handler
	keys    *keys.Manager
	// backchannel delivers logout tokens from the outbox; the caller runs
	// it (serve, or a test) for as long as the node serves.
	backchannel *backchannel.Worker
	// notify sends e-mail, SMS and voice messages from the outbox; run
	// like backchannel. notifications queues them for the flows.
	notify        *notify.Worker
	notifications *notify.Service
	// self does deferred self-service requests (RunDeferred); run like
	// notify.
	self *selfservice.Handler
	// accountJobs works through bulk quick actions on accounts; run like
	// notify.
	accountJobs *manage.AccountJobRunner
	// Close releases what the handlers hold open (the GeoIP database).
	Close func() error
}

// serverOptions are what a serverOption can tune.
type serverOptions struct {
	backchannel backchannel.Config
	notify      notify.WorkerConfig
	accountJobs manage.RunnerConfig
	// Lifetimes for authz; zero keeps its defaults.
	codeLifespan, parLifespan time.Duration
	// privateNetworkGuard keeps the outbound-request guard on for
	// dynamically registered clients whatever the config says.
	privateNetworkGuard bool
	// portalNow is the account portal's clock; nil: time.Now.
	portalNow func() time.Time
	// now is authz's and the admin side's clock; nil: time.Now.
	now func() time.Time
	// claimSources are added after the server's own (tests).
	claimSources []authz.ClaimSource
	// renderer waits for a theme serve started loading early; nil: newServer
	// loads it.
	renderer func() (*themes.Renderer, error)
}

// serverOption tunes newServer for tests.
type serverOption func(*serverOptions)

// withClaimSource adds a claim source after the server's own.
func withClaimSource(src authz.ClaimSource) serverOption {
	return func(o *serverOptions) { o.claimSources = append(o.claimSources, src) }
}

// withBackchannelPoll makes the logout worker poll more often than once a
// second, so tests see deliveries promptly.
func withBackchannelPoll(d time.Duration) serverOption {
	return func(o *serverOptions) { o.backchannel.PollInterval = d }
}

// withNotifyPoll makes the notification worker poll more often than once a
// second, so tests see messages promptly.
func withNotifyPoll(d time.Duration) serverOption {
	return func(o *serverOptions) { o.notify.PollInterval = d }
}

// withAccountJobsPoll makes the account jobs' runner look for jobs more
// often than once a second, so tests see jobs run promptly.
func withAccountJobsPoll(d time.Duration) serverOption {
	return func(o *serverOptions) { o.accountJobs.PollInterval = d }
}

// withAuthzLifespans shortens the lifetimes of authorization codes and
// pushed authorization requests, so tests can see them expire.
func withAuthzLifespans(code, par time.Duration) serverOption {
	return func(o *serverOptions) { o.codeLifespan, o.parLifespan = code, par }
}

// withClock gives authz (the token endpoint's view of a rotated-out
// client secret), the self-service (its attempt limits) and the admin
// side's services a test's clock.
func withClock(now func() time.Time) serverOption {
	return func(o *serverOptions) { o.now = now }
}

// withPrivateNetworkGuard keeps dynamically registered clients' URIs off
// private networks even though the test harness lifts that by default.
func withPrivateNetworkGuard() serverOption {
	return func(o *serverOptions) { o.privateNetworkGuard = true }
}

// withRenderer gives newServer the theme serve is loading meanwhile
// (startRenderer).
func withRenderer(wait func() (*themes.Renderer, error)) serverOption {
	return func(o *serverOptions) { o.renderer = wait }
}

// newServer wires every handler in one place: the whole server can be read
// from this function.
func newServer(ctx context.Context, cfg Config, store storage.Store, secret []byte, log *slog.Logger, opts ...serverOption) (*server, error) {
	opt := serverOptions{backchannel: backchannel.Config{Issuer: cfg.Issuer, Logger: log}, notify: notify.WorkerConfig{Logger: log}}
	// 25 accounts share a commit: each stays all or nothing (see
	// manage.RunnerConfig.PerTx), and a bulk job needs far fewer commits.
	opt.accountJobs.Logger, opt.accountJobs.PerTx = log, 25
	opt.accountJobs.Node = cfg.nodeID()
	for _, o := range opts {
		o(&opt)
	}
	allowPrivate := bool(cfg.AllowPrivateNetworkURIs) && !opt.privateNetworkGuard
	opt.backchannel.AllowPrivateNetworkURIs = allowPrivate
	if allowPrivate {
		// Said at every start so the development switch is not left on
		// unnoticed in production.
		log.WarnContext(ctx, "allow_private_network_uris is on: dynamically registered clients may make Foyer request loopback and private-network addresses; use it only for development")
	}
	// Retired keys stay published while any token they signed may be
	// presented: no client's access or ID tokens outlive
	// MaxSignedTokenLifetime (the server defaults are shorter).
	keyManager := keys.NewManager(store, secret, keys.WithRetention(keys.RetentionFor(fositestore.MaxSignedTokenLifetime)))
	if err := keyManager.EnsureKeys(ctx); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	// Assembled before the wait for the theme below, which serve loads on
	// another goroutine meanwhile.
	openAPI, err := admin.OpenAPIDocument()
	if err != nil {
		return nil, err
	}
	https := session.CookiesFor(cfg.Issuer).Secure
	loadRenderer := opt.renderer
	if loadRenderer == nil {
		loadRenderer = func() (*themes.Renderer, error) { return themes.New(rendererOptions(cfg, store, https)) }
	}
	renderer, err := loadRenderer()
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	sessions := session.NewManager(store, session.Config{Secure: https, Key: keys.DeriveKey(secret, "session-cookies"),
		PendingKey: keys.DeriveKey(secret, "pending-interactions")})
	steps := session.NewStepSigner(keys.DeriveKey(secret, "flow-steps"))

	authorizeLimits, err := cfg.authorizeLimits()
	if err != nil {
		return nil, err
	}
	oauth, err := authz.New(authz.Config{
		Issuer:  cfg.Issuer,
		HMACKey: keys.DeriveKey(secret, "oauth2-hmac"),
		// Dynamically registered clients join the default application.
		RegistrationApplicationID: defaultApplicationID,
		PortalClientID:            accountPortalClient,
		PortalClientFor:           portalClientFor,
		// Zero unless a test shortened them: authz's defaults.
		AuthorizeCodeLifespan:   opt.codeLifespan,
		PARLifespan:             opt.parLifespan,
		AllowPrivateNetworkURIs: allowPrivate,
		Now:                     opt.now,
	}, authz.Deps{Store: store, Keys: keyManager, Sessions: sessions, Steps: steps, Renderer: renderer, Logger: log,
		// The server's own claim sources before the tests': roles per
		// organization (scope roles), verified_claims (authz/verifiedclaims.go).
		ClaimSources: append([]authz.ClaimSource{roleclaims.New(store), authz.NewVerifiedClaims(store)}, opt.claimSources...)})
	if err != nil {
		return nil, err
	}
	notifications := notify.NewService(store, renderer, nil)
	notifications.UseTemplates(store) // applications' own e-mail and SMS templates
	sealer, relyingParty, err := mfaParts(cfg, secret)
	if err != nil {
		return nil, err
	}
	invites := newInvitationService(cfg.Issuer, store, notifications, renderer, opt.now)
	partners, err := newPartnerResolver(store, secret, log)
	if err != nil {
		return nil, err
	}
	limits, err := cfg.signInLimits()
	if err != nil {
		return nil, err
	}
	upstreamSecrets, err := newUpstreamSealer(secret)
	if err != nil {
		return nil, err
	}
	// One client for sign-in and the portal's linking: one discovery cache.
	upstreamClient := upstream.New(upstream.Config{Secrets: upstreamSecrets, Now: opt.now})
	self, err := selfservice.New(selfservice.Config{Issuer: cfg.Issuer, PortalClientID: accountPortalClient,
		PortalClientFor: portalClientFor, SignInLimits: limits, AuthorizeLimits: authorizeLimits, Now: opt.now}, selfservice.Deps{
		Store: store, Sessions: sessions, Steps: steps, Passwords: password.NewHasher(password.OWASP),
		Renderer: renderer, Logger: log, Notify: notifications, Sealer: sealer, WebAuthn: relyingParty,
		Invites: invites, Partners: partners,
		Upstream: upstreamClient,
	})
	if err != nil {
		return nil, err
	}
	adminCore := newAdminCore(store, opt.now)
	accountJobs := newAccountJobs(adminCore, store, sessions)
	// The admin side names sessions as the portal does (its own reader of
	// the GeoIP database, closed with the server).
	devices, err := device.Open(cfg.GeoIPDB)
	if err != nil {
		return nil, err
	}
	accountActivity := manage.NewAccountActivity(adminCore, store, sessions, devices)
	accountServices := newAccountProfileServices(adminCore, store, sessions, devices.Device)
	notices, accountAuth := newAccountAuthServices(adminCore, store, notifications, renderer, sessions, cfg.Issuer)
	accountServices.actions.WithNotices(notices)
	accountServices.profiles.WithNotices(notices)
	invitations := newInvitations(cfg, adminCore, store, renderer, notifications)
	partnerLookups, err := newPartnerLookups(adminCore, store, secret)
	if err != nil {
		return nil, err
	}
	upstreams, err := newUpstreams(adminCore, store, secret, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	adminAPI, err := admin.New(admin.Deps{
		Tokens: adminTokens{oauth: oauth}, Core: adminCore, Clients: manage.NewClients(adminCore, store, clientRegistry{}),
		Administrators: manage.NewAdministrators(adminCore, store, notifications, cfg.Issuer), Audit: manage.NewAudit(store).WithChainKey(auditChainKey(secret)),
		Applications: manage.NewApplications(adminCore, store), Policies: manage.NewPolicies(adminCore, store),
		Stores: newStoreServices(adminCore, store), Logger: log,
		AccountJobs: accountJobs,
		AccountAuth: accountAuth, Notices: notices,
		AccountRoles:    manage.NewAccountRoles(adminCore, store),
		Verification:    newVerificationServices(adminCore, store),
		AccountActivity: accountActivity,
		AccountSearch:   manage.NewAccountSearch(adminCore, store),
		Invitations:     invitations,
		AccountActions:  accountServices.actions, AccountProfiles: accountServices.profiles, Renderer: renderer,
		PartnerLookups: partnerLookups, Upstreams: upstreams,
		MessageTemplates: manage.NewMessageTemplates(adminCore, store, notifications),
		Brandings:        manage.NewBrandings(adminCore, store),
		Translations:     manage.NewTranslations(adminCore, store, renderer),
		OpenAPI:          openAPI,
	})
	if err != nil {
		return nil, err
	}

	providers, err := notifyProviders(cfg)
	if err != nil {
		return nil, err
	}

	accountPortal, err := newAccountPortal(cfg, store, secret, sessions, renderer, notifications, upstreamClient, log, opt.portalNow)
	if err != nil {
		return nil, err
	}
	adminConsole, err := newAdminConsole(cfg, adminCore, store, secret, sessions, renderer, notifications, log, opt.now, accountActivity, accountServices, invitations)
	if err != nil {
		return nil, err
	}
	metrics := newMetrics()
	router := newRouter(metrics, renderer, log)
	// The OAuth endpoints legitimately receive cross-origin posts (token,
	// form_post): no cross-origin protection on them.
	oauth.Mount(router)
	// Where forms post: the sign-in pages, the account portal and the
	// admin side refuse cross-origin form posts.
	forms := router.NewRoute().Subrouter()
	forms.Use(refuseCrossOriginForms())
	self.Mount(forms)
	accountPortal.Mount(forms)
	adminAPI.Mount(forms)
	adminConsole.Mount(forms)
	if bool(cfg.DevOutbox) && notify.DevMode(cfg.SMTPURL, cfg.Issuer) {
		// Only a developer's local instance, asked to, shows messages (with
		// their live links and codes) on a page, and only to this machine.
		log.Warn("the dev outbox is on: messages with their links and codes are shown at " + notify.DevOutboxPath + " to loopback callers")
		route.Handle(forms, "notify.dev_outbox", notify.DevOutboxPath, route.Methods{
			http.MethodGet: loopbackOnly(notify.DevOutboxHandler(store, log)).ServeHTTP})
	}
	router.PathPrefix(themes.StaticPrefix).Methods(route.GET...).Handler(renderer.StaticHandler())
	route.Handle(router, "language", languagePath, route.Methods{http.MethodGet: renderer.LanguageHandler().ServeHTTP})
	route.Handle(router, "healthz", "/healthz", route.Methods{http.MethodGet: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	}})
	route.Handle(router, "readyz", "/readyz", route.Methods{http.MethodGet: readyz(store, log)})
	switch metricsExposureOf(cfg) {
	case metricsPublic:
		route.Handle(router, "metrics", "/metrics", route.Methods{http.MethodGet: metrics.handler().ServeHTTP})
	case metricsBearer:
		route.Handle(router, "metrics", "/metrics", route.Methods{http.MethodGet: bearerOnly(cfg.MetricsToken, metrics.handler()).ServeHTTP})
	case metricsSeparate, metricsOff: // serve starts the separate listener, or says why there is none
	}

	handler := chain(router,
		requestContext(bool(cfg.TrustProxyHeaders)),
		recoverPanics(log),
		limitBodies(64<<10),
		accessLog(log),
		metrics.instrument(),
		securityHeaders(https),
		authz.NewCORS(store, nil, log).Middleware,
	)
	// The portal exchanges its codes with this very handler, in process.
	accountPortal.UseServer(handler)
	adminConsole.UseServer(handler)
	return &server{handler: handler, router: router, metrics: metrics.handler(), keys: keyManager, backchannel: backchannel.NewWorker(opt.backchannel, store, keyManager),
		notify: notify.NewWorker(opt.notify, store, providers), notifications: notifications, self: self,
		accountJobs: accountJobs.NewRunner(opt.accountJobs),
		Close:       func() error { return errors.Join(accountPortal.Close(), devices.Close()) }}, nil
}

// notifyProviders builds the configured providers; a channel without one
// goes to the dev outbox.
func notifyProviders(cfg Config) (notify.Providers, error) {
	var p notify.Providers
	if cfg.SMTPURL != "" {
		tlsConfig, err := smtpTLSConfig(cfg.SMTPCAFile)
		if err != nil {
			return p, fmt.Errorf("notifications: %w", err)
		}
		smtp, err := notify.NewSMTP(cfg.SMTPURL, cfg.SMTPFrom, tlsConfig)
		if err != nil {
			return p, fmt.Errorf("notifications: %w", err)
		}
		p.Email = smtp
	}
	if cfg.SMSWebhookURL != "" {
		p.Phone = notify.NewWebhook(cfg.SMSWebhookURL, nil)
	}
	return p, nil
}

// smtpTLSConfig trusts only the CAs in caFile (PEM) for the SMTP server,
// for a relay with a private CA; an empty caFile keeps the system roots
// (nil). A file without a certificate is an error rather than a silent
// fallback to the system roots.
func smtpTLSConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("FOYER_SMTP_CA_FILE: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("FOYER_SMTP_CA_FILE %s: no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// newRouter is the server's router: a path no route takes answers 404 and
// a method no route of the path takes answers 405 (with the Allow header),
// both with the theme's error page (JSON for machine endpoints); each
// matched route labels the request's metrics.
func newRouter(m *metrics, renderer *themes.Renderer, log *slog.Logger) *mux.Router {
	router := mux.NewRouter()
	router.NotFoundHandler = themedError(renderer, log, http.StatusNotFound, "error.not_found_title", "error.not_found")
	notAllowed := themedError(renderer, log, http.StatusMethodNotAllowed, "error.title", "error.bad_request")
	router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, method := range []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodOptions,
			http.MethodPatch, http.MethodPost, http.MethodPut} {
			probe := r.Clone(r.Context())
			probe.Method = method
			var match mux.RouteMatch
			if router.Match(probe, &match) && match.MatchErr == nil {
				allow = append(allow, method)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		notAllowed(w, r)
	})
	router.Use(m.label)
	return router
}

// readyz answers 200 when the database does, within two seconds.
func readyz(store storage.Store, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain")
		if err := store.Ping(ctx); err != nil {
			log.WarnContext(r.Context(), "readiness check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	}
}
