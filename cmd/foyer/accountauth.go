package main

import (
	"foyer/admin/manage"
	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// newAccountAuthServices builds the customer notices and the account
// authenticator services the admin API and the console share.
func newAccountAuthServices(core *manage.Core, store storage.Store, notifications *notify.Service, renderer *themes.Renderer,
	sessions *session.Manager, issuer string) (*manage.CustomerNotices, *manage.AccountAuthenticators) {
	notices := manage.NewCustomerNotices(core, store, notifications, renderer)
	auth := manage.NewAccountAuthenticators(core, manage.AuthenticatorDeps{Store: store, Notices: notices, Sender: notifications,
		Texts: renderer, Sessions: sessions, Hasher: password.NewHasher(password.OWASP), Rules: password.NewRules(), Issuer: issuer})
	return notices, auth
}
