package main

import (
	"log/slog"
	"time"

	"foyer/admin/console"
	"foyer/admin/manage"
	"foyer/authz/keys"
	"foyer/selfservice/notify"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// newAdminConsole builds the admin console: a client of this server
// (bootstrap's foyer-admin) over the manage services, signing its
// cookies with a key of its own.
func newAdminConsole(cfg Config, core *manage.Core, store storage.Store, secret []byte, sessions *session.Manager, renderer *themes.Renderer,
	notifications *notify.Service, log *slog.Logger, now func() time.Time, activity *manage.AccountActivity, accounts accountProfileServices,
	invitations *manage.Invitations) (*console.Handler, error) {
	notices, accountAuth := newAccountAuthServices(core, store, notifications, renderer, sessions, cfg.Issuer)
	partnerLookups, err := newPartnerLookups(core, store, secret)
	if err != nil {
		return nil, err
	}
	upstreams, err := newUpstreams(core, store, secret, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	return console.New(console.Config{
		Issuer: cfg.Issuer, CookieKey: keys.DeriveKey(secret, "admin-console"),
		Secure: session.CookiesFor(cfg.Issuer).Secure, Now: now,
	}, console.Deps{
		Core: core, Store: store, Sessions: sessions, Renderer: renderer, Logger: log,
		Audit:          manage.NewAudit(store).WithChainKey(auditChainKey(secret)),
		Administrators: manage.NewAdministrators(core, store, notifications, cfg.Issuer),
		Applications:   manage.NewApplications(core, store),
		Policies:       manage.NewPolicies(core, store),
		Clients:        manage.NewClients(core, store, clientRegistry{}),
		Groups:         manage.NewGroups(core, store),
		Stores:         newStores(core, store),
		Roles:          manage.NewRoles(core, store),
		Organizations:  manage.NewOrganizations(core, store),
		AccountJobs:    newAccountJobs(core, store, sessions),
		AccountAuth:    accountAuth,
		Notices:        notices,
		AccountRoles:   manage.NewAccountRoles(core, store),
		// Identity verification (cmd/foyer/verification.go).
		VerificationPolicies: manage.NewVerificationPolicies(core, store),
		Verifications:        manage.NewAccountVerifications(core, store),
		// The account profile's Activity, Sessions and Consents tabs.
		AccountActivity: activity,
		AccountSearch:   manage.NewAccountSearch(core, store),
		// The profile's overview actions, Attributes and Groups tabs.
		AccountActions: accounts.actions, AccountProfiles: accounts.profiles,
		// The store's invitations (admin/console/invitations.go).
		Invitations: invitations,
		// Partner organizations' codes and the partner lookup webhooks.
		PartnerCodes: manage.NewPartnerCodes(core, store), PartnerLookups: partnerLookups,
		// Translation packages (cmd/foyer/translations.go).
		Translations: manage.NewTranslations(core, store, renderer),
		// The store's upstream identity providers (cmd/foyer/cliidp_service.go).
		Upstreams: upstreams,
		// Applications' own e-mail and SMS texts, test sends through the outbox.
		MessageTemplates: manage.NewMessageTemplates(core, store, notifications),
		// Branding of applications and organizations (admin/console/branding.go).
		Brandings: manage.NewBrandings(core, store),
	})
}
