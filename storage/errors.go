package storage

import (
	"errors"
	"sort"
	"strings"
)

var (
	// ErrNotFound means no row matched. Implementations wrap driver errors
	// (gorm.ErrRecordNotFound, sql.ErrNoRows) into it.
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict means a unique constraint was violated (duplicate
	// identifier, client id, signature, ...).
	ErrConflict = errors.New("storage: conflict")
	// ErrInactive means the row exists but was deactivated (a used
	// authorization code, a rotated refresh token). Getters that return it
	// also return the row so callers can act on it (fosite's contract).
	ErrInactive = errors.New("storage: inactive")
)

// ErrStale means an update named a version of the row that is no longer
// the stored one: someone changed it in between (optimistic concurrency;
// the admin API answers 412 Precondition Failed).
var ErrStale = errors.New("storage: stale version")

// ValidationError is input that cannot be accepted, with a message per
// field (keys are the input's field names, as the API and forms spell
// them). Nothing is changed when it is returned. The operator side's
// service layer and the invitation service both report with it.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	names := make([]string, 0, len(e.Fields))
	for n := range e.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ": " + e.Fields[n]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}
