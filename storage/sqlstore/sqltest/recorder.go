package sqltest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"foyer/storage/sqlstore"
)

// Recorder keeps the SQL statements each request ran, by request id, for
// tests that check two requests do the same work (no account enumeration
// through the statements or their timing). Statements whose context names
// no request (a worker's, the test's own) are not kept.
type Recorder struct {
	requestID func(context.Context) (string, bool)
	mu        sync.Mutex
	byID      map[string][]string
}

// NewRecorder returns a recorder that files each statement under the
// request id requestID finds in the statement's context.
func NewRecorder(requestID func(context.Context) (string, bool)) *Recorder {
	return &Recorder{requestID: requestID, byID: map[string][]string{}}
}

// Hook is the sqlstore.WithStatementHook function.
func (r *Recorder) Hook(ctx context.Context, sql string) {
	id, ok := r.requestID(ctx)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[id] = append(r.byID[id], sql)
}

// Of returns the statements request id ran, failing the test when it ran
// none (or id is empty: the response did not say which request it was).
func (r *Recorder) Of(t testing.TB, id string) []string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == "" || len(r.byID[id]) == 0 {
		t.Fatalf("sqltest: no statements recorded for request %q", id)
	}
	return slices.Clone(r.byID[id])
}

// OpenRecorded opens and migrates a store over databaseURL (from SQLiteURL
// or PostgresURL) whose statements go to r, closed when the test ends.
func OpenRecorded(t testing.TB, databaseURL string, r *Recorder) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlstore.Open(ctx, databaseURL, sqlstore.WithMaxOpenConns(8), sqlstore.WithStatementHook(r.Hook))
	if err != nil {
		t.Fatalf("sqltest: open %s: %v", redact(databaseURL), err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("sqltest: migrate %s: %v", redact(databaseURL), err)
	}
	return s
}

// URL returns the URL of a fresh database of dialect ("sqlite" or
// "postgres"), for OpenRecorded.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return SQLiteURL(t)
	case "postgres":
		return PostgresURL(t)
	}
	t.Fatalf("sqltest: unknown dialect %q", dialect)
	return ""
}
