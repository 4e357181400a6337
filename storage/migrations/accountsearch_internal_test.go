package migrations

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
)

// Migration 23 fills account_search_attributes from the accounts that
// exist: one row per non-empty attribute value, trimmed, lower-cased and
// cut to 128 characters, in the account's store.
func TestAccountSearchMigrationBackfills(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dialect string
		open    func(t *testing.T) *sql.DB
	}{
		{SQLite, freshSQLite},
		{Postgres, func(t *testing.T) *sql.DB { return openDB(t, "pgx", freshPostgres(t)) }},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := c.open(t)
			ms, err := load(c.dialect)
			if err != nil {
				t.Fatal(err)
			}
			var before []migration
			for _, m := range ms {
				if m.version < 23 {
					before = append(before, m)
				}
			}
			for {
				v, err := applyNext(ctx, db, c.dialect, before)
				if err != nil {
					t.Fatal(err)
				}
				if v == 0 {
					break
				}
			}
			long := "Y" + strings.Repeat("x", 140)
			for _, stmt := range []string{
				`INSERT INTO identity_stores (id, name, created_at, updated_at) VALUES ('s1', 'S1', '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
				`INSERT INTO accounts (id, store_id, status, attributes, created_at, updated_at)
				 VALUES ('a1', 's1', 'enabled', '{"city":"  Berlin ","empty":"  ","note":"` + long + `"}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
				`INSERT INTO accounts (id, store_id, status, attributes, created_at, updated_at)
				 VALUES ('a2', 's1', 'enabled', '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
			} {
				if _, err := db.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if _, err := Apply(ctx, db, c.dialect); err != nil {
				t.Fatal(err)
			}
			got := queryStrings(t, db, `SELECT store_id || ':' || account_id || ':' || name || '=' || value FROM account_search_attributes`)
			slices.Sort(got)
			want := []string{"s1:a1:city=berlin", "s1:a1:note=y" + strings.Repeat("x", 127)}
			if !slices.Equal(got, want) {
				t.Errorf("account_search_attributes = %q, want %q", got, want)
			}
		})
	}
}
