package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the admin connection

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// DefaultPostgresURL is used when FOYER_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SQLite returns a migrated store over a fresh file in t.TempDir(), closed
// when the test ends.
func SQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	return open(t, SQLiteURL(t))
}

// SQLiteURL returns the URL of a fresh (unmigrated) SQLite file in
// t.TempDir(), for tests that start foyer processes themselves.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
}

// Postgres returns a migrated store over a new PostgreSQL database,
// closed and dropped when the test ends.
func Postgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL creates an empty PostgreSQL database with a random name and
// returns its URL; it is dropped (connections forced out) when the test
// ends. Migrating it is up to the caller, as foyer serve does.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if os.Getenv("FOYER_TEST_POSTGRES") == "off" {
		t.Skip("PostgreSQL tests skipped: FOYER_TEST_POSTGRES=off")
	}
	base := os.Getenv("FOYER_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("sqltest: FOYER_TEST_POSTGRES_URL %q: %v", base, err)
	}
	admin := adminDB(t, base)
	name := "foyer_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The name is ours (hex), so formatting it into the DDL is safe.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("sqltest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("sqltest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// adminDB connects to the base database, failing with instructions when
// the server is not there.
func adminDB(t testing.TB, base string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		t.Fatalf("sqltest: PostgreSQL is unreachable at %s: %v\n"+
			"Start one (for example: docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15),\n"+
			"point FOYER_TEST_POSTGRES_URL at yours, or set FOYER_TEST_POSTGRES=off to skip the PostgreSQL tests.",
			redact(base), err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// open opens and migrates a store, closing it when the test ends.
func open(t testing.TB, databaseURL string) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlstore.Open(ctx, databaseURL, sqlstore.WithMaxOpenConns(8))
	if err != nil {
		t.Fatalf("sqltest: open %s: %v", redact(databaseURL), err)
	}
	// Registered after PostgresURL's drop; cleanups run last-in first-out,
	// so the pool is closed before the database goes.
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("sqltest: migrate %s: %v", redact(databaseURL), err)
	}
	return s
}

// Both runs fn as the subtests "sqlite" and "postgres", each given a
// constructor for fresh stores of that dialect.
func Both(t *testing.T, fn func(t *testing.T, newStore func(t *testing.T) storage.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(t *testing.T) storage.Store { return SQLite(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, func(t *testing.T) storage.Store { return Postgres(t) })
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides the password of a URL in failure messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// Nodes runs fn as the parallel subtests "sqlite" and "postgres", each over
// one fresh database, with open, which opens (and migrates) another store
// over that database: several nodes, or one node started again, sharing
// it. Each store is closed when the test ends.
func Nodes(t *testing.T, fn func(t *testing.T, open func(opts ...sqlstore.Option) *sqlstore.Store)) {
	t.Helper()
	for name, newURL := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			databaseURL := newURL(t)
			fn(t, func(opts ...sqlstore.Option) *sqlstore.Store {
				s, err := sqlstore.Open(context.Background(), databaseURL, opts...)
				if err != nil {
					t.Fatalf("sqltest: open %s: %v", redact(databaseURL), err)
				}
				t.Cleanup(func() { _ = s.Close() })
				if _, err := s.Migrate(context.Background()); err != nil {
					t.Fatalf("sqltest: migrate %s: %v", redact(databaseURL), err)
				}
				return s
			})
		})
	}
}
