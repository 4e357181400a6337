package main

import (
	"time"

	"foyer/authz"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// portalInvitations is the invitation service the account portal's
// organization administrators invite colleagues through: links start at
// this server's third-party initiated login, e-mails go through the
// outbox in the languages the theme has.
func portalInvitations(cfg Config, store storage.Store, notifications *notify.Service, renderer *themes.Renderer, now func() time.Time) *invite.Service {
	return invite.New(store, notifications, invite.Config{Issuer: cfg.Issuer, InitiatePath: authz.InitiatePath,
		Languages: renderer.Languages(), Now: now})
}
