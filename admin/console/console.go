package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/firstparty"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// Store is what the console reads from storage itself: the identity
// stores and their sizes for the dashboard and the store switcher, an
// account with its external identities for the account profile's frame,
// and a store's upstream providers for the self-service policy's form.
type Store interface {
	ListIdentityStores(ctx context.Context) ([]storage.IdentityStore, error)
	CountAccounts(ctx context.Context, storeID string) (int64, error)
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	ListExternalIdentities(ctx context.Context, accountID string) ([]storage.ExternalIdentity, error)
	// ListUpstreamProviders lists a store's upstream identity providers
	// by name (the self-service policy's providers, policy_external.go).
	ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error)
}

// Config is the console's configuration.
type Config struct {
	// Issuer is the server's public URL: the console is a client of it.
	Issuer string
	// CookieKey signs the console's cookies and form tokens (derived from
	// FOYER_SECRET).
	CookieKey []byte
	// Secure marks cookies Secure (https issuer).
	Secure bool
	// SessionLifetime bounds a console sign-in (default 8 hours); the SSO
	// session ending ends it sooner.
	SessionLifetime time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Deps are the console's collaborators.
type Deps struct {
	Core     *manage.Core
	Store    Store
	Sessions *session.Manager
	Renderer *themes.Renderer
	Logger   *slog.Logger
	// The services of admin/manage the pages drive.
	Audit          AuditService
	Administrators AdministratorService
	Applications   ApplicationService
	Policies       PolicyService
	Clients        ClientService
	Groups         GroupService
	Stores         StoreService
	Roles          RoleService
	Organizations  OrganizationService
	// AccountJobs runs quick actions on selected accounts (account_jobs.go).
	AccountJobs AccountJobService
	// AccountAuth and Notices serve the account profile's Authenticators
	// tab and the "Notify the customer" choices; nil leaves the tab out.
	AccountAuth AccountAuthService
	Notices     NoticeService
	// AccountActions and AccountProfiles serve the account profile's
	// overview actions and its Attributes and Groups tabs
	// (account_profile.go); without them those pages are not mounted.
	AccountActions  AccountActionService
	AccountProfiles AccountProfileService
	// AccountRoles serves the account profile's Roles tab
	// (account_roles.go); without it there is no such tab.
	AccountRoles AccountRoleService
	// Identity verification: a store's policies and an account's records.
	VerificationPolicies VerificationPolicyService
	Verifications        VerificationService
	// AccountActivity serves the account profile's Activity, Sessions and
	// Consents tabs; nil leaves them out.
	AccountActivity AccountActivityService
	// AccountSearch serves the account list (accounts.go); without it
	// the list is not offered.
	AccountSearch AccountSearchService
	// Invitations serves a store's customer invitations
	// (invitations.go); without it there are no such pages.
	Invitations InvitationService
	// PartnerCodes and PartnerLookups serve partner organizations' codes
	// (partner_code.go) and applications' partner lookup webhooks
	// (partner_lookup.go); without them those sections are left out.
	PartnerCodes   PartnerCodeService
	PartnerLookups PartnerLookupService
	// Upstreams serves a store's upstream identity providers
	// (upstreams.go); without it there are no such pages.
	Upstreams UpstreamService
	// MessageTemplates serves applications' own e-mail and SMS texts
	// (msgtemplates.go); without it there are no such pages.
	MessageTemplates MessageTemplateService
	// Brandings serves the branding pages of applications and
	// organizations (branding.go); without it there are none.
	Brandings BrandingService
	// Translations serves the Languages pages of a store and an
	// application (translations.go); without it there are none.
	Translations TranslationService
}

// Handler serves the console.
type Handler struct {
	cfg      Config
	core     *manage.Core
	store    Store
	sessions *session.Manager
	render   *themes.Renderer
	log      *slog.Logger
	routes   route.URLs
	audit    AuditService
	admins   AdministratorService
	apps     ApplicationService
	policies PolicyService
	clients  ClientService
	groups   GroupService
	stores   StoreService
	roles    RoleService
	orgs     OrganizationService
	// accountJobs serves account_jobs.go and account_actions.go.
	accountJobs AccountJobService
	// vpolicies and verifs serve identity verification's pages.
	vpolicies VerificationPolicyService
	verifs    VerificationService
	activity  AccountActivityService
	// accountSearch may be nil (see Deps).
	accountSearch AccountSearchService
	// invitations may be nil (see Deps).
	invitations InvitationService
	// partnerCodes and partnerLookups may be nil (see Deps).
	partnerCodes   PartnerCodeService
	partnerLookups PartnerLookupService
	// upstreams may be nil (see Deps).
	upstreams UpstreamService
	// msgTemplates may be nil (see Deps).
	msgTemplates MessageTemplateService
	// brandings may be nil (see Deps).
	brandings BrandingService
	// translations may be nil (see Deps).
	translations TranslationService

	// accountTabs are the account profile's tabs, in order (account.go).
	accountTabs []accountTab
	// acctActions and acctProfiles serve account_profile.go.
	acctActions  AccountActionService
	acctProfiles AccountProfileService

	accountAuth  AccountAuthService
	notices      NoticeService
	accountRoles AccountRoleService

	// codes exchanges the console's codes in process (its server is set
	// by UseServer once the whole handler chain exists).
	codes *firstparty.Exchanger
}

// New returns the console handler.
func New(cfg Config, d Deps) (*Handler, error) {
	if cfg.Issuer == "" || len(cfg.CookieKey) < 32 {
		return nil, errors.New("console: Issuer and a 32-byte CookieKey are required")
	}
	if d.Core == nil || d.Store == nil || d.Sessions == nil || d.Renderer == nil || d.Audit == nil || d.Administrators == nil || d.Stores == nil || d.Applications == nil || d.Policies == nil || d.Clients == nil || d.Groups == nil ||
		d.Roles == nil || d.Organizations == nil {
		return nil, errors.New("console: Core, Store, Sessions, Renderer and the services are required")
	}
	if d.VerificationPolicies == nil || d.Verifications == nil {
		return nil, errors.New("console: the verification services are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 8 * time.Hour
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, core: d.Core, store: d.Store, sessions: d.Sessions, render: d.Renderer, log: d.Logger, audit: d.Audit, admins: d.Administrators, apps: d.Applications, policies: d.Policies, clients: d.Clients, groups: d.Groups, stores: d.Stores,
		roles: d.Roles, orgs: d.Organizations, codes: firstparty.New(cfg.Issuer, "console")}
	h.accountRoles = d.AccountRoles
	h.accountJobs = d.AccountJobs
	h.accountAuth, h.notices = d.AccountAuth, d.Notices
	h.vpolicies, h.verifs = d.VerificationPolicies, d.Verifications
	h.activity = d.AccountActivity
	h.accountSearch = d.AccountSearch
	h.invitations = d.Invitations
	h.partnerCodes, h.partnerLookups = d.PartnerCodes, d.PartnerLookups
	h.upstreams = d.Upstreams
	h.msgTemplates = d.MessageTemplates
	h.brandings = d.Brandings
	h.translations = d.Translations
	h.acctActions, h.acctProfiles = d.AccountActions, d.AccountProfiles
	return h, nil
}

// UseServer gives the console the server's handler, through which it
// exchanges codes and reads discovery and keys without leaving the
// process (the issuer's public address may not be reachable from the
// node).
func (h *Handler) UseServer(server http.Handler) { h.codes.UseServer(server) }

// Names of the console's routes; links and redirects are built from them.
const (
	homeRoute     = "console.home"
	signInRoute   = "console.sign_in"
	callbackRoute = "console.callback"
	logoutRoute   = "console.logout"
	switchRoute   = "console.switch_store"
)

// Mount installs the console's routes on r. Besides the server's own
// guard, the console refuses cross-origin form posts itself, so no
// wiring can leave its forms open.
func (h *Handler) Mount(r *mux.Router) {
	h.routes = route.New(r)
	sub := r.NewRoute().Subrouter()
	sub.Use(http.NewCrossOriginProtection().Handler)
	route.Handle(sub, homeRoute, manage.ConsoleBasePath, route.Methods{http.MethodGet: h.authed(h.dashboard)})
	route.Handle(sub, signInRoute, manage.ConsoleBasePath+"/login", route.Methods{http.MethodGet: h.serve(h.startSignIn)})
	route.Handle(sub, callbackRoute, manage.ConsoleCallbackPath, route.Methods{http.MethodGet: h.callback})
	route.Handle(sub, logoutRoute, manage.ConsoleBasePath+"/logout", route.Methods{http.MethodPost: h.serve(h.logout)})
	route.Handle(sub, switchRoute, manage.ConsoleBasePath+"/switch", route.Methods{http.MethodGet: h.authed(h.switchStore)})
	h.mountAdministrators(sub)
	h.mountAudit(sub)
	h.mountStores(sub)
	h.mountApplications(sub)
	h.mountApplication(sub)
	h.mountPartnerLookup(sub)
	h.mountMessageTemplates(sub)
	h.mountPolicies(sub)
	h.mountClients(sub)
	h.mountGroups(sub)
	h.mountGroup(sub)
	h.mountRoles(sub)
	h.mountOrganizations(sub)
	h.mountBranding(sub)
	h.mountUpstreams(sub)
	h.mountTranslations(sub)
	// Before the profile: /accounts/actions is not an account.
	h.mountAccountJobs(sub)
	h.mountAccountAuthenticators(sub)
	h.mountAccountProfile(sub)
	h.mountAccountRoles(sub)
	h.mountVerificationPolicies(sub)
	h.mountVerificationTab(sub)
	h.mountAccountActivity(sub)
	h.mountAccounts(sub)
	h.mountInvitations(sub)
}

// path is the path of the console's route called name, with the query
// and the route's variables (pairs of name and value).
func (h *Handler) path(name string, query url.Values, vars ...string) string {
	return h.routes.Path(name, query, vars...)
}
