package sqlstore

import (
	"context"
	"sync"
)

// groupWriter is the natural batching ("group commit") of the token and
// code-use writers: callers queue work and wait for their answer; one
// goroutine takes what queued while its previous write was in flight and
// writes it as one statement, then looks again. A lone item is written at
// once, never held back by a timer; under load the queue fills while a
// write is in flight and the next write takes it.
type groupWriter[T any] struct {
	// pick splits the queue into the next batch and what stays queued.
	pick func(queue []T) (batch, left []T)
	// write writes a batch and answers every caller in it.
	write func(batch []T)

	mu      sync.Mutex
	queue   []T
	closed  bool
	wake    chan struct{} // capacity 1: "the queue is not empty"
	stopped chan struct{} // closed when the writer has returned
}

func newGroupWriter[T any](pick func([]T) ([]T, []T), write func([]T)) *groupWriter[T] {
	w := &groupWriter[T]{pick: pick, write: write, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go w.run()
	return w
}

// add queues items together (so they can share a batch); it fails only
// once the writer is closed.
func (w *groupWriter[T]) add(items ...T) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errBatcherClosed
	}
	w.queue = append(w.queue, items...)
	select { // under the lock, so close cannot close wake in between
	case w.wake <- struct{}{}:
	default: // the writer is already due to look
	}
	return nil
}

// close writes what is queued, stops the writer and waits for it.
func (w *groupWriter[T]) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.wake)
	}
	w.mu.Unlock()
	<-w.stopped
}

// run sleeps until woken, then writes batches until the queue is empty.
// It returns once closed and drained.
func (w *groupWriter[T]) run() {
	defer close(w.stopped)
	for range w.wake {
		w.drain()
	}
	w.drain()
}

// drain writes batches until the queue is empty, including after a batch
// whose callers all gave up (write answers them and writes nothing).
func (w *groupWriter[T]) drain() {
	for {
		w.mu.Lock()
		batch, left := w.pick(w.queue)
		w.queue = left
		w.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		w.write(batch)
	}
}

// queued is the number of items waiting, for tests.
func (w *groupWriter[T]) queued() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// caller is one queued item's caller: the context it waits in and how it
// gets its answer (without blocking the writer).
type caller interface {
	waiting() context.Context
	answer(err error)
}

// live answers at once the callers that have given up and returns the
// rest, so a batch writes nothing for a request that is gone.
func live[T caller](batch []T) []T {
	out := batch[:0:0]
	for _, c := range batch {
		if err := c.waiting().Err(); err != nil {
			c.answer(err)
			continue
		}
		out = append(out, c)
	}
	return out
}
