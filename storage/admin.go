package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// AdministratorsStoreID is the built-in identity store whose accounts are
// the administrators. It is never a customer population: no application
// of customers points at it and customers cannot register into it.
const AdministratorsStoreID = "administrators"

// AdminRole is what an administrator (or a client acting for itself) may
// do on the operator side.
type AdminRole string

const (
	// RoleOwner may do everything, including managing administrators.
	RoleOwner AdminRole = "owner"
	// RoleAdmin changes configuration: stores, applications, clients,
	// policies, groups, roles, organizations.
	RoleAdmin AdminRole = "admin"
	// RoleSupport manages customer accounts (seed 002).
	RoleSupport AdminRole = "support"
	// RoleAuditor reads everything and changes nothing.
	RoleAuditor AdminRole = "auditor"
)

// AdminRoles lists every role, most powerful first.
var AdminRoles = []AdminRole{RoleOwner, RoleAdmin, RoleSupport, RoleAuditor}

// Valid reports whether r is one of AdminRoles.
func (r AdminRole) Valid() bool {
	for _, known := range AdminRoles {
		if r == known {
			return true
		}
	}
	return false
}

// PrincipalKind says who holds an admin grant or wrote an audit entry.
type PrincipalKind string

const (
	// PrincipalAdministrator is an account of the administrators store.
	PrincipalAdministrator PrincipalKind = "administrator"
	// PrincipalClient is an OAuth client calling the admin API with a
	// client-credentials token.
	PrincipalClient PrincipalKind = "client"
	// PrincipalSystem is Foyer itself (bootstrap, migrations, the CLI run
	// by whoever holds the database).
	PrincipalSystem PrincipalKind = "system"
)

// AdminGrant gives a principal one role, optionally limited to some
// identity stores. A principal may hold several grants.
type AdminGrant struct {
	ID            string
	PrincipalKind PrincipalKind // administrator or client
	PrincipalID   string        // account id or client id
	Role          AdminRole
	// StoreIDs limits the role to these identity stores; empty means every
	// store and the resources that belong to none (administrators, keys).
	StoreIDs  []string
	CreatedAt time.Time
}

// AdminGrants reads and writes administrators' and clients' roles.
type AdminGrants interface {
	// CreateAdminGrant inserts g, filling in ID and CreatedAt; a grant of
	// the same role to the same principal is ErrConflict.
	CreateAdminGrant(ctx context.Context, g *AdminGrant) error
	// ListAdminGrants returns the principal's grants, oldest first.
	ListAdminGrants(ctx context.Context, kind PrincipalKind, principalID string) ([]AdminGrant, error)
	// ListAllAdminGrants returns every grant, oldest first.
	ListAllAdminGrants(ctx context.Context) ([]AdminGrant, error)
	// DeleteAdminGrant removes one grant; ErrNotFound when there is none.
	DeleteAdminGrant(ctx context.Context, id string) error
	// DeleteAdminGrantsOf removes every grant of the principal and returns
	// how many went.
	DeleteAdminGrantsOf(ctx context.Context, kind PrincipalKind, principalID string) (int64, error)
	// MoveAccountToStore moves an account, keeping its id, password and
	// factors, into another identity store and drops its memberships of
	// the old store's groups and organizations and its roles there (the
	// start-up upgrade moves the bootstrap
	// admin into the administrators store this way). ErrNotFound when the
	// account or the store is missing; ErrConflict when one of its
	// identifiers is taken in the target store.
	MoveAccountToStore(ctx context.Context, accountID, storeID string) error
	// LockAdminGrants serializes, across nodes, the transactions that read
	// the grants to decide a change of them (two owners disabling each
	// other at once must not both pass the "another owner remains"
	// check). ctx must carry a transaction; the lock is held until it ends.
	LockAdminGrants(ctx context.Context) error
}

// AuditEntry is one administrative change. Entries form a chain: Hash is
// an HMAC-SHA-256, under a key derived from the system secret, over
// PrevHash and the entry's fields, so editing, removing or reordering a
// stored entry breaks every hash after it, and one who can write the
// database but lacks the key cannot recompute them.
type AuditEntry struct {
	Seq        int64 // position in the chain, from 1
	ID         string
	CreatedAt  time.Time
	ActorKind  PrincipalKind
	ActorID    string
	ActorName  string // the administrator's e-mail or the client's name
	Role       AdminRole
	IP         string
	UserAgent  string
	Action     string // e.g. "store.created", "administrator.disabled"
	TargetType string // e.g. "store", "application", "client"
	TargetID   string
	StoreID    string // the identity store the target belongs to, if any
	// Before and After are JSON objects of the target's fields with
	// secrets redacted; empty for a creation (Before) or deletion (After).
	Before   string
	After    string
	PrevHash string // hex; empty for the first entry
	Hash     string // hex
}

// AuditFilter narrows ListAuditEntries; zero fields match everything.
type AuditFilter struct {
	ActorID    string
	Action     string // exact, or a prefix ending in "." ("store.")
	TargetType string
	TargetID   string
	StoreID    string
	Since      time.Time
	Until      time.Time
	// BeforeSeq pages: only entries with Seq below it (newest first) when
	// set; zero starts at the newest.
	BeforeSeq int64
	Limit     int
}

// AuditLog is the append-only, hash-chained audit log.
type AuditLog interface {
	// AppendAuditEntry fills in Seq, ID, CreatedAt (when zero), PrevHash
	// and Hash and inserts e as the new head of the chain. Appends are
	// serialized across nodes; within a transaction the entry commits or
	// rolls back with the change it records.
	AppendAuditEntry(ctx context.Context, e *AuditEntry) error
	// ListAuditEntries returns entries matching f, newest first.
	ListAuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
	// WalkAuditEntries calls fn for every entry in chain order (oldest
	// first) until fn returns an error, which it returns.
	WalkAuditEntries(ctx context.Context, fn func(AuditEntry) error) error
}

// ComputeHash is the entry's chain hash under key: hex HMAC-SHA-256 over
// PrevHash, a newline, and a JSON array of every other field in a fixed
// order (Seq, ID, CreatedAt in UTC RFC 3339 with nanoseconds, actor kind,
// id, name, role, IP, user agent, action, target type and id, store,
// Before, After). The JSON array quotes and separates each field, so no
// two different entries serialize alike. Stores keep CreatedAt at
// microsecond precision: hash an entry after truncating its time as the
// store will.
func (e AuditEntry) ComputeHash(key []byte) string {
	fields := []any{e.Seq, e.ID, e.CreatedAt.UTC().Format(time.RFC3339Nano),
		string(e.ActorKind), e.ActorID, e.ActorName, string(e.Role), e.IP, e.UserAgent,
		e.Action, e.TargetType, e.TargetID, e.StoreID, e.Before, e.After}
	body, _ := json.Marshal(fields) // strings and an int64 always marshal
	h := hmac.New(sha256.New, key)
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
