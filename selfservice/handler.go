package selfservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/invite"
	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/selfservice/partnerlookup"
	"foyer/selfservice/password"
	"foyer/selfservice/regulate"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// Store is what selfservice needs from storage.
type Store interface {
	RevokeTokensBySubject(ctx context.Context, subject string) (int64, error)
	GetInteraction(ctx context.Context, id string) (*storage.Interaction, error)
	CreateInteraction(ctx context.Context, i *storage.Interaction) error
	UpdateInteraction(ctx context.Context, i *storage.Interaction) error
	// The budgets on new interactions (interactionbudget.go).
	SumCounters(ctx context.Context, windows ...storage.CounterWindow) ([]int64, error)
	AddToCounters(ctx context.Context, bucket, since time.Time, keys ...string) ([]int64, error)
	ListCounterBuckets(ctx context.Context, key string, since time.Time) ([]storage.CounterBucket, error)
	// The attempt limits (regulate.Store).
	RecordAttempts(ctx context.Context, at, since time.Time, keys ...string) ([]int64, error)
	TallyAttemptWindows(ctx context.Context, windows ...storage.AttemptLimit) ([]storage.AttemptTally, error)
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	GetClientApplication(ctx context.Context, clientID string) (*storage.Client, *storage.Application, error)
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	GetBrandAsset(ctx context.Context, hash string) (*storage.BrandAsset, error)
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error)
	TouchLastLogin(ctx context.Context, id string, at time.Time) error
	GetPassword(ctx context.Context, accountID string) (*storage.PasswordCredential, error)
	FindAccountPassword(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, *storage.PasswordCredential, error)
	SetPassword(ctx context.Context, accountID, hash string) error
	AppendEvent(ctx context.Context, e *storage.Event) error
	RecordLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, error)
	ClearLoginAttempts(ctx context.Context, keys ...string) error
	storage.Transactor
	CreateAccount(ctx context.Context, a *storage.Account) error
	ActivateAccount(ctx context.Context, id string) error
	RecordConsent(ctx context.Context, c *storage.ConsentRecord) error
	CreateOneTimeSecret(ctx context.Context, s *storage.OneTimeSecret) error
	UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*storage.OneTimeSecret, error)
	OneTimeSecretUsable(ctx context.Context, purpose string, hash []byte, now time.Time) (bool, error)
	LatestOneTimeSecret(ctx context.Context, accountID, purpose string) (*storage.OneTimeSecret, error)
	storage.DeferredRequests
	// MFA.
	storage.Authenticators
	ListLoginAttempts(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	DeleteOneTimeSecrets(ctx context.Context, accountID, purpose string) (int64, error)
	SpendOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
	CountUsableOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
	ListApplications(ctx context.Context) ([]storage.Application, error)
	UpdateAccountProfile(ctx context.Context, a *storage.Account) error
	// Organization registration (orgregister*.go).
	GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error)
	CreateOrganization(ctx context.Context, o *storage.Organization) error
	AddOrganizationMember(ctx context.Context, m *storage.OrganizationMember) error
	AssignAccountRole(ctx context.Context, r *storage.AccountRole) error
	SetPartnerCode(ctx context.Context, c *storage.PartnerCode) error
	RedeemPartnerCode(ctx context.Context, storeID string, hash []byte, now time.Time) (*storage.Organization, error)
	GetPartnerLookup(ctx context.Context, applicationID string) (*storage.PartnerLookup, error)
	// Upstream identity providers: sign-in with them (external*.go) and
	// linking them from the portal (external_link.go).
	GetUpstreamProvider(ctx context.Context, id string) (*storage.UpstreamProvider, error)
	CreateUpstreamAttempt(ctx context.Context, a *storage.UpstreamAttempt) error
	TakeUpstreamAttempt(ctx context.Context, stateHash []byte, now time.Time) (*storage.UpstreamAttempt, error)
	GetExternalIdentity(ctx context.Context, provider, subject string) (*storage.ExternalIdentity, error)
	ListExternalIdentities(ctx context.Context, accountID string) ([]storage.ExternalIdentity, error)
	RecordExternalSignIn(ctx context.Context, provider, subject string, amr []string, acr string, at time.Time) error
	LinkExternalIdentity(ctx context.Context, x *storage.ExternalIdentity) error
	UnlinkExternalIdentity(ctx context.Context, accountID, provider, subject string) error
}

// Config is selfservice's configuration.
type Config struct {
	// Issuer is the server's public URL, the base of links in messages.
	Issuer string
	Now    func() time.Time
	// PortalClientID is the account portal's client: only its requests
	// may carry an account action (foyer_action).
	PortalClientID string
	// PortalClientFor names the portal's client of each identity store
	// ("" for none); when set it decides instead of PortalClientID.
	PortalClientFor func(storeID string) string
	// Deferred tunes the worker of deferred requests (RunDeferred).
	Deferred DeferredConfig
	// SignInLimits are the password-guessing budgets (zero: defaults).
	SignInLimits SignInLimits
	// AuthorizeLimits are the budgets on new interactions, judged where
	// a pending one is first stored (interactionbudget.go; zero: defaults).
	AuthorizeLimits AuthorizeLimits
}

// Deps are selfservice's collaborators.
type Deps struct {
	Store     Store
	Sessions  *session.Manager
	Steps     *session.StepSigner
	Passwords *password.Hasher
	Renderer  *themes.Renderer
	Logger    *slog.Logger
	Notify    *notify.Service
	// Sealer encrypts TOTP secrets and passkeys at rest; WebAuthn is the
	// passkey relying party.
	Sealer   *mfa.Sealer
	WebAuthn *mfa.WebAuthn
	// Partners resolves partner codes Foyer does not know through the
	// application's partner lookup webhook; nil: an unknown code is
	// invalid.
	Partners partnerlookup.PartnerResolver
	// Invites finds and accepts the invitations login hints carry; nil:
	// every invitation link is answered as no longer valid.
	Invites *invite.Service
	// Upstream talks to upstream identity providers (sign-in with them
	// and linking them from the portal); nil: none can be used.
	Upstream *upstream.Client
}

// Handler serves the self-service pages.
type Handler struct {
	cfg      Config
	store    Store
	sessions *session.Manager
	signer   *session.StepSigner
	render   *themes.Renderer
	log      *slog.Logger
	steps    map[string]Step
	notify   *notify.Service
	hasher   *password.Hasher
	rules    *password.Rules
	deferred *deferredQueue
	limits   *regulate.Regulator
	codes    signInCodes // spent by every page that proves a factor
	partners partnerlookup.PartnerResolver
	invites  *invite.Service
	upstream *upstream.Client
	// routes builds URLs from the router Mount was given.
	routes route.URLs
}

// LoginPath is the sign-in page.
const LoginPath = "/login"

// New returns the handler with the built-in steps registered.
func New(cfg Config, d Deps) (*Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{
		cfg: cfg, store: d.Store, limits: regulate.New(d.Store), sessions: d.Sessions, signer: d.Steps,
		render: d.Renderer, log: d.Logger, notify: d.Notify, hasher: d.Passwords, rules: password.NewRules(),
		deferred: newDeferredQueue(cfg.Deferred), partners: d.Partners, invites: d.Invites, upstream: d.Upstream,
	}
	h.codes = signInCodes{store: d.Store, limits: h.limits, now: cfg.Now}
	if d.Sealer == nil || d.WebAuthn == nil {
		return nil, fmt.Errorf("selfservice: Sealer and WebAuthn are required")
	}
	if err := trialRender(d.Renderer); err != nil {
		return nil, err
	}
	// The e-mails share the theme; selfservice sends most of them.
	if err := notify.TrialRender(d.Renderer); err != nil {
		return nil, fmt.Errorf("selfservice: %w", err)
	}
	h.steps = map[string]Step{}
	for _, s := range h.newSteps(d) {
		h.steps[s.Name()] = s
	}
	return h, nil
}

// trialRender renders every sample of pageSamples (in the default language), so a
// template reading a field its data struct lacks fails here.
func trialRender(r *themes.Renderer) error {
	for page, samples := range pageSamples() {
		for _, data := range samples {
			if err := r.TrialRender(page, data); err != nil {
				return fmt.Errorf("selfservice: %w", err)
			}
		}
	}
	return nil
}

// newSteps builds the sign-in steps, each with the collaborators it uses.
func (h *Handler) newSteps(d Deps) []Step {
	lock := mfaLock{limits: h.limits, now: h.cfg.Now}
	keys := &passkeys{store: d.Store, sealer: d.Sealer, webauthn: d.WebAuthn, now: h.cfg.Now, log: h.log}
	enroll := enrollStep{
		isPortal: h.cfg.isPortal, store: d.Store, sealer: d.Sealer, webauthn: d.WebAuthn, now: h.cfg.Now,
		passkeys: keys, lock: lock, event: h.eventData, sendCode: h.sendEnrollCode, notify: h.notify, t: h.render.T,
	}
	action := enroll
	action.action = true
	return []Step{
		identifierStep{passkeys: keys, queue: h.deferRequest, event: h.eventData},
		&passwordStep{store: d.Store, guard: signInGuard{limits: h.limits, rules: h.cfg.SignInLimits.rules(), now: h.cfg.Now}, queue: h.deferRequest, hasher: d.Passwords,
			dummyHash: d.Passwords.DummyHash(), now: h.cfg.Now},
		mfaStep{store: d.Store, sealer: d.Sealer, now: h.cfg.Now, lock: lock, codes: h.codes, passkeys: keys,
			send: h.sendMFASecret, event: h.eventData},
		enroll,
		action,
		passwordlessStep{queue: h.deferRequest, find: h.findByIdentifier, lock: lock, codes: h.codes, event: h.eventData},
	}
}

// Names of selfservice's own routes (route.Login is the shared one); every
// link, redirect and form action is built from them.
const (
	registerRoute          = "selfservice.register"
	activateRoute          = "selfservice.activate"
	resendActivationRoute  = "selfservice.resend_activation"
	registerSendAgainRoute = "selfservice.register_send_again"
	recoverSendAgainRoute  = "selfservice.recover_send_again"
	magicLinkRoute         = "selfservice.magic_link"
	recoverRoute           = "selfservice.recover"
	recoverPhoneRoute      = "selfservice.recover_phone"
	recoverCodeRoute       = "selfservice.recover_code"
	resetRoute             = "selfservice.reset"
	resetPasswordRoute     = "selfservice.reset_password"
	reminderRoute          = "selfservice.reminder"
	orgRegisterRoute       = "selfservice.register_organization"
)

// path is the path of the route called name, with the query.
func (h *Handler) path(name string, query url.Values, vars ...string) string {
	return h.routes.Path(name, query, vars...)
}

// Mount installs the pages on r, which the caller guards against
// cross-origin form posts, and keeps r to build URLs from its named
// routes, authz's resumption among them.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	// Sign-in (engine.go) and its links from messages (signin_link.go).
	h.handle(r, route.Login, LoginPath, methods{http.MethodGet: h.showLogin, http.MethodPost: h.submitLogin})
	h.handle(r, magicLinkRoute, MagicLinkPath, methods{http.MethodGet: h.showMagicLink, http.MethodPost: h.useMagicLink})
	// Registration and activation (register*.go).
	h.handle(r, registerRoute, RegisterPath, methods{http.MethodGet: h.showRegister, http.MethodPost: h.submitRegister})
	h.handle(r, activateRoute, ActivatePath, methods{http.MethodGet: h.showActivate, http.MethodPost: h.activate})
	h.handle(r, resendActivationRoute, ResendActivationPath, methods{http.MethodPost: h.resendActivation})
	h.handle(r, registerSendAgainRoute, RegisterSendAgainPath, methods{http.MethodPost: h.registerSendAgain})
	// Registering organizations (orgregister*.go): /register asks for the
	// address first, its link leads here.
	h.handle(r, orgRegisterRoute, OrgRegisterPath, methods{http.MethodGet: h.showOrgRegister, http.MethodPost: h.submitOrgRegister})
	// Recovery (recover*.go).
	h.handle(r, recoverRoute, RecoverPath, methods{http.MethodGet: h.showRecover, http.MethodPost: h.submitRecover})
	h.handle(r, recoverPhoneRoute, RecoverPhonePath, methods{http.MethodPost: h.submitRecoverPhone})
	h.handle(r, recoverSendAgainRoute, RecoverSendAgainPath, methods{http.MethodPost: h.recoverSendAgain})
	h.handle(r, recoverCodeRoute, RecoverCodePath, methods{http.MethodPost: h.submitRecoverCode})
	h.handle(r, resetRoute, ResetPath, methods{http.MethodGet: h.showResetLink, http.MethodPost: h.openResetLink})
	h.handle(r, resetPasswordRoute, ResetPasswordPath, methods{http.MethodPost: h.submitNewPassword})
	h.handle(r, reminderRoute, ReminderPath, methods{http.MethodGet: h.showReminder, http.MethodPost: h.submitReminder})
	// Upstream identity providers (external*.go).
	h.mountExternal(r)
	// What pages and e-mails wear (brandassets.go).
	h.handle(r, brandAssetRoute, BrandAssetPath, methods{http.MethodGet: h.serveBrandAsset})
}

// handlerFunc is a selfservice page handler. It answers what the user can
// act on itself, with a page that says so (a bad or expired link, a form
// error, a disabled feature), and returns any other error for serve.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// methods maps a method to its handler, like route.Methods.
type methods map[string]handlerFunc

// handle installs path under name, each handler wrapped in serve.
func (h *Handler) handle(r *mux.Router, name, path string, m methods) {
	rm := make(route.Methods, len(m))
	for method, fn := range m {
		rm[method] = h.serve(fn)
	}
	route.Handle(r, name, path, rm)
}

// serve is the one adapter from handlerFunc to http.HandlerFunc: an error
// a handler returns is logged and answered with the generic server-error
// page, which shows nothing of it. A refusal by the budgets on new
// interactions, wherever a pending one was to be stored, is answered 429.
func (h *Handler) serve(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		var held *interactionHeld
		switch {
		case errors.As(err, &held):
			h.tooManyInteractions(w, r, held.wait)
		case err != nil:
			h.serverError(w, r, err)
		}
	}
}

// serverError logs err (quietly when the client went away) and renders
// the 500 page without internals. Only serve calls it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	level := slog.LevelError
	if r.Context().Err() != nil {
		level = slog.LevelDebug // the client went away mid-request
	}
	h.log.Log(r.Context(), level, "selfservice", "path", r.URL.Path, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "error.generic")
}
