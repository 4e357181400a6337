package manage

import (
	"errors"
	"fmt"
	"testing"

	"foyer/storage"
)

// TestConflictAs: storage's bare conflict (whose text may be the driver's)
// becomes the service's sentence; a conflict that already has one, and any
// other error, pass unchanged.
func TestConflictAs(t *testing.T) {
	driver := fmt.Errorf("%w: UNIQUE constraint failed: groups.store_id, groups.name", storage.ErrConflict)
	var ce *ConflictError
	got := conflictAs(driver, "a group with this name exists in the store")
	if !errors.As(got, &ce) || ce.Detail != "a group with this name exists in the store" || !errors.Is(got, ErrConflict) {
		t.Fatalf("driver conflict: got %v", got)
	}
	own := Conflict("the service's own words")
	if got := conflictAs(own, "other words"); !errors.Is(got, own) || got.Error() != own.Error() {
		t.Fatalf("own conflict replaced: %v", got)
	}
	other := errors.New("connection refused")
	if got := conflictAs(other, "words"); !errors.Is(got, other) || got.Error() != other.Error() {
		t.Fatalf("other error replaced: %v", got)
	}
	if got := conflictAs(nil, "words"); got != nil {
		t.Fatalf("nil became %v", got)
	}
}
