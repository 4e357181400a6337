package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"foyer/storage"
	"foyer/storage/queue"
)

// Provider delivers messages of the channels it is configured for. Send
// returns nil once the provider accepted the message.
type Provider interface {
	Send(ctx context.Context, m Message) error
}

// WorkerConfig tunes the worker; zero values take the defaults.
type WorkerConfig struct {
	PollInterval time.Duration // how often Run looks for due messages (1s)
	Timeout      time.Duration // per send (30s: SMTP servers may be slow to accept)
	MaxAttempts  int           // sends per message (8: the last about an hour after the first)
	Backoff      time.Duration // wait after the first failure, doubled after each (30s)
	MaxBackoff   time.Duration // cap on the wait (1h)
	// Lease is how long a claim holds a message against other nodes; it
	// must exceed Timeout, or a slow send could be claimed twice (2*Timeout).
	Lease time.Duration
	// Batch is how many messages one claim takes at most, sent in
	// parallel (DefaultBatch).
	Batch int
	// KeepSent is how long the dev outbox keeps sent messages (24h).
	KeepSent time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
}

// settleTimeout bounds the recording of a delivered message, which goes
// on when the worker's context has ended.
const settleTimeout = 5 * time.Second

// DefaultBatch is how many messages one claim takes at most: a node
// killed mid-batch leaves that many to be sent again (at once when it
// starts again and releases its leases, or by another node once their
// lease runs out), so batches stay small. A full batch is followed at
// once by the next, so a backlog still drains quickly.
const DefaultBatch = 4

// Providers says who sends which channel. A nil provider means the dev
// outbox: the message is logged and kept for the dev outbox page.
type Providers struct {
	Email Provider
	Phone Provider // SMS and voice
}

// Worker sends queued messages. It holds nothing between runs but its
// configuration; any number of workers may share one database.
type Worker struct {
	cfg       WorkerConfig
	store     storage.Notifications
	providers Providers
}

// NewWorker returns a worker over the store.
func NewWorker(cfg WorkerConfig, store storage.Notifications, providers Providers) *Worker {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.PollInterval, time.Second)
	def(&cfg.Timeout, 30*time.Second)
	def(&cfg.Backoff, 30*time.Second)
	def(&cfg.MaxBackoff, time.Hour)
	def(&cfg.Lease, 2*cfg.Timeout)
	def(&cfg.KeepSent, 24*time.Hour)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, store: store, providers: providers}
}

// Run sends due messages every PollInterval until ctx ends. A full batch is
// followed at once by the next, so a backlog drains without waiting. Once
// an hour it drops dev-outbox messages older than KeepSent.
func (w *Worker) Run(ctx context.Context) {
	var purged time.Time
	queue.Loop{
		Poll: w.cfg.PollInterval, Batch: w.cfg.Batch, RunOnce: w.RunOnce,
		OnError: func(ctx context.Context, err error) {
			w.cfg.Logger.WarnContext(ctx, "notifications: poll", "err", err)
		},
		Drained: func(ctx context.Context) {
			if now := w.cfg.Now(); now.Sub(purged) >= time.Hour {
				purged = now
				if _, err := w.store.PurgeSentNotifications(ctx, now.Add(-w.cfg.KeepSent)); err != nil && ctx.Err() == nil {
					w.cfg.Logger.WarnContext(ctx, "notifications: purge", "err", err)
				}
			}
		},
	}.Run(ctx)
}

// RunOnce claims one batch of due messages, sends them in parallel and
// records each outcome. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	due, err := w.store.ClaimNotifications(ctx, w.cfg.Now().UTC(), w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("notify: claim: %w", err)
	}
	queue.Each(ctx, due, true, w.process)
	return len(due), nil
}

func (w *Worker) provider(channel string) Provider {
	if channel == ChannelEmail {
		return w.providers.Email
	}
	return w.providers.Phone
}

// process sends one message and settles it. The log names the kind and a
// recipient, never the text: it may hold a link or a code. Stopping
// mid-send settles nothing but a send the provider accepted: the lease
// runs out (or the restart releases it) and another run retries.
func (w *Worker) process(ctx context.Context, n *storage.Notification) {
	m := fromStorage(n)
	log := w.cfg.Logger.With("notification", n.ID, "channel", n.Channel, "kind", n.Kind, "attempt", n.Attempts+1)
	p := w.provider(n.Channel)
	if p == nil {
		// The dev outbox: the row is the message, kept for the page.
		log.InfoContext(ctx, "dev outbox: message not sent (no provider configured)", "to", m.To, "subject", m.Subject)
		w.markSent(ctx, log, n.ID)
		return
	}
	sendCtx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	err := p.Send(sendCtx, m)
	cancel()
	if err == nil {
		log.InfoContext(ctx, "notification sent")
		// Delivered messages hold live links and codes; nobody needs them.
		// Settled even when the node is stopping meanwhile: left claimed,
		// the message would be sent again after the restart.
		settleCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		w.drop(settleCtx, log, n.ID)
		return
	}
	if ctx.Err() != nil {
		return
	}
	wait, giveUp := w.retry().After(n.Attempts + 1)
	if giveUp {
		log.WarnContext(ctx, "notification failed; giving up", "err", err)
		w.drop(ctx, log, n.ID)
		return
	}
	next := w.cfg.Now().UTC().Add(wait)
	log.InfoContext(ctx, "notification failed; will retry", "err", err, "next_attempt_at", next)
	if ferr := w.store.FailNotification(ctx, n.ID, next, err.Error()); ferr != nil {
		log.WarnContext(ctx, "notifications: record failure", "err", ferr)
	}
}

func (w *Worker) markSent(ctx context.Context, log *slog.Logger, id string) {
	if err := w.store.MarkNotificationSent(ctx, id, w.cfg.Now().UTC()); err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.WarnContext(ctx, "notifications: mark sent", "err", err)
	}
}

func (w *Worker) drop(ctx context.Context, log *slog.Logger, id string) {
	if err := w.store.DeleteNotification(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.WarnContext(ctx, "notifications: delete", "err", err)
	}
}

func (w *Worker) retry() queue.Retry {
	return queue.Retry{MaxAttempts: w.cfg.MaxAttempts, Backoff: w.cfg.Backoff, MaxBackoff: w.cfg.MaxBackoff}
}
