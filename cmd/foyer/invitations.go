package main

import (
	"time"

	"foyer/admin/manage"
	"foyer/authz"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// newInvitationService is the invitation service the sign-up pages accept
// invitations through and the portal's organization administrators send
// them through. Its links start at authz's third-party initiated
// login, which opens the client's brand portal with the invitation's
// login hint.
func newInvitationService(issuer string, store storage.Store, notifications *notify.Service, renderer *themes.Renderer,
	now func() time.Time) *invite.Service {
	return invite.New(store, notifications, invite.Config{Issuer: issuer, InitiatePath: authz.InitiatePath,
		LanguagesNow: renderer.Languages, Now: now})
}

// newInvitations builds the operator side of customer invitations: the
// admin API, the console and the CLI send them through one service,
// whose links start at this issuer's third-party initiated login and
// whose e-mails are queued in the outbox.
func newInvitations(cfg Config, core *manage.Core, store storage.Store, renderer *themes.Renderer, mail *notify.Service) *manage.Invitations {
	return manage.NewInvitations(core, store, mail, invite.Config{Issuer: cfg.Issuer, InitiatePath: authz.InitiatePath,
		LanguagesNow: renderer.Languages})
}
