package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"foyer/storage/migrations"
)

// Explained is one statement a store method ran, and PostgreSQL's plan of
// it: a read's as EXPLAIN (ANALYZE, BUFFERS) reports it (the read runs
// again), a write's (Exec: DELETE, UPDATE, INSERT) as plain EXPLAIN
// reports it, so explaining does not write twice.
type Explained struct {
	SQL   string
	Args  []any
	Write bool
	Plan  string
}

// ErrExplainPostgresOnly: plans are PostgreSQL's.
var ErrExplainPostgresOnly = errors.New("sqlstore: EXPLAIN plans are read on PostgreSQL only")

// Explain runs fn with a context in which the store's methods record the
// statements they run (they run as usual), then explains each with its
// arguments: make bench -explain shows the plans of the account search
// this way, and the token index test those of the token queries, without
// copying their SQL.
func (s *Store) Explain(ctx context.Context, fn func(ctx context.Context) error) ([]Explained, error) {
	if s.dialect != migrations.Postgres {
		return nil, ErrExplainPostgresOnly
	}
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: s.sqlDB}), &gorm.Config{Logger: logger.Discard,
		SkipDefaultTransaction: true, NowFunc: now, DisableAutomaticPing: true})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: explain: %w", err)
	}
	var mu sync.Mutex
	var reads []Explained
	record := func(write bool) func(db *gorm.DB) {
		return func(db *gorm.DB) {
			sql := db.Statement.SQL.String()
			if write && !explainable(sql) {
				return // SAVEPOINT, DDL: no plan to show
			}
			mu.Lock()
			defer mu.Unlock()
			reads = append(reads, Explained{SQL: sql, Args: slices.Clone(db.Statement.Vars), Write: write})
		}
	}
	cb := gdb.Callback()
	if err := errors.Join(cb.Query().After("gorm:query").Register("foyer:explain", record(false)),
		cb.Row().After("gorm:row").Register("foyer:explain", record(false)),
		cb.Raw().After("gorm:raw").Register("foyer:explain", record(true))); err != nil {
		return nil, fmt.Errorf("sqlstore: explain: %w", err)
	}
	// The recording handle stands in for a transaction: every method
	// takes its handle from the context (db).
	if err := fn(context.WithValue(ctx, txKey{s}, gdb)); err != nil {
		return nil, err
	}
	for i := range reads {
		if reads[i].Plan, err = s.explainOne(ctx, reads[i]); err != nil {
			return nil, err
		}
	}
	return reads, nil
}

// explainable: the statements that Exec runs and EXPLAIN can plan.
func explainable(sql string) bool {
	verb, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	switch strings.ToUpper(verb) {
	case "DELETE", "UPDATE", "INSERT", "WITH":
		return true
	}
	return false
}

func (s *Store) explainOne(ctx context.Context, e Explained) (string, error) {
	explain := "EXPLAIN (ANALYZE, BUFFERS) "
	if e.Write {
		explain = "EXPLAIN "
	}
	rows, err := s.sqlDB.QueryContext(ctx, explain+e.SQL, e.Args...)
	if err != nil {
		return "", wrapErr(err, "explain")
	}
	defer rows.Close()
	var sb strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", wrapErr(err, "explain")
		}
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	return sb.String(), wrapErr(rows.Err(), "explain")
}
