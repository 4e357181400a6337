// Package sqlstore is the GORM implementation of storage.Store over
// PostgreSQL and the pure-Go SQLite driver (so CGO_ENABLED=0 builds work).
//
// It owns the row structs (private, converted to and from the storage
// types), the mapping of driver errors onto storage's sentinels (not found,
// unique and foreign-key violations), and how transactions travel: BeginTx
// puts a *gorm.DB transaction in the returned context and every method joins
// it when given that context. The schema itself belongs to
// storage/migrations; Store.Migrate runs it.
//
// Times are stored in UTC at microsecond precision (what PostgreSQL keeps),
// and the values written back into the caller's struct are the stored ones,
// so a Create followed by a Get compares equal. Empty slices and maps come
// back as nil.
//
// Named policies (policies.go, policycopy.go) keep storage.Policies'
// invariant: every write of a policy's body or of an assignment rewrites,
// in the same transaction, the copy each assigned application keeps in its
// own row (or, for portal policies, in application_portals), so that
// GetApplication stays one query.
package sqlstore
