package main

import (
	"time"

	"foyer/authz"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// newInvitations is the one invitation service: the admin side sends
// through it and the sign-up pages accept through it. Its links start at
// authz's third-party initiated login, which opens the client's brand
// portal with the invitation's login hint.
func newInvitations(issuer string, store storage.Store, notifications *notify.Service, renderer *themes.Renderer,
	now func() time.Time) *invite.Service {
	return invite.New(store, notifications, invite.Config{Issuer: issuer, InitiatePath: authz.InitiatePath,
		Languages: renderer.Languages(), Now: now})
}
