package main

import (
	"context"
	"testing"
	"time"

	"foyer/storage/sqlstore/sqltest"
)

// drain waits until the server's deferred self-service requests are done,
// so a test that asserts what was (or was not) sent does not pass before
// the worker had its chance.
func (s *testServer) drain(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.deferredIdle(ctx); err != nil {
		t.Fatalf("deferred requests: %v", err)
	}
}

// newRecorder keeps the statements each request ran, by the request id
// the server's middleware gives it (and answers in X-Request-Id).
func newRecorder() *sqltest.Recorder {
	return sqltest.NewRecorder(func(ctx context.Context) (string, bool) {
		info, ok := ctx.Value(requestInfoKey).(requestInfo)
		return info.id, ok
	})
}

// statementsOf is what the request that answered p ran.
func statementsOf(t *testing.T, rec *sqltest.Recorder, p *page) []string {
	t.Helper()
	return rec.Of(t, p.resp.Header.Get("X-Request-Id"))
}
