package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/themes"
)

// newLogger builds the slog logger the config asks for.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// openWithSecret resolves the system secret and opens the database. The
// secret comes first: the store hashes the audit chain with a key derived
// from it. The caller closes the store.
func openWithSecret(ctx context.Context, cfg Config, opts ...sqlstore.Option) (*sqlstore.Store, []byte, error) {
	secret, err := cfg.secret()
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlstore.Open(ctx, cfg.DatabaseURL, append([]sqlstore.Option{sqlstore.WithAuditKey(auditChainKey(secret))}, opts...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	return store, secret, nil
}

// readyStore migrates the database and bootstraps it if empty.
func readyStore(ctx context.Context, cfg Config, store *sqlstore.Store, secret []byte, out io.Writer, log *slog.Logger) error {
	applied, err := store.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if len(applied) > 0 {
		log.Info("applied migrations", "versions", applied)
	}
	if err := bootstrap(ctx, cfg, store, secret, out, log); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	return nil
}

// openReady opens and migrates the database, resolves the system secret and
// bootstraps an empty database: what every command that acts on Foyer's
// data needs first. The caller closes the store.
func openReady(ctx context.Context, cfg Config, out io.Writer, log *slog.Logger, opts ...sqlstore.Option) (*sqlstore.Store, []byte, error) {
	store, secret, err := openWithSecret(ctx, cfg, opts...)
	if err != nil {
		return nil, nil, err
	}
	if err := readyStore(ctx, cfg, store, secret, out, log); err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return store, secret, nil
}

// startRenderer loads the theme on a goroutine of its own and returns the
// wait for it. Parsing the page templates is the largest part of a
// start's CPU and reads nothing from the database (the store is only kept for the
// translation packages, read per request), so with a second core it runs
// while the database is migrated and bootstrapped and the signing keys
// are loaded. A bad theme still fails the start: newServer returns its
// error, after the database's, as before.
func startRenderer(opts themes.Options) func() (*themes.Renderer, error) {
	var (
		renderer *themes.Renderer
		err      error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		renderer, err = themes.New(opts)
	}()
	return func() (*themes.Renderer, error) {
		<-done
		return renderer, err
	}
}

// serve runs the server until SIGINT or SIGTERM, then drains connections.
func serve(ctx context.Context, cfg Config, stdout io.Writer, log *slog.Logger) error {
	start := time.Now()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	tuneGC(os.Getenv)
	node := cfg.nodeID()
	store, secret, err := openWithSecret(ctx, cfg, sqlstore.WithNode(node))
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	renderer := startRenderer(rendererOptions(cfg, store, session.CookiesFor(cfg.Issuer).Secure))
	if err := readyStore(ctx, cfg, store, secret, stdout, log); err != nil {
		return err
	}
	// What this node was sending when it last stopped is due again now,
	// not after its lease.
	if n, err := store.ReleaseNodeLeases(ctx); err != nil {
		log.Warn("release leases of the last run", "node", node, "err", err)
	} else if n > 0 {
		log.Info("released leases of the last run", "node", node, "rows", n)
	}
	srv, err := newServer(ctx, cfg, store, secret, log, withRenderer(renderer))
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	httpServer := &http.Server{
		Handler:           srv.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.PprofListen != "" {
		go servePprof(cfg.PprofListen, log)
	}
	switch metricsExposureOf(cfg) {
	case metricsSeparate:
		go serveMetrics(cfg.MetricsListen, srv.metrics, log)
	case metricsOff:
		log.Warn("/metrics is not served: set FOYER_METRICS_LISTEN (a private address) or FOYER_METRICS_TOKEN (bearer token) to collect metrics")
	case metricsPublic, metricsBearer:
	}
	if every := cfg.cleanupInterval(); every > 0 {
		go cleanup(ctx, store, node, every, log)
	}
	go rotateKeys(ctx, srv.keys, cfg.keyRotationInterval(), log)
	// The logout worker stops with ctx; waiting for it below keeps the store
	// open until it has. A delivery cut short is retried after its lease.
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		srv.backchannel.Run(ctx)
	}()
	// So does the notification worker; whatever it has not sent stays in
	// the outbox for the next start (or another node).
	notifyDone := make(chan struct{})
	go func() {
		defer close(notifyDone)
		srv.notify.Run(ctx)
	}()
	// And the deferred self-service requests: what a stop leaves undone
	// stays queued for the next start (or another node).
	deferredDone := make(chan struct{})
	go func() {
		defer close(deferredDone)
		srv.self.RunDeferred(ctx)
	}()
	// And the bulk account jobs: a job cut short is released for the next
	// start (or another node), which resumes after its last account.
	accountJobsDone := make(chan struct{})
	go func() {
		defer close(accountJobsDone)
		srv.accountJobs.Run(ctx)
	}()

	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	log.Info("foyer is ready", "issuer", cfg.Issuer, "listen", ln.Addr().String(),
		"startup_ms", time.Since(start).Milliseconds())
	// Start-up garbage (migrations, templates, key decryption) would keep
	// the idle process larger until the next collection. FreeOSMemory
	// collects before it returns the free pages (a runtime.GC() before it
	// would mark the live heap twice). It runs beside the first requests,
	// not before the server is ready: with the templates' heap at about
	// 20 MB it frees too little to change resident memory at the ready
	// line by more than a MiB, and it cost the start about 40 ms.
	go debug.FreeOSMemory()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = httpServer.Shutdown(shutdownCtx)
	<-workerDone
	<-notifyDone
	<-deferredDone
	<-accountJobsDone
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// cleanup removes what has expired, so no table grows without bound:
// tokens, interactions, sessions, client-assertion jtis, sign-in attempts.
// Every node offers every interval (FOYER_CLEANUP_INTERVAL, ten minutes
// by default); the one that takes the lease, held for a minute less than
// the interval, does it, so N nodes do not delete the same rows N times
// over and one node a time does.
func cleanup(ctx context.Context, store storage.Store, node string, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			held, err := store.TryLease(ctx, "cleanup", node, now, max(interval-time.Minute, 30*time.Second))
			if err != nil {
				log.Warn("cleanup: lease", "err", err)
				continue
			}
			if held {
				purge(ctx, store, now, purgeBatch{size: 1000, pause: 20 * time.Millisecond}, log)
			}
		}
	}
}

// purgeBatch bounds the cleanup's statements: size rows each, with a
// pause between them that lets the requests waiting on the same pages
// and locks through (the p99 of the bench's size mode shows it).
type purgeBatch struct {
	size  int
	pause time.Duration
}

// purge deletes what expired before now in bounded batches until a batch
// comes back short, or ctx ends, and returns how many tokens and other
// rows went.
func purge(ctx context.Context, store storage.Store, now time.Time, b purgeBatch, log *slog.Logger) (tokens, rows int64) {
	// Inactive (used) tokens are kept an hour past expiry to recognise replays.
	tokens, err := inBatches(ctx, b, func() (int64, error) { return store.DeleteExpiredTokens(ctx, now.Add(-time.Hour), b.size) })
	if err != nil {
		log.Warn("cleanup: tokens", "err", err)
	}
	rows, err = inBatches(ctx, b, func() (int64, error) { return store.PurgeExpired(ctx, now, now.Add(-24*time.Hour), b.size) })
	if err != nil {
		log.Warn("cleanup: expired rows", "err", err)
	}
	log.Debug("cleanup", "tokens", tokens, "rows", rows)
	return tokens, rows
}

// inBatches calls batch until it deletes fewer than b.size rows, pausing
// between calls, and returns the total.
func inBatches(ctx context.Context, b purgeBatch, batch func() (int64, error)) (int64, error) {
	var total int64
	for {
		n, err := batch()
		total += n
		if err != nil || n < int64(b.size) {
			return total, err
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(b.pause):
		}
	}
}

// servePprof exposes net/http/pprof on a separate, operator-chosen address
// (FOYER_PPROF_LISTEN), never on the public listener.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/heap", pprof.Handler("heap").ServeHTTP)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Warn("pprof listener", "err", err)
	}
}
