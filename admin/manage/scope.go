package manage

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"foyer/storage"
)

// ownsAdministrators reports whether the actor may touch the
// administrators store at all: only the system and owners may (its
// accounts are the administrators themselves).
func ownsAdministrators(a Actor, p Permission) bool {
	return a.Kind == storage.PrincipalSystem || a.Role(p, storage.AdministratorsStoreID) == storage.RoleOwner
}

// requireStore is Actor.Require for something of the identity store, with
// the administrators store kept to owners. A store the actor may not even
// read is ErrNotFound (it is not theirs to see, as the API answers for
// clients); one it may read but not change as asked is ErrForbidden.
func requireStore(a Actor, p Permission, storeID string) error {
	if !canSeeStore(a, storeID) {
		return fmt.Errorf("identity store %q: %w", storeID, ErrNotFound)
	}
	return a.Require(p, storeID)
}

// canSeeStore: the actor may read the store's configuration.
func canSeeStore(a Actor, storeID string) bool {
	if storeID == storage.AdministratorsStoreID && !ownsAdministrators(a, ReadConfig) {
		return false
	}
	return a.Can(ReadConfig, storeID)
}

// storeGetter reads identity stores.
type storeGetter interface {
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
}

// requireExistingStore checks the actor's permission on the store and that
// it exists (ErrNotFound) before its groups, roles or organizations are
// listed or changed.
func requireExistingStore(ctx context.Context, s storeGetter, a Actor, p Permission, storeID string) error {
	if err := requireStore(a, p, storeID); err != nil {
		return err
	}
	if _, err := s.GetIdentityStore(ctx, storeID); err != nil {
		return fmt.Errorf("identity store %q: %w", storeID, err)
	}
	return nil
}

// pageSize is what a service asks storage for: one row more than the
// page, to learn whether another page follows; 0 (everything) stays 0.
func pageSize(limit int) int {
	if limit <= 0 {
		return 0
	}
	return limit + 1
}

// cut trims rows to the page and reports whether more follow.
func cut[T any](rows []T, limit int) ([]T, bool) {
	if limit > 0 && len(rows) > limit {
		return rows[:limit], true
	}
	return rows, false
}

// checkName adds a problem unless s (already trimmed) has 1 to max
// characters and no control characters.
func checkName(p Problems, field, s string, max int) {
	switch {
	case s == "":
		p.Add(field, "is required")
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > max:
		p.Add(field, fmt.Sprintf("use at most %d characters", max))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		p.Add(field, "contains characters that are not allowed")
	}
}
