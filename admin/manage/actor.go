package manage

import (
	"slices"

	"foyer/storage"
)

// Permission is one kind of thing an actor may do.
type Permission string

const (
	// ReadConfig: see stores, applications, clients, policies, groups,
	// roles and organizations.
	ReadConfig Permission = "config.read"
	// WriteConfig: change them.
	WriteConfig Permission = "config.write"
	// ReadAccounts: see customer accounts.
	ReadAccounts Permission = "accounts.read"
	// WriteAccounts: change customer accounts (seed 002).
	WriteAccounts Permission = "accounts.write"
	// ReadAdministrators: see administrators and their roles.
	ReadAdministrators Permission = "administrators.read"
	// ManageAdministrators: invite, disable, remove administrators and
	// set their roles.
	ManageAdministrators Permission = "administrators.write"
	// ReadAudit: read and export the audit log.
	ReadAudit Permission = "audit.read"
)

// rolePermissions is the one table of what each role may do.
var rolePermissions = map[storage.AdminRole][]Permission{
	storage.RoleOwner: {ReadConfig, WriteConfig, ReadAccounts, WriteAccounts,
		ReadAdministrators, ManageAdministrators, ReadAudit},
	storage.RoleAdmin:   {ReadConfig, WriteConfig, ReadAccounts, WriteAccounts, ReadAudit},
	storage.RoleSupport: {ReadConfig, ReadAccounts, WriteAccounts},
	storage.RoleAuditor: {ReadConfig, ReadAccounts, ReadAdministrators, ReadAudit},
}

// RoleAllows reports whether the role carries the permission.
func RoleAllows(r storage.AdminRole, p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}

// Actor is who asks for an operation: an administrator signed in to the
// console or calling the API with its token, a client with an admin role,
// or the system (the CLI, run by whoever holds the database).
type Actor struct {
	Kind storage.PrincipalKind
	ID   string // account id or client id; empty for the system
	Name string // e-mail or client name, for the audit log
	// Grants are the actor's roles; the system holds every permission.
	Grants    []storage.AdminGrant
	IP        string
	UserAgent string
}

// System is the actor of the CLI and of start-up: whoever runs them holds
// the database already.
func System() Actor { return Actor{Kind: storage.PrincipalSystem, Name: "system"} }

// Can reports whether the actor may do p on something of the identity
// store storeID; storeID "" is something of no store (administrators,
// the audit log as a whole, keys), which needs a grant limited to no store.
func (a Actor) Can(p Permission, storeID string) bool {
	if a.Kind == storage.PrincipalSystem {
		return true
	}
	for _, g := range a.Grants {
		if !RoleAllows(g.Role, p) {
			continue
		}
		if len(g.StoreIDs) == 0 || (storeID != "" && slices.Contains(g.StoreIDs, storeID)) {
			return true
		}
	}
	return false
}

// CanAnyStore reports whether the actor may do p on something of at least
// one store (to show a list it then filters by VisibleStores).
func (a Actor) CanAnyStore(p Permission) bool {
	if a.Kind == storage.PrincipalSystem {
		return true
	}
	for _, g := range a.Grants {
		if RoleAllows(g.Role, p) {
			return true
		}
	}
	return false
}

// Role is the most powerful role the actor holds that allows p on the
// store (for the audit log); "" when none does.
func (a Actor) Role(p Permission, storeID string) storage.AdminRole {
	for _, r := range storage.AdminRoles {
		for _, g := range a.Grants {
			if g.Role == r && RoleAllows(r, p) &&
				(len(g.StoreIDs) == 0 || (storeID != "" && slices.Contains(g.StoreIDs, storeID))) {
				return r
			}
		}
	}
	return ""
}

// Require returns ErrForbidden unless the actor may do p on the store.
func (a Actor) Require(p Permission, storeID string) error {
	if a.Can(p, storeID) {
		return nil
	}
	return ErrForbidden
}
