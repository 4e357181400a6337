package queue

import (
	"context"
	"sync"
	"time"
)

// Retry says when a failed row runs again.
type Retry struct {
	MaxAttempts int           // runs per row; the last failure gives up
	Backoff     time.Duration // wait after the first failure, doubled after each
	MaxBackoff  time.Duration // cap on the wait
}

// After returns the wait after a row's failures (1 for the first), or
// giveUp when that failure was its last allowed attempt.
func (r Retry) After(failures int) (wait time.Duration, giveUp bool) {
	if failures >= r.MaxAttempts {
		return 0, true
	}
	d := r.Backoff
	for i := 1; i < failures && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.MaxBackoff), false
}

// Loop runs batches until its context ends.
type Loop struct {
	// Poll is how often the loop looks for due rows.
	Poll time.Duration
	// Batch is the most rows one RunOnce claims: a full batch is followed
	// at once by the next, so a backlog drains without waiting.
	Batch int
	// RunOnce claims one batch, runs it and returns how many it claimed.
	RunOnce func(ctx context.Context) (int, error)
	// OnError reports a failed RunOnce (the loop carries on at the next
	// poll); it is not called once the context has ended.
	OnError func(ctx context.Context, err error)
	// Drained, if set, runs after each drain (housekeeping).
	Drained func(ctx context.Context)
	// Wake, if set, starts a drain before the next poll (a row queued on
	// this node).
	Wake <-chan struct{}
}

// Run drains, then waits for the poll, a wake-up or the end of ctx.
func (l Loop) Run(ctx context.Context) {
	t := time.NewTicker(l.Poll)
	defer t.Stop()
	for {
		l.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.Wake: // nil when unset: never ready
		}
	}
}

func (l Loop) drain(ctx context.Context) {
	for {
		n, err := l.RunOnce(ctx)
		if err != nil && ctx.Err() == nil && l.OnError != nil {
			l.OnError(ctx, err)
		}
		if err != nil || n < l.Batch {
			break
		}
	}
	if l.Drained != nil {
		l.Drained(ctx)
	}
}

// Each runs fn on every claimed row: all at once when parallel (rows are
// independent deliveries), else in order.
func Each[T any](ctx context.Context, rows []T, parallel bool, fn func(ctx context.Context, row *T)) {
	if !parallel {
		for i := range rows {
			fn(ctx, &rows[i])
		}
		return
	}
	var wg sync.WaitGroup
	for i := range rows {
		wg.Go(func() { fn(ctx, &rows[i]) })
	}
	wg.Wait()
}

// Waker is a one-slot wake-up signal: any number of Wake calls between two
// reads of C start one drain.
type Waker struct{ c chan struct{} }

// NewWaker returns a Waker.
func NewWaker() *Waker { return &Waker{c: make(chan struct{}, 1)} }

// Wake asks the loop to run now.
func (w *Waker) Wake() {
	select {
	case w.c <- struct{}{}:
	default: // already woken
	}
}

// C is the channel a Loop waits on.
func (w *Waker) C() <-chan struct{} { return w.c }
