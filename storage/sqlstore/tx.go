package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// txKey scopes the transaction to the store that began it, so a context
// carrying one store's transaction is ignored by another store.
type txKey struct{ s *Store }

// db is the handle every method uses: the context's transaction when there
// is one, the pool otherwise.
func (s *Store) db(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.gdb.WithContext(ctx)
}

// BeginTx starts a transaction and returns a context carrying it.
func (s *Store) BeginTx(ctx context.Context) (context.Context, error) {
	if _, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		return nil, fmt.Errorf("sqlstore: begin: %w", ErrTxInProgress)
	}
	tx := s.gdb.WithContext(ctx).Begin()
	noteFailure(ctx, tx.Error)
	if tx.Error != nil {
		return nil, fmt.Errorf("sqlstore: begin: %w", tx.Error)
	}
	return context.WithValue(ctx, txKey{s}, tx), nil
}

// Commit commits the context's transaction.
func (s *Store) Commit(ctx context.Context) error {
	tx, ok := ctx.Value(txKey{s}).(*gorm.DB)
	if !ok {
		return fmt.Errorf("sqlstore: commit: %w", ErrNoTx)
	}
	if err := tx.Commit().Error; err != nil {
		noteFailure(ctx, err)
		return wrapErr(err, "commit")
	}
	return nil
}

// Rollback rolls the context's transaction back. After Commit it is a
// no-op, so callers may defer it unconditionally.
func (s *Store) Rollback(ctx context.Context) error {
	tx, ok := ctx.Value(txKey{s}).(*gorm.DB)
	if !ok {
		return fmt.Errorf("sqlstore: rollback: %w", ErrNoTx)
	}
	if err := tx.Rollback().Error; err != nil && !errors.Is(err, sql.ErrTxDone) {
		return wrapErr(err, "rollback")
	}
	return nil
}

// inTx runs fn atomically: in the context's transaction (under a savepoint,
// which GORM sets for nested Transaction calls) or in a new one.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db(ctx).Transaction(fn)
}
