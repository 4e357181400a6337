package migrations

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
)

// querier is what a migration needs from *sql.Tx or *sql.Conn.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const createVersionsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT    NOT NULL PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)`

// lockClass is the first key of the PostgreSQL advisory lock ("foyr"); the
// second is the database name's hash, so migrating two databases of one
// cluster at once does not serialise them.
const lockClass = 0x666f7972

// Apply runs every pending migration of the dialect, each in its own
// transaction, and returns the versions it applied (none when the database
// was up to date). Two processes may call it at once against one database:
// on PostgreSQL each step holds a transaction-scoped advisory lock, on
// SQLite an immediate (write) transaction, so the second waits and then
// finds nothing left to do. It fails with ErrDatabaseTooNew, changing
// nothing, when the database records a version newer than the binary knows.
func Apply(ctx context.Context, db *sql.DB, dialect string) (applied []int, err error) {
	ms, err := load(dialect)
	if err != nil {
		return nil, err
	}
	for {
		v, err := applyNext(ctx, db, dialect, ms)
		if err != nil {
			return applied, err
		}
		if v == 0 {
			return applied, nil
		}
		applied = append(applied, v)
	}
}

// applyNext applies the oldest pending migration and returns its version,
// or 0 when none is pending. It re-reads the recorded versions under the
// lock because another process may have moved on meanwhile.
func applyNext(ctx context.Context, db *sql.DB, dialect string, ms []migration) (int, error) {
	var version int
	err := withLock(ctx, db, dialect, func(q querier) error {
		if _, err := q.ExecContext(ctx, createVersionsTable); err != nil {
			return fmt.Errorf("migrations: create schema_migrations: %w", err)
		}
		done, err := appliedVersions(ctx, q)
		if err != nil {
			return err
		}
		if err := checkNotNewer(done, ms); err != nil {
			return err
		}
		for _, m := range ms {
			if done[m.version] {
				continue
			}
			if _, err := q.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migrations: apply %s/%s: %w", dialect, m.name, err)
			}
			// The version is an int we parsed, so formatting it in avoids
			// the dialects' different placeholder syntax.
			record := `INSERT INTO schema_migrations (version) VALUES (` + strconv.Itoa(m.version) + `)`
			if _, err := q.ExecContext(ctx, record); err != nil {
				return fmt.Errorf("migrations: record version %d: %w", m.version, err)
			}
			version = m.version
			return nil
		}
		return nil
	})
	return version, err
}

// withLock runs fn in a transaction that excludes other migrators.
func withLock(ctx context.Context, db *sql.DB, dialect string, fn func(querier) error) error {
	if dialect == Postgres {
		return withPostgresLock(ctx, db, fn)
	}
	return withSQLiteLock(ctx, db, fn)
}

func withPostgresLock(ctx context.Context, db *sql.DB, fn func(querier) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_database()))`, lockClass); err != nil {
		return fmt.Errorf("migrations: take advisory lock: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrations: commit: %w", err)
	}
	return nil
}

// withSQLiteLock issues BEGIN IMMEDIATE itself on a dedicated connection:
// database/sql's BeginTx would start a deferred transaction whose later
// upgrade to a writer can fail with SQLITE_BUSY instead of waiting.
func withSQLiteLock(ctx context.Context, db *sql.DB, fn func(querier) error) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrations: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("migrations: begin: %w", err)
	}
	if err := fn(conn); err != nil {
		rollbackOrDiscard(conn)
		return err
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		rollbackOrDiscard(conn)
		return fmt.Errorf("migrations: commit: %w", err)
	}
	return nil
}

// rollbackOrDiscard ends the transaction; if even that fails the connection
// is thrown away so the pool never hands out one stuck mid-transaction.
func rollbackOrDiscard(conn *sql.Conn) {
	if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
