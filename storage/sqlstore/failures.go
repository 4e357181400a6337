package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"foyer/storage"
)

// registerFailureWatch notes every statement error that is not an answer
// about the data (not found, a constraint) in the statement's context
// (storage.NoteFailure), whichever repository method ran it.
func registerFailureWatch(gdb *gorm.DB) error {
	note := func(db *gorm.DB) { noteFailure(db.Statement.Context, db.Error) }
	cb := gdb.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("foyer:failure_watch", note),
		cb.Query().After("gorm:query").Register("foyer:failure_watch", note),
		cb.Update().After("gorm:update").Register("foyer:failure_watch", note),
		cb.Delete().After("gorm:delete").Register("foyer:failure_watch", note),
		cb.Row().After("gorm:row").Register("foyer:failure_watch", note),
		cb.Raw().After("gorm:raw").Register("foyer:failure_watch", note),
	} {
		if err != nil {
			return fmt.Errorf("register failure watch: %w", err)
		}
	}
	return nil
}

// noteFailure notes err unless it is an answer (no rows, a constraint
// refusing the write) or the caller giving up (a cancelled request is
// not the database failing).
func noteFailure(ctx context.Context, err error) {
	if err == nil || ctx == nil || sentinel(err) != nil || errors.Is(err, context.Canceled) {
		return
	}
	storage.NoteFailure(ctx, err)
}
