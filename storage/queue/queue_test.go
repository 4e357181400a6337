package queue_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"foyer/storage/queue"
)

func TestRetryAfter(t *testing.T) {
	r := queue.Retry{MaxAttempts: 8, Backoff: 30 * time.Second, MaxBackoff: time.Hour}
	for _, tt := range []struct {
		failures int
		wait     time.Duration
		giveUp   bool
	}{
		{1, 30 * time.Second, false},
		{2, time.Minute, false},
		{3, 2 * time.Minute, false},
		{7, 32 * time.Minute, false},
		{8, 0, true},
		{9, 0, true},
	} {
		wait, giveUp := r.After(tt.failures)
		if wait != tt.wait || giveUp != tt.giveUp {
			t.Errorf("After(%d) = %v, %v; want %v, %v", tt.failures, wait, giveUp, tt.wait, tt.giveUp)
		}
	}
	capped := queue.Retry{MaxAttempts: 100, Backoff: 5 * time.Second, MaxBackoff: time.Hour}
	if wait, _ := capped.After(50); wait != time.Hour {
		t.Errorf("After(50) = %v, want the cap", wait)
	}
}

// loop is a Loop whose RunOnce reports each call and answers from a
// script, with a poll too long to fire during a test.
type loop struct {
	calls   chan int
	mu      sync.Mutex
	answers []int
	errs    []error
	seen    int
}

func newLoop(answers ...int) *loop { return &loop{calls: make(chan int, 100), answers: answers} }

func (l *loop) runOnce(context.Context) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen++
	n, err := 0, error(nil)
	if len(l.answers) > 0 {
		n, l.answers = l.answers[0], l.answers[1:]
	}
	if len(l.errs) > 0 {
		err, l.errs = l.errs[0], l.errs[1:]
	}
	l.calls <- n
	return n, err
}

func (l *loop) next(t *testing.T) int {
	t.Helper()
	select {
	case n := <-l.calls:
		return n
	case <-t.Context().Done():
		t.Fatal("RunOnce not called")
		return 0
	}
}

func start(t *testing.T, q queue.Loop) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	return func() {
		cancel()
		<-done // Run returns once ctx ends
	}
}

// TestLoopDrainsThenWaits: full batches are followed at once by the next;
// a short one ends the drain; Drained runs after it; the loop then waits
// for a wake-up, which starts the next drain; it stops with its context.
func TestLoopDrainsThenWaits(t *testing.T) {
	l := newLoop(2, 2, 1, 0)
	waker := queue.NewWaker()
	drained := make(chan struct{}, 10)
	stop := start(t, queue.Loop{Poll: time.Hour, Batch: 2, RunOnce: l.runOnce, Wake: waker.C(),
		Drained: func(context.Context) { drained <- struct{}{} }})
	got := []int{l.next(t), l.next(t), l.next(t)}
	if !slices.Equal(got, []int{2, 2, 1}) {
		t.Fatalf("drain ran %v", got)
	}
	<-drained
	waker.Wake()
	waker.Wake() // one slot: a second wake-up before the read adds nothing
	if n := l.next(t); n != 0 {
		t.Fatalf("after the wake-up RunOnce answered %d", n)
	}
	<-drained
	stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen > 5 {
		t.Fatalf("RunOnce ran %d times for two drains and at most one extra wake-up", l.seen)
	}
}

// TestLoopErrorEndsDrain: an error is reported and ends the drain, even
// after a full batch; the loop carries on at the next wake-up.
func TestLoopErrorEndsDrain(t *testing.T) {
	l := newLoop(2, 2)
	boom := errors.New("claim failed")
	l.errs = []error{boom}
	reported := make(chan error, 10)
	waker := queue.NewWaker()
	stop := start(t, queue.Loop{Poll: time.Hour, Batch: 2, RunOnce: l.runOnce, Wake: waker.C(),
		OnError: func(_ context.Context, err error) { reported <- err }})
	defer stop()
	l.next(t)
	if err := <-reported; !errors.Is(err, boom) {
		t.Fatalf("reported %v", err)
	}
	waker.Wake()
	if n := l.next(t); n != 2 {
		t.Fatalf("second drain answered %d", n)
	}
}

// TestLoopPolls: without a wake-up the loop runs again on its ticker.
func TestLoopPolls(t *testing.T) {
	l := newLoop()
	stop := start(t, queue.Loop{Poll: time.Millisecond, Batch: 1, RunOnce: l.runOnce})
	defer stop()
	for range 3 {
		l.next(t)
	}
}

// TestLoopStopsAtOnce: a cancelled context stops Run without a poll.
func TestLoopStopsAtOnce(t *testing.T) {
	l := newLoop()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	queue.Loop{Poll: time.Hour, Batch: 1, RunOnce: l.runOnce}.Run(ctx) // returns, or the test times out
}

func TestEach(t *testing.T) {
	rows := []int{1, 2, 3, 4, 5}
	var order []int
	queue.Each(t.Context(), rows, false, func(_ context.Context, r *int) { order = append(order, *r) })
	if !slices.Equal(order, rows) {
		t.Fatalf("in order ran %v", order)
	}
	// In parallel every row runs, and all are running at once: each waits
	// until all have started.
	var started sync.WaitGroup
	started.Add(len(rows))
	var mu sync.Mutex
	var seen []int
	queue.Each(t.Context(), rows, true, func(_ context.Context, r *int) {
		started.Done()
		started.Wait()
		mu.Lock()
		seen = append(seen, *r)
		mu.Unlock()
	})
	slices.Sort(seen)
	if !slices.Equal(seen, rows) {
		t.Fatalf("in parallel ran %v", seen)
	}
}
