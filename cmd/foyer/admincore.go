package main

import (
	"foyer/admin/manage"
	"foyer/storage"
)

// adminCoreStore stands in until the store implements storage.AdminGrants
// and storage.AuditLog (the admins branch); then newAdminCore takes the
// store itself and this type goes.
type adminCoreStore struct {
	storage.Store
	storage.AdminGrants
	storage.AuditLog
}

// newAdminCore is the operator side's service core over the store.
func newAdminCore(store storage.Store) *manage.Core {
	return manage.NewCore(adminCoreStore{Store: store}, nil)
}
