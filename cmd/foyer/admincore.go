package main

import (
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

// newAdminCore is the operator side's service core over the store; now
// is its clock (nil: the wall clock).
func newAdminCore(store storage.Store, now func() time.Time) *manage.Core {
	return manage.NewCore(store, now)
}
