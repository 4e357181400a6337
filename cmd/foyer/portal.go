package main

import (
	"log/slog"
	"time"

	"foyer/authz/keys"
	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/portal"
	"foyer/selfservice/session"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// withPortalClock gives the account portal its own clock, so tests can
// make a sign-in look old (fresh sign-in checks) without waiting.
func withPortalClock(now func() time.Time) serverOption {
	return func(o *serverOptions) { o.portalNow = now }
}

// newAccountPortal builds the account portal: a client of this server
// (bootstrap's foyer-account), signing its cookies with a key of its own.
func newAccountPortal(cfg Config, store storage.Store, secret []byte, sessions *session.Manager,
	renderer *themes.Renderer, notifications *notify.Service, upstreams *upstream.Client, log *slog.Logger,
	now func() time.Time) (*portal.Handler, error) {
	// Linking an upstream identity starts here (selfservice's callback
	// finishes it), with selfservice's client.
	return portal.New(portal.Config{
		Issuer: cfg.Issuer, ClientID: accountPortalClient, DefaultApplicationID: defaultApplicationID,
		DefaultStoreID: defaultStoreID, StoreClient: portalClientFor,
		CookieKey: keys.DeriveKey(secret, "account-portal"), Secure: session.CookiesFor(cfg.Issuer).Secure,
		GeoIPPath: cfg.GeoIPDB, Now: now,
	}, portal.Deps{
		Store: store, Sessions: sessions, Passwords: password.NewHasher(password.OWASP),
		Renderer: renderer, Notify: notifications, Logger: log,
		Invitations: newInvitationService(cfg.Issuer, store, notifications, renderer, now),
		Upstream:    upstreams,
	})
}
