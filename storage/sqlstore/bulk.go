package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"foyer/storage/migrations"
)

// BulkRows are rows for one table, for BulkInsert. Values are what the
// driver takes for the column (string, bool, int64, time.Time in UTC at
// microsecond precision, *time.Time, []byte, nil).
type BulkRows struct {
	Table   string
	Columns []string
	Rows    [][]any
}

// sqliteMaxVariables is SQLite's bound on the parameters of one statement
// (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
const sqliteMaxVariables = 32766

// BulkInsert writes every set in one transaction of its own, in the order
// given (parents before the rows that reference them): COPY on PostgreSQL,
// multi-row INSERTs on SQLite. It is for loading test and development data
// (foyer dev seed) fast: it bypasses every method's checks and derived
// rows, so the caller writes whatever those would have written. A unique
// or foreign-key violation aborts the whole transaction and maps to the
// storage sentinels as elsewhere.
func (s *Store) BulkInsert(ctx context.Context, sets ...BulkRows) error {
	for _, set := range sets {
		for i, r := range set.Rows {
			if len(r) != len(set.Columns) {
				return fmt.Errorf("sqlstore: bulk insert into %s: row %d has %d values for %d columns",
					set.Table, i, len(r), len(set.Columns))
			}
		}
	}
	if s.dialect == migrations.Postgres {
		return s.copyRows(ctx, sets)
	}
	return s.insertRows(ctx, sets)
}

// copyRows runs COPY FROM STDIN per set on one pgx connection, inside one
// transaction: several times faster than INSERT for large sets.
func (s *Store) copyRows(ctx context.Context, sets []BulkRows) error {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return wrapErr(err, "bulk insert: connection")
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error {
		sc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqlstore: bulk insert: driver connection is %T, not pgx", driverConn)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			for _, set := range sets {
				if len(set.Rows) == 0 {
					continue
				}
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{set.Table}, set.Columns, pgx.CopyFromRows(set.Rows)); err != nil {
					return wrapErr(err, "bulk insert into %s", set.Table)
				}
			}
			return nil
		})
	})
	if err != nil && !strings.HasPrefix(err.Error(), "sqlstore:") {
		return wrapErr(err, "bulk insert")
	}
	return err
}

// insertRows writes each set with as few multi-row INSERTs as SQLite's
// parameter limit allows, in one transaction.
func (s *Store) insertRows(ctx context.Context, sets []BulkRows) (err error) {
	tx, err := s.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return wrapErr(err, "bulk insert: begin")
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, set := range sets {
		if err := insertSet(ctx, tx, set); err != nil {
			return err
		}
	}
	return wrapErr(tx.Commit(), "bulk insert: commit")
}

func insertSet(ctx context.Context, tx *sql.Tx, set BulkRows) error {
	if len(set.Columns) == 0 {
		return errors.New("sqlstore: bulk insert: no columns")
	}
	per := max(1, sqliteMaxVariables/len(set.Columns))
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(set.Columns)), ",") + ")"
	head := "INSERT INTO " + set.Table + " (" + strings.Join(set.Columns, ", ") + ") VALUES "
	for start := 0; start < len(set.Rows); start += per {
		chunk := set.Rows[start:min(start+per, len(set.Rows))]
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, len(chunk)*len(set.Columns))
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(row)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return wrapErr(err, "bulk insert into %s", set.Table)
		}
	}
	return nil
}

// HasTable reports whether the schema has the table: a tool that writes
// rows of a later migration's tables (foyer dev seed) checks first.
func (s *Store) HasTable(ctx context.Context, table string) bool {
	return s.gdb.WithContext(ctx).Migrator().HasTable(table)
}

// Analyze refreshes the planner's statistics of the tables that exist
// (PostgreSQL) or of the whole database (SQLite), as a bulk load should be
// followed by: until autovacuum comes round, the planner would guess. On
// PostgreSQL it vacuums them too, which sets the visibility map: without
// it an index-only scan still reads every row it finds from the table.
func (s *Store) Analyze(ctx context.Context, tables ...string) error {
	if s.dialect != migrations.Postgres {
		return wrapErr(s.gdb.WithContext(ctx).Exec("ANALYZE").Error, "analyze")
	}
	for _, t := range tables {
		if !s.HasTable(ctx, t) {
			continue
		}
		if err := s.gdb.WithContext(ctx).Exec("VACUUM (ANALYZE) " + pgx.Identifier{t}.Sanitize()).Error; err != nil {
			return wrapErr(err, "analyze %s", t)
		}
	}
	return nil
}

// Checkpoint writes every dirty page out and returns when that is done
// (PostgreSQL's CHECKPOINT; SQLite's WAL folded into the database file), so
// a measurement after a bulk load sees the steady state, not the load's
// write-back. PostgreSQL wants a superuser or the pg_checkpoint role.
func (s *Store) Checkpoint(ctx context.Context) error {
	stmt := "CHECKPOINT"
	if s.dialect != migrations.Postgres {
		stmt = "PRAGMA wal_checkpoint(TRUNCATE)"
	}
	return wrapErr(s.gdb.WithContext(ctx).Exec(stmt).Error, "checkpoint")
}
