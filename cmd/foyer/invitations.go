package main

import (
	"foyer/admin/manage"
	"foyer/authz"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// newInvitations builds the operator side of customer invitations: the
// admin API, the console and the CLI send them through one service,
// whose links start at this issuer's third-party initiated login and
// whose e-mails are queued in the outbox.
func newInvitations(cfg Config, core *manage.Core, store storage.Store, renderer *themes.Renderer, mail *notify.Service) *manage.Invitations {
	return manage.NewInvitations(core, store, mail, invite.Config{Issuer: cfg.Issuer, InitiatePath: authz.InitiatePath,
		Languages: renderer.Languages()})
}
