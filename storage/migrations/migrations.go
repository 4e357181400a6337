package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Dialects understood by Apply and Pending.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

var (
	// ErrUnknownDialect is returned for a dialect other than SQLite or
	// Postgres.
	ErrUnknownDialect = errors.New("migrations: unknown dialect")
	// ErrDatabaseTooNew means the database records a schema version this
	// binary does not know: it was migrated by a newer Foyer.
	ErrDatabaseTooNew = errors.New("migrations: database schema is newer than this binary")
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// migration is one embedded file.
type migration struct {
	version int
	name    string
	sql     string
}

// load reads the dialect's migrations in version order.
func load(dialect string) ([]migration, error) {
	if dialect != SQLite && dialect != Postgres {
		return nil, fmt.Errorf("%w %q (want %q or %q)", ErrUnknownDialect, dialect, SQLite, Postgres)
	}
	entries, err := fs.ReadDir(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations: read %s: %w", dialect, err)
	}
	var ms []migration
	for _, e := range entries {
		m, err := parse(dialect, e.Name())
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 && ms[len(ms)-1].version == m.version {
			return nil, fmt.Errorf("migrations: %s: version %d appears twice", dialect, m.version)
		}
		ms = append(ms, m)
	}
	// ReadDir sorts by name and names start with the zero-padded version,
	// but sort by number anyway so a missing pad cannot reorder history.
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// parse reads NNNN_name.sql.
func parse(dialect, name string) (migration, error) {
	prefix, _, ok := strings.Cut(name, "_")
	if !ok || !strings.HasSuffix(name, ".sql") {
		return migration{}, fmt.Errorf("migrations: %s/%s: want NNNN_name.sql", dialect, name)
	}
	v, err := strconv.Atoi(prefix)
	if err != nil || v <= 0 {
		return migration{}, fmt.Errorf("migrations: %s/%s: bad version %q", dialect, name, prefix)
	}
	body, err := files.ReadFile(path.Join(dialect, name))
	if err != nil {
		return migration{}, fmt.Errorf("migrations: read %s/%s: %w", dialect, name, err)
	}
	return migration{version: v, name: name, sql: string(body)}, nil
}

// Versions lists the migration versions this binary knows for the dialect,
// ascending.
func Versions(dialect string) ([]int, error) {
	ms, err := load(dialect)
	if err != nil {
		return nil, err
	}
	vs := make([]int, len(ms))
	for i, m := range ms {
		vs[i] = m.version
	}
	return vs, nil
}

// Latest is the newest version this binary knows for the dialect.
func Latest(dialect string) (int, error) {
	vs, err := Versions(dialect)
	if err != nil {
		return 0, err
	}
	if len(vs) == 0 {
		return 0, nil
	}
	return vs[len(vs)-1], nil
}

// Pending lists the versions Apply would run, ascending, without changing
// anything. It fails with ErrDatabaseTooNew like Apply does.
func Pending(ctx context.Context, db *sql.DB, dialect string) ([]int, error) {
	ms, err := load(dialect)
	if err != nil {
		return nil, err
	}
	done, err := readApplied(ctx, db, dialect)
	if err != nil {
		return nil, err
	}
	if err := checkNotNewer(done, ms); err != nil {
		return nil, err
	}
	var pending []int
	for _, m := range ms {
		if !done[m.version] {
			pending = append(pending, m.version)
		}
	}
	return pending, nil
}

// Current is the highest version recorded in the database, 0 for a fresh
// one.
func Current(ctx context.Context, db *sql.DB, dialect string) (int, error) {
	if _, err := load(dialect); err != nil {
		return 0, err
	}
	done, err := readApplied(ctx, db, dialect)
	if err != nil {
		return 0, err
	}
	return maxVersion(done), nil
}

// readApplied reads schema_migrations outside any lock; a fresh database
// (no table yet) has applied nothing.
func readApplied(ctx context.Context, db *sql.DB, dialect string) (map[int]bool, error) {
	exists, err := tableExists(ctx, db, dialect)
	if err != nil {
		return nil, err
	}
	if !exists {
		return map[int]bool{}, nil
	}
	return appliedVersions(ctx, db)
}

func tableExists(ctx context.Context, q querier, dialect string) (bool, error) {
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if dialect == Postgres {
		query = `SELECT COUNT(*) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	var n int
	if err := q.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("migrations: look for schema_migrations: %w", err)
	}
	return n > 0, nil
}

func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
		}
		done[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
	}
	return done, nil
}

func maxVersion(done map[int]bool) int {
	latest := 0
	for v := range done {
		latest = max(latest, v)
	}
	return latest
}

// checkNotNewer refuses a database migrated by a newer binary: running old
// code against a newer schema risks writing rows the new code misreads.
func checkNotNewer(done map[int]bool, ms []migration) error {
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	if got := maxVersion(done); got > known {
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade Foyer",
			ErrDatabaseTooNew, got, known)
	}
	return nil
}
