package manage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// An administrator's version (its ETag) and a client's roles' version are
// computed, not stored: a hash of what their changes replace — the
// administrator's status and grants, the client's grants. Why not a
// version column like the other resources: an administrator is an account
// row plus grant rows, and a client's roles are grant rows beside the
// client (whose own version guards its metadata), so a counter would need
// a table of its own that every writer of grants keeps in step; the hash
// needs no migration and cannot drift from what it describes.
//
// Race-free because every change of an administrator's status or grants,
// and of a client's roles, first takes LockAdminGrants in its transaction
// and only then reads the state and compares its version (lockedVersion).
// On PostgreSQL the advisory lock serializes those transactions, and at
// READ COMMITTED (PostgreSQL's default, which sqlstore keeps) each
// statement after the lock sees what the previous holder committed; on
// SQLite transactions begin IMMEDIATE, so there is one writer at a time.
// Of two changes sent with the same version, the second therefore reads
// the first's result, finds another version and returns ErrStale.
//
// A state that comes back (roles A → B → A) has its old version again; a
// change made against the first A then applies to exactly what its author
// saw, so no update is lost, which is all If-Match promises.
//
// Version 0 skips the check: the CLI (manage.System(), run by whoever
// holds the database) replaces roles and statuses outright, as the other
// services' version 0 does. The API never passes 0 (If-Match is required).

// grantsVersion is the version of a status (empty for a client) and a set
// of grants, independent of the grants' order and of their stores' order.
// It is positive, as ETags of this API are, and below 2^53, so the
// "version" of a JSON answer survives JavaScript's numbers exactly.
func grantsVersion(status string, grants []Grant) int64 {
	canon := make([]Grant, len(grants))
	for i, g := range grants {
		stores := slices.Clone(g.StoreIDs)
		slices.Sort(stores)
		canon[i] = Grant{Role: g.Role, StoreIDs: stores}
	}
	slices.SortFunc(canon, func(a, b Grant) int { return strings.Compare(string(a.Role), string(b.Role)) })
	body, _ := json.Marshal(struct { // strings only: always marshals
		Status string  `json:"status"`
		Grants []Grant `json:"grants"`
	}{status, canon})
	sum := sha256.Sum256(body)
	if v := int64(binary.BigEndian.Uint64(sum[:8]) >> 11); v > 0 {
		return v
	}
	return 1
}

// checkVersion is ErrStale when want (non-zero) is not current.
func checkVersion(what, id string, want, current int64) error {
	if want != 0 && want != current {
		return fmt.Errorf("%s %q changed since it was read: %w", what, id, ErrStale)
	}
	return nil
}

// lockAdminGrants takes the grant lock that makes the version checks
// race-free (see above); ctx carries Apply's transaction.
func (c *Core) lockAdminGrants(ctx context.Context) error {
	if err := c.store.LockAdminGrants(ctx); err != nil {
		return fmt.Errorf("lock admin grants: %w", err)
	}
	return nil
}
