package selfservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/queue"
)

// Deferred requests. A reset, phone-switch, username-reminder or (with
// activation on) registration request does only what is alike for every
// identifier: it validates, hashes a registration's password, and queues
// one deferred_requests row. A worker on any node then does what depends
// on the account (lookup, throttle, secret, message). The request's
// statements, and so its timing, are the same for a known and an unknown
// identifier; only the account's own inbox or phone learns the difference.
//
// Sending exactly once: each message is queued in one transaction with the
// deletion of its row, behind the re-request throttle's unique claim (or,
// for a registration, inside the account-creating transaction). A retry of
// a row whose work committed finds the row gone; a retry of one whose work
// rolled back starts over; two nodes racing with one row (a lease that ran
// out) meet at the throttle's unique claim, the account's unique
// identifiers or the row's DELETE, and only one commits.
const (
	deferredReset        = "reset"
	deferredPhoneSwitch  = "phone_switch"
	deferredReminder     = "username_reminder"
	deferredRegistration = "registration"
	// deferredRegistrationTaken is an invitation's sign-up with a changed
	// address whose identifier was taken (changedAddressSignup): only
	// registerExisting's message, no account.
	deferredRegistrationTaken = "registration_taken"
	deferredLoginFailed       = "login_failed"
)

// DeferredConfig tunes the deferred-request worker; zero values take the
// defaults.
type DeferredConfig struct {
	// PollInterval is how often the worker looks for rows queued on other
	// nodes (1s); rows queued on this node wake it at once.
	PollInterval time.Duration
	Lease        time.Duration // how long a claim holds a row (1m)
	MaxAttempts  int           // runs per row before it is dropped (8)
	Backoff      time.Duration // wait after the first failure, doubled after each (5s)
	Batch        int           // rows claimed at once (16)
}

func (c DeferredConfig) withDefaults() DeferredConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PollInterval, time.Second)
	def(&c.Lease, time.Minute)
	def(&c.Backoff, 5*time.Second)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.Batch <= 0 {
		c.Batch = 16
	}
	return c
}

// deferredQueue is the worker's wake-up and progress signalling.
type deferredQueue struct {
	cfg  DeferredConfig
	wake *queue.Waker // a request on this node queued a row
	mu   sync.Mutex
	// progress is closed (and replaced) after each batch, for DeferredIdle.
	progress chan struct{}
}

func newDeferredQueue(cfg DeferredConfig) *deferredQueue {
	return &deferredQueue{cfg: cfg.withDefaults(), wake: queue.NewWaker(), progress: make(chan struct{})}
}

func (q *deferredQueue) progressed() {
	q.mu.Lock()
	close(q.progress)
	q.progress = make(chan struct{})
	q.mu.Unlock()
}

func (q *deferredQueue) nextProgress() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.progress
}

// deferredPayload is what the worker needs of the request. A
// registration carries the argon2id hash, never the password.
type deferredPayload struct {
	Interaction string `json:"interaction"`
	App         string `json:"app"`
	Client      string `json:"client"`
	Lang        string `json:"lang,omitempty"`
	IP          string `json:"ip,omitempty"`
	UserAgent   string `json:"user_agent,omitempty"`
	// Typed is the identifier, e-mail address or phone number typed.
	Typed   string `json:"typed,omitempty"`
	ByPhone bool   `json:"by_phone,omitempty"`
	// Method is the sign-in method a failure is logged under ("" for the
	// password).
	Method string `json:"method,omitempty"`
	// A registration's form.
	Email        string            `json:"email,omitempty"`
	Username     string            `json:"username,omitempty"`
	Phone        string            `json:"phone,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	PasswordHash string            `json:"password_hash,omitempty"`
	// Accepted are the consent documents (and versions) the page showed.
	Accepted []acceptedConsent `json:"accepted,omitempty"`
}

// deferRequest queues the request's work and wakes this node's worker.
func (h *Handler) deferRequest(r *http.Request, f *Flow, kind string, p deferredPayload) error {
	p.Interaction, p.App, p.Client, p.Lang = f.Interaction.ID, f.App.ID, f.Client.ID, f.Lang
	p.IP, p.UserAgent = session.ClientIP(r), r.UserAgent()
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("selfservice: encode deferred %s: %w", kind, err)
	}
	now := h.cfg.Now().UTC()
	d := &storage.DeferredRequest{Kind: kind, Payload: string(raw), CreatedAt: now, NextAttemptAt: now}
	if err := h.store.EnqueueDeferredRequest(r.Context(), d); err != nil {
		return fmt.Errorf("selfservice: queue deferred %s: %w", kind, err)
	}
	h.deferred.wake.Wake()
	return nil
}

// RunDeferred does queued requests until ctx ends: at once when a request
// on this node queued one, every PollInterval otherwise (rows queued on
// other nodes, retries). Run it on every node, like the notify worker.
func (h *Handler) RunDeferred(ctx context.Context) {
	q := h.deferred
	queue.Loop{
		Poll: q.cfg.PollInterval, Batch: q.cfg.Batch, RunOnce: h.RunDeferredOnce, Wake: q.wake.C(),
		OnError: func(ctx context.Context, err error) {
			h.log.WarnContext(ctx, "deferred requests: poll", "err", err)
		},
	}.Run(ctx)
}

// RunDeferredOnce claims one batch of due rows and does them in order. It
// returns how many it claimed.
func (h *Handler) RunDeferredOnce(ctx context.Context) (int, error) {
	q := h.deferred
	due, err := h.store.ClaimDeferredRequests(ctx, h.cfg.Now().UTC(), q.cfg.Lease, q.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("selfservice: claim deferred requests: %w", err)
	}
	// One at a time, in claim order, as this worker always did.
	queue.Each(ctx, due, false, h.processDeferred)
	if len(due) > 0 {
		q.progressed()
	}
	return len(due), nil
}

// DeferredIdle returns once no deferred request waits: tests call it
// before asserting what was (or was not) sent. It does due rows itself
// and otherwise waits for this node's worker, or for the poll interval
// when another node holds a row.
func (h *Handler) DeferredIdle(ctx context.Context) error {
	for {
		progress := h.deferred.nextProgress()
		if _, err := h.RunDeferredOnce(ctx); err != nil {
			return err
		}
		n, err := h.store.CountDeferredRequests(ctx)
		if err != nil {
			return fmt.Errorf("selfservice: count deferred requests: %w", err)
		}
		if n == 0 {
			return nil
		}
		t := time.NewTimer(h.deferred.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("selfservice: %d deferred requests still waiting: %w", n, ctx.Err())
		case <-progress:
		case <-t.C:
		}
		t.Stop()
	}
}

// processDeferred does one row and settles a failure: a retry after
// backoff, or, after MaxAttempts, the row is dropped (it may hold a
// password hash; nobody waits for it any more).
func (h *Handler) processDeferred(ctx context.Context, d *storage.DeferredRequest) {
	err := h.doDeferred(ctx, d)
	if err == nil || errors.Is(err, errRowGone) || ctx.Err() != nil {
		return
	}
	log := h.log.With("deferred_request", d.ID, "kind", d.Kind, "attempt", d.Attempts+1)
	retry := queue.Retry{MaxAttempts: h.deferred.cfg.MaxAttempts, Backoff: h.deferred.cfg.Backoff, MaxBackoff: time.Hour}
	wait, giveUp := retry.After(d.Attempts + 1)
	if giveUp {
		log.WarnContext(ctx, "deferred request failed; giving up", "err", err)
		if derr := h.store.DeleteDeferredRequest(ctx, d.ID); derr != nil && !errors.Is(derr, storage.ErrNotFound) {
			log.WarnContext(ctx, "deferred requests: delete", "err", derr)
		}
		return
	}
	log.InfoContext(ctx, "deferred request failed; will retry", "err", err)
	if ferr := h.store.FailDeferredRequest(ctx, d.ID, h.cfg.Now().UTC().Add(wait), err.Error()); ferr != nil {
		log.WarnContext(ctx, "deferred requests: record failure", "err", ferr)
	}
}

// deferredJob is a claimed row with what its payload names loaded.
type deferredJob struct {
	id     string
	p      deferredPayload
	app    *storage.Application
	client *storage.Client
	pol    storage.SelfServicePolicy
}

func (h *Handler) doDeferred(ctx context.Context, d *storage.DeferredRequest) error {
	j := &deferredJob{id: d.ID}
	if err := json.Unmarshal([]byte(d.Payload), &j.p); err != nil {
		h.log.WarnContext(ctx, "deferred requests: undecodable payload dropped", "deferred_request", d.ID, "err", err)
		return h.deferredDone(ctx, j)
	}
	var err error
	if j.app, err = h.store.GetApplication(ctx, j.p.App); errors.Is(err, storage.ErrNotFound) {
		return h.deferredDone(ctx, j) // the application went away meanwhile
	} else if err != nil {
		return fmt.Errorf("selfservice: load application: %w", err)
	}
	if j.client, err = h.store.GetClient(ctx, j.p.Client); errors.Is(err, storage.ErrNotFound) {
		return h.deferredDone(ctx, j)
	} else if err != nil {
		return fmt.Errorf("selfservice: load client: %w", err)
	}
	if j.pol, err = h.policy(ctx, j.app); err != nil {
		return err
	}
	switch d.Kind {
	case deferredReset:
		return h.runReset(ctx, j)
	case deferredPhoneSwitch:
		return h.runPhoneSwitch(ctx, j)
	case deferredReminder:
		return h.runReminder(ctx, j)
	case deferredRegistration:
		return h.runRegistration(ctx, j)
	case deferredRegistrationTaken:
		return h.registerExisting(ctx, j)
	case deferredRegistrationResend:
		return h.runRegistrationResend(ctx, j)
	case deferredOrgRegistration:
		return h.runOrgRegistration(ctx, j)
	case deferredPasswordless:
		return h.runPasswordless(ctx, j)
	case deferredLoginFailed:
		return h.runLoginFailed(ctx, j)
	}
	h.log.WarnContext(ctx, "deferred requests: unknown kind dropped", "deferred_request", d.ID, "kind", d.Kind)
	return h.deferredDone(ctx, j)
}

// errRowGone: another node finished the row (a lease that ran out); this
// run's work was rolled back and it logs nothing.
var errRowGone = errors.New("selfservice: deferred request done elsewhere")

// deferredDone deletes a row whose work sends nothing.
func (h *Handler) deferredDone(ctx context.Context, j *deferredJob) error {
	if err := h.store.DeleteDeferredRequest(ctx, j.id); errors.Is(err, storage.ErrNotFound) {
		return errRowGone
	} else if err != nil {
		return fmt.Errorf("selfservice: delete deferred request: %w", err)
	}
	return nil
}

// inTx runs fn and deletes the row in one transaction, so its messages
// are queued exactly once. A row already deleted (another node finished
// it) rolls fn's work back and is errRowGone.
func (h *Handler) inTx(ctx context.Context, j *deferredJob, fn func(tx context.Context) error) (done bool, err error) {
	tx, err := h.store.BeginTx(ctx)
	if err != nil {
		return false, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if !done {
			_ = h.store.Rollback(tx)
		}
	}()
	if err := fn(tx); err != nil {
		return false, err
	}
	if err := h.store.DeleteDeferredRequest(tx, j.id); errors.Is(err, storage.ErrNotFound) {
		return false, errRowGone
	} else if err != nil {
		return false, fmt.Errorf("selfservice: delete deferred request: %w", err)
	}
	if err := h.store.Commit(tx); err != nil {
		return false, fmt.Errorf("selfservice: commit: %w", err)
	}
	return true, nil
}

// errHeld rolls back a send the re-request throttle holds back.
var errHeld = errors.New("selfservice: held by the re-request throttle")

// sendOnce queues send's message unless the throttle holds it back (see
// throttled) or a cap on sends per recipient or requester does
// (sendcaps.go), in one transaction with the row's deletion. It reports
// whether the message was queued.
func (h *Handler) sendOnce(ctx context.Context, j *deferredJob, pol storage.SelfServicePolicy, accountID, purpose, channel string,
	send func(tx context.Context) error) (bool, error) {
	sent, err := h.inTx(ctx, j, func(tx context.Context) error {
		held, err := h.throttled(tx, pol, accountID, purpose, channel)
		if err != nil {
			return err
		}
		if held {
			// On PostgreSQL a lost claim aborted the transaction: roll it
			// back and delete the row outside it.
			return errHeld
		}
		if capped, err := h.sendCapped(tx, j.p.IP, accountID, channel); err != nil {
			return err
		} else if capped {
			h.log.WarnContext(ctx, "message held back: hourly or daily cap reached", "purpose", purpose, "channel", channel,
				"account", accountID, "ip", j.p.IP)
			return errHeld
		}
		return send(tx)
	})
	if errors.Is(err, errHeld) {
		return false, h.deferredDone(ctx, j)
	}
	return sent, err
}

// eventFor appends to the account's activity log with the requester's
// address and user agent, as event does for a request.
func (h *Handler) eventFor(ctx context.Context, j *deferredJob, accountID, kind string) {
	h.eventDataFor(ctx, j, accountID, kind, nil)
}

// eventDataFor is eventFor with extra data (the provider of an external
// identity, say).
func (h *Handler) eventDataFor(ctx context.Context, j *deferredJob, accountID, kind string, extra map[string]string) {
	data := map[string]string{"user_agent": j.p.UserAgent}
	for k, v := range extra {
		data[k] = v
	}
	err := h.store.AppendEvent(ctx, &storage.Event{
		AccountID: accountID, Kind: kind, Actor: accountID, IP: j.p.IP, CreatedAt: h.cfg.Now().UTC(),
		Data: data,
	})
	if err != nil {
		h.log.WarnContext(ctx, "append event", "kind", kind, "err", err)
	}
}
