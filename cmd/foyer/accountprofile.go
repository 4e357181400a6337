package main

import (
	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
)

// accountProfileServices are the services behind an account's profile in
// the admin API and console: its actions (the quick actions bulk jobs run
// too) and its profile, edits and export. The export names browsers and
// systems as the portal's does; it shows no locations (no GeoIP reader of
// its own).
type accountProfileServices struct {
	actions  *manage.AccountActions
	profiles *manage.AccountProfiles
}

func newAccountProfileServices(core *manage.Core, store storage.Store, sessions *session.Manager,
	device func(userAgent string) (browser, os string)) accountProfileServices {
	return accountProfileServices{
		actions:  manage.NewAccountActions(core, store, sessions),
		profiles: manage.NewAccountProfiles(core, store, device),
	}
}
