package main

import (
	"foyer/admin"
	"foyer/admin/manage"
	"foyer/storage"
)

// newStoreServices are the admin API's services of identity stores and
// what they define, over the store.
func newStoreServices(core *manage.Core, store storage.Store) admin.StoreServices {
	return admin.StoreServices{Stores: newStores(core, store), Groups: manage.NewGroups(core, store),
		Roles: manage.NewRoles(core, store), Organizations: manage.NewOrganizations(core, store),
		PartnerCodes: manage.NewPartnerCodes(core, store)}
}
