package backchannel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/authz/netguard"
	"foyer/storage"
	"foyer/storage/queue"
)

// Store is what the worker needs from storage.
type Store interface {
	ClaimLogoutNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storage.LogoutNotice, error)
	DeleteLogoutNotice(ctx context.Context, id string) error
	FailLogoutNotice(ctx context.Context, id string, next time.Time, lastError string) error
	GetClient(ctx context.Context, id string) (*storage.Client, error)
}

// Keys hands out the current signing key (authz/keys.Manager).
type Keys interface {
	Signer(ctx context.Context, alg string) (*jose.JSONWebKey, error)
}

// Config tunes the worker; zero values take the defaults.
type Config struct {
	Issuer        string
	PollInterval  time.Duration // how often Run looks for due notices (1s)
	Timeout       time.Duration // per delivery, connect to last byte (5s)
	TokenLifetime time.Duration // logout token exp - iat (2m)
	// MaxAttempts bounds deliveries per notice (8). With the default
	// backoff the last one is about an hour after the first.
	MaxAttempts int
	Backoff     time.Duration // wait after the first failure, doubled after each (30s)
	MaxBackoff  time.Duration // cap on the wait (1h)
	// Lease is how long a claim holds a notice against other nodes; it
	// must exceed Timeout, or a slow delivery could be claimed twice (30s).
	Lease time.Duration
	Batch int // notices claimed at once, delivered in parallel (16)
	Now   func() time.Time
	// HTTPClient sends the tokens; the default has Timeout and follows no
	// redirects (a redirect is a failure: the token goes only where the
	// client registered).
	HTTPClient *http.Client
	// AllowPrivateNetworkURIs sends to dynamically registered clients
	// through HTTPClient too. Without it they are sent through a client
	// that dials public addresses only (netguard): their URI is an
	// anonymous registrant's choice, and must not reach Foyer's network.
	AllowPrivateNetworkURIs bool
	Logger                  *slog.Logger
}

// Worker delivers queued logout notices. It holds no state between runs
// but its configuration; any number of workers may share one database.
type Worker struct {
	cfg   Config
	store Store
	keys  Keys
	// registrants sends to dynamically registered clients.
	registrants *http.Client
}

// NewWorker returns a worker over the store and keys.
func NewWorker(cfg Config, store Store, keys Keys) *Worker {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.PollInterval, time.Second)
	def(&cfg.Timeout, 5*time.Second)
	def(&cfg.TokenLifetime, 2*time.Minute)
	def(&cfg.Backoff, 30*time.Second)
	def(&cfg.MaxBackoff, time.Hour)
	def(&cfg.Lease, max(30*time.Second, 2*cfg.Timeout))
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 16
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.Timeout, CheckRedirect: noRedirects}
	}
	registrants := cfg.HTTPClient
	if !cfg.AllowPrivateNetworkURIs {
		registrants = &http.Client{Timeout: cfg.Timeout, CheckRedirect: noRedirects, Transport: netguard.Transport(cfg.Timeout)}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	return &Worker{cfg: cfg, store: store, keys: keys, registrants: registrants}
}

// Run delivers due notices every PollInterval until ctx ends. A full batch
// is followed at once by the next, so a backlog drains without waiting.
func (w *Worker) Run(ctx context.Context) {
	queue.Loop{
		Poll: w.cfg.PollInterval, Batch: w.cfg.Batch, RunOnce: w.RunOnce,
		OnError: func(ctx context.Context, err error) {
			w.cfg.Logger.WarnContext(ctx, "back-channel logout: poll", "err", err)
		},
	}.Run(ctx)
}

// RunOnce claims one batch of due notices, delivers them in parallel and
// records each outcome. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	notices, err := w.store.ClaimLogoutNotices(ctx, w.cfg.Now().UTC(), w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("backchannel: claim: %w", err)
	}
	queue.Each(ctx, notices, true, w.process)
	return len(notices), nil
}

// settleTimeout bounds the deletion of a delivered notice, which goes on
// when the worker's context has ended.
const settleTimeout = 5 * time.Second

// process delivers one notice and settles it: delete on success or when
// there is nobody left to tell, reschedule on failure, delete after the
// last attempt. Stopping mid-delivery settles nothing but a delivery the
// relying party answered with success: the lease runs out (or the restart
// releases it) and another run (or node) tries again.
func (w *Worker) process(ctx context.Context, n *storage.LogoutNotice) {
	log := w.cfg.Logger.With("client_id", n.ClientID, "notice", n.ID, "attempt", n.Attempts+1)
	err := w.deliver(ctx, n)
	if err == nil {
		// Settled even when the node is stopping meanwhile: left claimed,
		// the token would be sent again after the restart.
		settleCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		log.InfoContext(settleCtx, "back-channel logout delivered")
		w.settle(settleCtx, log, n.ID)
		return
	}
	if ctx.Err() != nil {
		return
	}
	switch {
	case errors.Is(err, errNobodyToTell):
		log.InfoContext(ctx, "back-channel logout dropped", "reason", err)
		w.settle(ctx, log, n.ID)
	default:
		retry := queue.Retry{MaxAttempts: w.cfg.MaxAttempts, Backoff: w.cfg.Backoff, MaxBackoff: w.cfg.MaxBackoff}
		wait, giveUp := retry.After(n.Attempts + 1)
		if giveUp {
			log.WarnContext(ctx, "back-channel logout failed; giving up", "err", err)
			w.settle(ctx, log, n.ID)
			return
		}
		next := w.cfg.Now().UTC().Add(wait)
		log.InfoContext(ctx, "back-channel logout failed; will retry", "err", err, "next_attempt_at", next)
		if ferr := w.store.FailLogoutNotice(ctx, n.ID, next, err.Error()); ferr != nil {
			log.WarnContext(ctx, "back-channel logout: record failure", "err", ferr)
		}
	}
}

func (w *Worker) settle(ctx context.Context, log *slog.Logger, id string) {
	if err := w.store.DeleteLogoutNotice(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.WarnContext(ctx, "back-channel logout: delete notice", "err", err)
	}
}

// errNobodyToTell means the client was deleted or no longer has a
// backchannel_logout_uri.
var errNobodyToTell = errors.New("client has no backchannel_logout_uri")

// errStatus is a non-2xx answer from the relying party.
var errStatus = errors.New("relying party answered")

func (w *Worker) deliver(ctx context.Context, n *storage.LogoutNotice) error {
	c, err := w.store.GetClient(ctx, n.ClientID)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: client deleted", errNobodyToTell)
	}
	if err != nil {
		return fmt.Errorf("load client: %w", err)
	}
	if c.BackchannelLogoutURI == "" {
		return errNobodyToTell
	}
	claims, err := claimsFor(w.cfg.Issuer, n, w.cfg.Now().UTC(), w.cfg.TokenLifetime)
	if err != nil {
		return err
	}
	token, err := sign(ctx, w.keys, claims)
	if err != nil {
		return err
	}
	client := w.cfg.HTTPClient
	if c.RegistrationTokenHash != nil {
		client = w.registrants
	}
	return w.post(ctx, client, c.BackchannelLogoutURI, token)
}

// post sends the token as section 2.5 says: a form-encoded POST with the
// single parameter logout_token. Any 2xx is success (the spec names 200
// and 204); the error never quotes the token.
func (w *Worker) post(ctx context.Context, client *http.Client, uri, token string) error {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-store")
	// The URI is the one the client registered (https, or http on loopback
	// for operators, checked at registration); redirects are not followed.
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	// Read a little so the connection can be reused; the body is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w with status %d", errStatus, resp.StatusCode)
	}
	return nil
}
