package storage

import (
	"context"
	"sync"
)

// A storage failure — the database unreachable, a statement timing out —
// is not an answer about the data: a request that met one must not be
// answered as if a client, token or account were unknown ("invalid_client"
// for a valid client makes relying parties throw away good credentials,
// and 5xx alerting sees nothing). The front doors watch for failures per
// request: WatchFailures marks a request's context, the store notes each
// failure it meets (not-found and conflict answers are not failures), and
// an error path asks Failure before it refuses anything.

type failureKey struct{}

type failureWatch struct {
	mu  sync.Mutex
	err error
}

// WatchFailures returns ctx watching for storage failures (a no-op when
// ctx watches already, so the outermost watch sees everything).
func WatchFailures(ctx context.Context) context.Context {
	if _, ok := ctx.Value(failureKey{}).(*failureWatch); ok {
		return ctx
	}
	return context.WithValue(ctx, failureKey{}, &failureWatch{})
}

// NoteFailure records err as a storage failure of ctx's request (the
// first one is kept); without a watch it does nothing.
func NoteFailure(ctx context.Context, err error) {
	if ctx == nil || err == nil {
		return
	}
	w, ok := ctx.Value(failureKey{}).(*failureWatch)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// Failure is the first storage failure ctx's request met, or nil.
func Failure(ctx context.Context) error {
	w, ok := ctx.Value(failureKey{}).(*failureWatch)
	if !ok {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
