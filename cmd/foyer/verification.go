package main

import (
	"foyer/admin"
	"foyer/admin/manage"
	"foyer/storage"
)

// newVerificationServices are the admin API's identity verification
// services over the store.
func newVerificationServices(core *manage.Core, store storage.Store) admin.VerificationServices {
	return admin.VerificationServices{Policies: manage.NewVerificationPolicies(core, store),
		Accounts: manage.NewAccountVerifications(core, store)}
}
