package main

import (
	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
)

// newAccountJobs is the bulk quick actions' service: the quick actions of
// manage.AccountActions (disable ends sessions with back-channel logout
// notices, delete cleans up as the portal's deletion) over selections the
// account search makes.
func newAccountJobs(core *manage.Core, store storage.Store, sessions *session.Manager) *manage.AccountJobs {
	actions := manage.NewAccountActions(core, store, sessions)
	return manage.NewAccountJobs(core, store, actions.QuickAction, manage.NewSearchSelector(manage.NewAccountSearch(core, store), store))
}
