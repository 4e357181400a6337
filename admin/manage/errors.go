package manage

import (
	"errors"

	"foyer/storage"
)

var (
	// ErrForbidden: the actor's roles do not allow the operation on that
	// store (403).
	ErrForbidden = errors.New("manage: forbidden")
	// ErrNotFound: no such resource, or one the actor may not see (404).
	ErrNotFound = storage.ErrNotFound
	// ErrConflict: a name or identifier already taken, or a resource still
	// in use, e.g. a store that is not empty (409).
	ErrConflict = storage.ErrConflict
	// ErrStale: the If-Match version is no longer current (412).
	ErrStale = storage.ErrStale
)

// ValidationError is input that cannot be accepted, with a message per
// field (storage.ValidationError, which the invitation service reports
// too). Nothing is changed when it is returned.
type ValidationError = storage.ValidationError

// Problems collects field errors while validating a whole input.
type Problems map[string]string

// Add records the first message for a field.
func (p Problems) Add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Err is nil when nothing was added, else a *ValidationError.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: map[string]string(p)}
}

// ConflictError is an ErrConflict whose Detail the service wrote for the
// caller (the API shows it); any other ErrConflict, such as a driver's
// constraint message, is answered with a generic sentence.
type ConflictError struct {
	Detail string
}

func (e *ConflictError) Error() string { return ErrConflict.Error() + ": " + e.Detail }

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Conflict is an ErrConflict with a message for the caller.
func Conflict(detail string) error { return &ConflictError{Detail: detail} }

// conflictAs turns storage's bare ErrConflict into a Conflict saying what
// clashed, so the caller reads the service's sentence, never the driver's.
func conflictAs(err error, detail string) error {
	var ce *ConflictError
	if errors.Is(err, ErrConflict) && !errors.As(err, &ce) {
		return Conflict(detail)
	}
	return err
}
