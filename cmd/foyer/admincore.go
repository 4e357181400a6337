package main

import (
	"foyer/admin/manage"
	"foyer/storage"
)

// newAdminCore is the operator side's service core over the store.
func newAdminCore(store storage.Store) *manage.Core {
	return manage.NewCore(store, nil)
}
