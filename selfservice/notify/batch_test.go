package notify_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// recorder is a provider that records the ids it was handed; with hold
// set, each Send reports on started and then waits for its context to
// end, as a send cut by the node's death does.
type recorder struct {
	mu      sync.Mutex
	ids     []string
	hold    bool
	started chan struct{}
}

func (p *recorder) Send(ctx context.Context, m notify.Message) error {
	p.mu.Lock()
	p.ids = append(p.ids, m.ID)
	p.mu.Unlock()
	if p.hold {
		p.started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (p *recorder) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids)
}

func enqueue(t *testing.T, store storage.Notifications, at time.Time, n int) {
	t.Helper()
	for range n {
		if err := store.EnqueueNotification(t.Context(), &storage.Notification{Channel: notify.ChannelEmail, To: "jane@example.com",
			Kind: "activation", NextAttemptAt: at}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWorkerClaimsAtMostABatch: with a backlog, one run of the worker
// claims and sends DefaultBatch messages (4), never more, and a
// configured Batch is kept to as well; the backlog drains batch by batch.
func TestWorkerClaimsAtMostABatch(t *testing.T) {
	t.Parallel()
	if notify.DefaultBatch != 4 {
		t.Fatalf("DefaultBatch = %d; the README's Notifications section says 4", notify.DefaultBatch)
	}
	sqltest.Nodes(t, func(t *testing.T, open func(opts ...sqlstore.Option) *sqlstore.Store) {
		store := open()
		c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
		enqueue(t, store, c.t, 2*notify.DefaultBatch+1)
		p := &recorder{}
		w := notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: p})
		for i, want := range []int{notify.DefaultBatch, notify.DefaultBatch, 1, 0} {
			if n, err := w.RunOnce(t.Context()); err != nil || n != want {
				t.Fatalf("run %d claimed %d, %v; want %d", i+1, n, err, want)
			}
		}
		if got := p.sent(); len(got) != 2*notify.DefaultBatch+1 {
			t.Fatalf("sent %d messages, want %d", len(got), 2*notify.DefaultBatch+1)
		}

		enqueue(t, store, c.t, 3)
		small := notify.NewWorker(notify.WorkerConfig{Now: c.now, Batch: 2}, store, notify.Providers{Email: p})
		if n, err := small.RunOnce(t.Context()); err != nil || n != 2 {
			t.Fatalf("a worker with Batch 2 claimed %d, %v", n, err)
		}
	})
}

// TestKilledNodeResendsItsBatchAtOnce: a node killed mid-send holds the
// leases of one batch and no more; started again under its node name it
// releases them (storage.Janitor.ReleaseNodeLeases, as serve does at
// start) and sends those same messages at once, long before their lease
// would have run out, while the rest of the backlog was never claimed.
func TestKilledNodeResendsItsBatchAtOnce(t *testing.T) {
	t.Parallel()
	sqltest.Nodes(t, func(t *testing.T, open func(opts ...sqlstore.Option) *sqlstore.Store) {
		store := open(sqlstore.WithNode("node-a"))
		c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
		enqueue(t, store, c.t, notify.DefaultBatch+2)

		// started has room for every message: a batch larger than it should
		// be fails below rather than hanging here.
		dying := &recorder{hold: true, started: make(chan struct{}, notify.DefaultBatch+2)}
		w := notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: dying})
		ctx, kill := context.WithCancel(t.Context())
		done := make(chan int)
		go func() {
			n, _ := w.RunOnce(ctx)
			done <- n
		}()
		for range notify.DefaultBatch {
			<-dying.started
		}
		kill() // every send of the batch is under way: the node dies
		if n := <-done; n != notify.DefaultBatch {
			t.Fatalf("the dying node claimed %d, want %d", n, notify.DefaultBatch)
		}
		inFlight := dying.sent()

		restarted := open(sqlstore.WithNode("node-a"))
		if n, err := restarted.ReleaseNodeLeases(t.Context()); err != nil || n != int64(notify.DefaultBatch) {
			t.Fatalf("the restarted node released %d leases, %v; want %d", n, err, notify.DefaultBatch)
		}
		// Same clock: the 60 s lease has not run out, the release alone
		// makes them due.
		p := &recorder{}
		w = notify.NewWorker(notify.WorkerConfig{Now: c.now}, restarted, notify.Providers{Email: p})
		if n, err := w.RunOnce(t.Context()); err != nil || n != notify.DefaultBatch {
			t.Fatalf("after the restart the node claimed %d, %v", n, err)
		}
		if n, err := w.RunOnce(t.Context()); err != nil || n != 2 {
			t.Fatalf("then the rest of the backlog: %d, %v; want 2", n, err)
		}
		sent := p.sent()
		for _, id := range inFlight {
			if !slices.Contains(sent, id) {
				t.Errorf("message %s cut by the kill was not sent again after the restart (sent %v)", id, sent)
			}
		}
	})
}

// cancelling is a provider that accepts each message as the node is told
// to stop: the send succeeded, the worker's context ended meanwhile.
type cancelling struct {
	recorder
	stop context.CancelFunc
}

func (p *cancelling) Send(ctx context.Context, m notify.Message) error {
	_ = p.recorder.Send(ctx, m)
	p.stop()
	return nil
}

// TestStoppingNodeSettlesWhatItSent: a message the provider accepted is
// settled (deleted) even when the worker is told to stop during that
// send; left claimed, it would be sent a second time after the restart.
func TestStoppingNodeSettlesWhatItSent(t *testing.T) {
	t.Parallel()
	sqltest.Nodes(t, func(t *testing.T, open func(opts ...sqlstore.Option) *sqlstore.Store) {
		store := open(sqlstore.WithNode("node-a"))
		c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
		enqueue(t, store, c.t, 1)
		ctx, stop := context.WithCancel(t.Context())
		p := &cancelling{stop: stop}
		w := notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: p})
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce claimed %d, %v; want 1", n, err)
		}
		if _, err := store.ReleaseNodeLeases(t.Context()); err != nil {
			t.Fatal(err)
		}
		again := &recorder{}
		w = notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: again})
		if n, err := w.RunOnce(t.Context()); err != nil || n != 0 {
			t.Fatalf("after the restart the node claimed %d, %v; want 0: the message was sent (%v)", n, err, again.sent())
		}
	})
}
