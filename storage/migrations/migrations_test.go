package migrations

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	_ "github.com/glebarez/go-sqlite"  // registers "sqlite"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// This package may not import storage/sqlstore/sqltest (it sits below it),
// so the fresh databases are made here with plain database/sql.

func freshSQLite(t *testing.T) *sql.DB {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "foyer.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
	return openDB(t, "sqlite", dsn)
}

func openDB(t *testing.T, driverName, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", driverName, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// freshPostgres creates a database with a random name and returns its URL;
// the database is dropped when the test ends.
func freshPostgres(t *testing.T) string {
	t.Helper()
	if os.Getenv("FOYER_TEST_POSTGRES") == "off" {
		t.Skip("FOYER_TEST_POSTGRES=off")
	}
	base := os.Getenv("FOYER_TEST_POSTGRES_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin := openDB(t, "pgx", base)
	ctx := context.Background()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v (start it, point FOYER_TEST_POSTGRES_URL at one, or set FOYER_TEST_POSTGRES=off to skip)", base, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "foyer_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestDialectsKnowSameVersions(t *testing.T) {
	lite, err := Versions(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := Versions(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("sqlite versions %v, postgres versions %v: want the same, non-empty", lite, pg)
	}
}

func TestUnknownDialect(t *testing.T) {
	_, err := Apply(context.Background(), nil, "mysql")
	if !errors.Is(err, ErrUnknownDialect) {
		t.Fatalf("Apply(mysql) = %v, want ErrUnknownDialect", err)
	}
}

func TestBothDialectsReachSameSchema(t *testing.T) {
	ctx := context.Background()
	lite := freshSQLite(t)
	pg := openDB(t, "pgx", freshPostgres(t))
	want, _ := Versions(SQLite)

	for _, c := range []struct {
		dialect string
		db      *sql.DB
	}{{SQLite, lite}, {Postgres, pg}} {
		pending, err := Pending(ctx, c.db, c.dialect)
		if err != nil || !slices.Equal(pending, want) {
			t.Fatalf("%s: Pending on a fresh database = %v, %v; want %v", c.dialect, pending, err, want)
		}
		applied, err := Apply(ctx, c.db, c.dialect)
		if err != nil || !slices.Equal(applied, want) {
			t.Fatalf("%s: Apply = %v, %v; want %v", c.dialect, applied, err, want)
		}
		again, err := Apply(ctx, c.db, c.dialect)
		if err != nil || len(again) != 0 {
			t.Fatalf("%s: second Apply = %v, %v; want nothing", c.dialect, again, err)
		}
		cur, err := Current(ctx, c.db, c.dialect)
		if err != nil || cur != want[len(want)-1] {
			t.Fatalf("%s: Current = %d, %v; want %d", c.dialect, cur, err, want[len(want)-1])
		}
	}

	liteCols, pgCols := sqliteColumns(t, lite), postgresColumns(t, pg)
	if len(liteCols) == 0 || !slices.Equal(liteCols, pgCols) {
		t.Errorf("columns differ:\nsqlite:   %v\npostgres: %v", liteCols, pgCols)
	}
	liteIdx, pgIdx := sqliteIndexes(t, lite), postgresIndexes(t, pg)
	if !slices.Equal(liteIdx, pgIdx) {
		t.Errorf("indexes differ:\nsqlite:   %v\npostgres: %v", liteIdx, pgIdx)
	}
	for _, table := range []string{"identity_stores", "accounts", "password_credentials", "applications",
		"clients", "client_assertion_jtis", "sessions", "interactions", "oauth2_tokens", "signing_keys",
		"events", "settings", "attempt_counters", "schema_migrations"} {
		if !slices.ContainsFunc(liteCols, func(c string) bool { return len(c) > len(table) && c[:len(table)+1] == table+"." }) {
			t.Errorf("table %s missing", table)
		}
	}
}

func sqliteColumns(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return queryStrings(t, db, `SELECT m.name || '.' || p.name || CASE WHEN p."notnull" = 1 THEN ' not null' ELSE '' END
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
}

func postgresColumns(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return queryStrings(t, db, `SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
		FROM information_schema.columns WHERE table_schema = current_schema()`)
}

// Only the indexes the migrations name (all end in _idx) are compared: the
// ones behind PRIMARY KEY and UNIQUE are named differently by each engine.
func sqliteIndexes(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return queryStrings(t, db, `SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND name LIKE '%\_idx' ESCAPE '\'`)
}

func postgresIndexes(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return queryStrings(t, db, `SELECT tablename || '.' || indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE '%\_idx' ESCAPE '\'`)
}

// queryStrings runs a one-column query and returns the values sorted.
func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	db := freshSQLite(t)
	if _, err := Apply(ctx, db, SQLite); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version) VALUES (999999)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, db, SQLite); !errors.Is(err, ErrDatabaseTooNew) {
		t.Errorf("Apply on a newer database = %v, want ErrDatabaseTooNew", err)
	}
	if _, err := Pending(ctx, db, SQLite); !errors.Is(err, ErrDatabaseTooNew) {
		t.Errorf("Pending on a newer database = %v, want ErrDatabaseTooNew", err)
	}
}

// Two processes starting at once must apply each migration exactly once.
func TestConcurrentApply(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		dialect, driver, dsn string
	}{
		{SQLite, "sqlite", filepath.Join(dir, "c.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"},
		{Postgres, "pgx", ""},
	}
	for _, c := range cases {
		t.Run(c.dialect, func(t *testing.T) {
			if c.dialect == Postgres {
				c.dsn = freshPostgres(t)
			}
			const n = 4
			results := make([][]int, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				db := openDB(t, c.driver, c.dsn) // a pool each, like separate processes
				wg.Go(func() { results[i], errs[i] = Apply(context.Background(), db, c.dialect) })
			}
			wg.Wait()
			var all []int
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("Apply %d: %v", i, errs[i])
				}
				all = append(all, results[i]...)
			}
			slices.Sort(all)
			want, _ := Versions(c.dialect)
			if !slices.Equal(all, want) {
				t.Fatalf("versions applied across %d runners = %v, want each of %v once", n, all, want)
			}
		})
	}
}
