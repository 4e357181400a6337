package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

const (
	// maxCodes caps the codes prepared for the exchange scenario.
	maxCodes = 20000
	// startTarget is the start-to-ready goal on an existing database.
	startTarget = 300 * time.Millisecond
	// tailLines is how much of the server log a failure shows.
	tailLines = 30
	// redirectURI is never contacted: the bench stops at the redirect.
	redirectURI = "http://127.0.0.1:9/callback"
)

type options struct {
	duration     time.Duration
	conns        int
	postgres     string
	skipPostgres bool
	skipSQLite   bool
	foyer        string
	// The account management section (PostgreSQL): accounts seeded, of
	// them disabled by one bulk job, requests per search figure, and
	// whether to print the searches' EXPLAIN plans.
	accounts, bulk, searchRequests int
	explain                        bool
	// reuse is a PostgreSQL database seeded before (foyer dev seed, in
	// parts if need be): used instead of a fresh one, and kept.
	reuse string
	// tokens turns on the size mode (PostgreSQL): stored tokens seeded
	// after the empty-database figures, then the figures again.
	tokens int
	// peer runs the client-credentials scenario against oidc-provider
	// too, right after the last backend's, for Foyer's ratio to it.
	peer bool
	// warmUp is how long each scenario runs unmeasured before a server's
	// first figures.
	warmUp time.Duration
	// only, when not empty, names the scenarios to run (for profiling
	// one of them); every scenario runs when it is empty.
	only map[string]bool
	// rsaPerSec is this run's RSA signature ceiling, which bounds the
	// code exchanges worth preparing; 0 before it is measured.
	rsaPerSec float64
	// probe measures each scenario's ceiling beside it; nil skips that.
	probe *prober
}

// scenarios are the protocol scenarios in the order they run.
var scenarios = []string{"client_credentials", "authorization_code_exchange", "password_login"}

// runs reports whether scenario is selected.
func (o options) runs(scenario string) bool { return len(o.only) == 0 || o.only[scenario] }

// backendReport is everything measured on one storage backend.
type backendReport struct {
	name                     string
	freshStart, restart      time.Duration
	freshServerMS, restartMS string // startup_ms as the server logged it
	rssIdle, rssAfterLoad    int64
	anonIdle, anonAfterLoad  int64
	results                  []result
	err                      error
	logTail                  string
	accounts                 *accountsReport // PostgreSQL with -accounts only
	size                     *sizeReport     // PostgreSQL with -tokens only
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each scenario runs")
	flag.DurationVar(&o.warmUp, "warmup", 2*time.Second, "how long each scenario runs unmeasured on a freshly started server before its figures (0: none)")
	flag.IntVar(&o.conns, "conns", 64, "concurrent workers (and keep-alive connections)")
	flag.StringVar(&o.postgres, "postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		"PostgreSQL server on which a fresh foyer_bench_* database is created and dropped")
	flag.BoolVar(&o.skipPostgres, "skip-postgres", false, "skip the PostgreSQL backend")
	flag.BoolVar(&o.skipSQLite, "skip-sqlite", false, "skip the SQLite backend")
	flag.StringVar(&o.foyer, "foyer", "", "prebuilt foyer binary (default: go build ./cmd/foyer into a temp dir)")
	flag.IntVar(&o.accounts, "accounts", 30000, "accounts seeded for the account management section on PostgreSQL (0: skip it; 1000000 for the figures of record)")
	flag.IntVar(&o.bulk, "bulk", -1, "accounts the bulk disable job covers (default: a tenth of -accounts, at most 100000; 0: skip)")
	flag.IntVar(&o.searchRequests, "search-requests", 200, "requests per account search figure")
	flag.BoolVar(&o.explain, "explain", false, "print PostgreSQL's EXPLAIN ANALYZE of each account search")
	flag.StringVar(&o.reuse, "reuse-database", "", "a PostgreSQL database whose default store foyer dev seed filled with -accounts accounts "+
		"(seed 1): measured instead of a fresh database, and kept; FOYER_SECRET must be the one it was set up with")
	flag.IntVar(&o.tokens, "tokens", 0, "size mode on PostgreSQL: seed this many stored tokens (a fifth expired) after the empty-database "+
		"figures, run them again and once more beside the expired-row cleanup (10000000 for the figures of record)")
	flag.BoolVar(&o.peer, "peer", true, "also run client credentials against panva's oidc-provider "+peerVersion+
		" (in memory, installed once with npm into the user cache; skipped when node or npm is missing)")
	only := flag.String("only", "", "comma-separated scenarios to run, of "+strings.Join(scenarios, ", ")+" (default: all)")
	flag.Parse()
	if *only != "" {
		o.only = map[string]bool{}
		for name := range strings.SplitSeq(*only, ",") {
			if !slices.Contains(scenarios, name) {
				fmt.Fprintf(os.Stderr, "foyer-bench: -only: unknown scenario %q; the scenarios are %s\n", name, strings.Join(scenarios, ", "))
				os.Exit(2)
			}
			o.only[name] = true
		}
	}
	if o.bulk < 0 {
		o.bulk = min(100000, o.accounts/10)
	}
	if o.duration <= 0 || o.conns <= 0 || o.accounts < 0 || o.tokens < 0 || o.searchRequests <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run benchmarks each backend in turn and prints the tables; it returns
// the exit code: 1 when a backend failed or any request failed.
func run(ctx context.Context, o options, stdout, progress io.Writer) int {
	tmp, err := os.MkdirTemp("", "foyer-bench-")
	if err != nil {
		fmt.Fprintln(progress, "foyer-bench:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	bin := o.foyer
	if bin == "" {
		fmt.Fprintln(progress, "building ./cmd/foyer ...")
		if bin, err = buildFoyer(ctx, tmp); err != nil {
			fmt.Fprintln(progress, "foyer-bench:", err)
			return 1
		}
	}

	fmt.Fprintln(progress, "measuring this machine's RSA and argon2id rates ...")
	probe, err := newProber()
	if err != nil {
		fmt.Fprintln(progress, "foyer-bench:", err)
		return 1
	}
	lim, err := probe.measureLimits(ctx, 2*time.Second)
	if err != nil {
		fmt.Fprintln(progress, "foyer-bench:", err)
		return 1
	}
	o.rsaPerSec = lim.rsaPerSec
	o.probe = probe

	// The peer starts (and installs) before Foyer's runs, and its load runs
	// right after the last backend's client credentials, so the rates it is
	// compared with are measured minutes apart at most on a shared machine.
	peer := startBenchPeer(ctx, o, tmp, progress)
	defer peer.stop(ctx)
	peerAfter := func(backend string) func() {
		last := "postgres"
		if o.skipPostgres {
			last = "sqlite"
		}
		if backend != last {
			return nil
		}
		return func() { peer.measure(ctx, o, progress) }
	}

	var reports []backendReport
	if !o.skipSQLite {
		dir := filepath.Join(tmp, "sqlite")
		if err := os.Mkdir(dir, 0o700); err != nil {
			fmt.Fprintln(progress, "foyer-bench:", err)
			return 1
		}
		reports = append(reports, benchBackend(ctx, o, bin, "sqlite", "sqlite:"+filepath.Join(dir, "foyer.db"), dir, peerAfter("sqlite"), progress))
	}
	if !o.skipPostgres && ctx.Err() == nil {
		reports = append(reports, benchPostgres(ctx, o, bin, tmp, peerAfter("postgres"), progress))
	}
	// Without Foyer's client credentials (both backends skipped, or the
	// last one failed before them) the peer still runs, once.
	peer.measure(ctx, o, progress)
	peer.stop(ctx)

	printReport(stdout, o, lim, reports)
	printPeer(stdout, o, reports, peer)
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "\ninterrupted: the results are partial")
		return 1
	}
	if peer.failed() {
		return 1
	}
	for _, r := range reports {
		if r.err != nil || r.accounts.failed() || r.size.failed() {
			return 1
		}
		for _, res := range r.results {
			if res.errors > 0 {
				return 1
			}
		}
	}
	return 0
}

func benchPostgres(ctx context.Context, o options, bin, tmp string, afterCC func(), progress io.Writer) backendReport {
	if o.reuse != "" {
		return benchBackend(ctx, o, bin, "postgres", o.reuse, tmp, afterCC, progress)
	}
	dbURL, drop, err := createPostgresDatabase(ctx, o.postgres)
	if err != nil {
		return backendReport{name: "postgres", err: err}
	}
	defer func() {
		if err := drop(); err != nil {
			fmt.Fprintln(progress, "foyer-bench:", err)
		}
	}()
	return benchBackend(ctx, o, bin, "postgres", dbURL, tmp, afterCC, progress)
}

// benchBackend starts foyer over databaseURL (fresh, then again over the
// now-existing database), provisions a client and an account, and runs the
// scenarios; afterCC, when not nil, runs right after client credentials.
// The server is stopped on every path out.
func benchBackend(ctx context.Context, o options, bin, name, databaseURL, dir string, afterCC func(), progress io.Writer) (rep backendReport) {
	rep.name = name
	srv, err := newServer(bin, databaseURL, filepath.Join(dir, name+"-server.log"))
	if err != nil {
		rep.err = err
		return rep
	}
	defer func() {
		if err := srv.stop(); err != nil && rep.err == nil {
			rep.err = err
		}
		if ctx.Err() == nil && (rep.err != nil || failed(rep.results)) {
			rep.logTail = srv.tail(tailLines)
		}
	}()

	fmt.Fprintf(progress, "%s: starting foyer on an empty database ...\n", name)
	if rep.freshStart, rep.freshServerMS, err = srv.start(); err != nil {
		rep.err = err
		return rep
	}
	if err := srv.stop(); err != nil {
		rep.err = err
		return rep
	}
	if rep.restart, rep.restartMS, err = srv.start(); err != nil {
		rep.err = err
		return rep
	}
	rep.rssIdle, rep.anonIdle = srv.rss()

	t, err := provision(ctx, srv, name, o.conns)
	if err != nil {
		rep.err = err
		return rep
	}
	defer t.transport.CloseIdleConnections()

	if rep.err = warmUp(ctx, o, t, progress); rep.err != nil {
		return rep
	}
	if rep.results, rep.err = runScenariosThen(ctx, o, t, afterCC, progress); rep.err != nil {
		return rep
	}
	// Let the server settle (idle connections closed) before reading RSS.
	t.transport.CloseIdleConnections()
	time.Sleep(time.Second)
	rep.rssAfterLoad, rep.anonAfterLoad = srv.rss()
	if name == "postgres" && o.accounts > 0 && ctx.Err() == nil {
		rep.accounts = benchAccounts(ctx, o, srv, t, databaseURL, scenarioResult(rep.results, "password_login"), progress)
	}
	if name == "postgres" && o.tokens > 0 && ctx.Err() == nil {
		rep.size = benchSize(ctx, o, srv, t, databaseURL, rep.results, progress)
	}
	return rep
}

// warmUp loads a freshly started server with each scenario for o.warmUp,
// unmeasured, so the empty-database figures are not a cold server's: its
// connection pools still growing, pages bound to their language on first
// use, PostgreSQL's first plans. The size mode compares against those
// figures, and a cold first figure made every sized one look faster.
func warmUp(ctx context.Context, o options, t *target, progress io.Writer) error {
	if o.warmUp <= 0 {
		return nil
	}
	fmt.Fprintf(progress, "%s: warming up, %v of each scenario, not measured ...\n", t.backend, o.warmUp)
	var errs []error
	check := func(r result) {
		for msg, n := range r.errorKind {
			errs = append(errs, fmt.Errorf("warm-up %s: %d × %s", r.scenario, n, msg))
		}
	}
	if o.runs("client_credentials") {
		check(runLoad(ctx, t, "client_credentials", o.conns, o.warmUp, func(int) iteration { return t.clientCredentials() }))
	}
	if o.runs("authorization_code_exchange") {
		codes, prep, err := t.prepareCodes(ctx, o.conns, 4*o.conns)
		if err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		check(prep)
		check(runLoad(ctx, t, "authorization_code_exchange", o.conns, o.warmUp, func(int) iteration { return t.exchange(codes) }))
	}
	if o.runs("password_login") {
		check(runLoad(ctx, t, "password_login", o.conns, o.warmUp, t.passwordLogin))
	}
	return errors.Join(errs...)
}

// scenarioResult is the named scenario's result, nil when it did not run.
func scenarioResult(results []result, scenario string) *result {
	for i := range results {
		if results[i].scenario == scenario {
			return &results[i]
		}
	}
	return nil
}

// around runs a scenario between measurements of its ceiling when the
// options have a prober.
func (o options) around(ctx context.Context, t *target, scenario string, run func() result) result {
	if o.probe == nil {
		return run()
	}
	return o.probe.around(ctx, scenario, t.serverPID, run)
}

// runScenarios runs the selected scenarios in order.
func runScenarios(ctx context.Context, o options, t *target, progress io.Writer) ([]result, error) {
	return runScenariosThen(ctx, o, t, nil, progress)
}

// runScenariosThen is runScenarios with afterCC, when not nil, run right
// after client credentials (the peer's turn, with this server idle).
func runScenariosThen(ctx context.Context, o options, t *target, afterCC func(), progress io.Writer) ([]result, error) {
	var results []result
	if o.runs("client_credentials") {
		fmt.Fprintf(progress, "%s: client_credentials for %v ...\n", t.backend, o.duration)
		results = append(results, o.around(ctx, t, "client_credentials", func() result {
			return runLoad(ctx, t, "client_credentials", o.conns, o.duration, func(int) iteration { return t.clientCredentials() })
		}))
	}
	if afterCC != nil {
		afterCC()
	}

	if o.runs("authorization_code_exchange") {
		// An exchange signs an ID token, so it cannot outrun the RSA
		// ceiling measured on the same cores: more codes than that
		// would only lengthen the preparation.
		n := min(maxCodes, int(o.rsaPerSec*o.duration.Seconds()*1.25)+o.conns)
		fmt.Fprintf(progress, "%s: preparing %d authorization codes ...\n", t.backend, n)
		codes, prep, err := t.prepareCodes(ctx, o.conns, n)
		if err != nil {
			return results, err
		}
		results = append(results, prep)
		fmt.Fprintf(progress, "%s: authorization_code_exchange ...\n", t.backend)
		ex := o.around(ctx, t, "authorization_code_exchange", func() result {
			return runLoad(ctx, t, "authorization_code_exchange", o.conns, o.duration, func(int) iteration { return t.exchange(codes) })
		})
		if len(codes) == 0 {
			ex.note = fmt.Sprintf("all %d prepared codes used in %v", n, ex.elapsed.Round(time.Millisecond))
		}
		results = append(results, ex)
	}

	if o.runs("password_login") {
		fmt.Fprintf(progress, "%s: password_login for %v ...\n", t.backend, o.duration)
		results = append(results, o.around(ctx, t, "password_login", func() result {
			return runLoad(ctx, t, "password_login", o.conns, o.duration, t.passwordLogin)
		}))
	}
	return results, nil
}

// provision creates the confidential client and the account through the
// CLI while the server runs, and checks discovery answers.
func provision(ctx context.Context, srv *server, backend string, conns int) (*target, error) {
	out, err := srv.cli(ctx, "client", "create", "--name", "bench", "--redirect-uri", redirectURI,
		"--grant", "authorization_code,refresh_token,client_credentials", "--first-party", "--json")
	if err != nil {
		return nil, err
	}
	var client struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &client); err != nil || client.Secret == "" {
		return nil, fmt.Errorf("foyer client create printed %q", out)
	}
	// One account per connection: the sign-in lockout counts attempts per
	// identifier (ten in flight at most), and a load of real users is many
	// accounts, not one account signing in 64 times at once.
	accounts, err := createAccounts(ctx, srv, conns)
	if err != nil {
		return nil, err
	}
	t := &target{
		backend:      backend,
		issuer:       srv.issuer,
		clientID:     client.ID,
		clientSecret: client.Secret,
		redirectURI:  redirectURI,
		accounts:     accounts,
		transport:    newTransport(conns),
		serverPID:    srv.pid(),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, err
	}
	r, err := do(t.httpClient(nil), req)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, statusError(req, r)
	}
	return t, nil
}

// newTransport keeps one keep-alive connection per worker.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil, // loopback only, never through a proxy
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
	}
}

func failed(results []result) bool {
	for _, r := range results {
		if r.errors > 0 {
			return true
		}
	}
	return false
}

func printReport(w io.Writer, o options, lim limits, reports []backendReport) {
	fmt.Fprintf(w, "\nmachine: %d CPUs, %s/%s, %s; %d conns, %v per scenario\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.conns, o.duration)
	fmt.Fprintf(w, "limits measured at the start of this run, every core busy: %.0f RSA-2048 signatures/s, %.1f argon2id hashes/s (OWASP);\n"+
		"each scenario's limit below is its own, measured for %v right before and right after it (the larger)\n\n",
		lim.rsaPerSec, lim.argon2PerSec, besideWindow)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "backend\tscenario\tconns\trequests\terrors\treq/s\tp50\tp99\tlimit\tratio")
	for _, r := range reports {
		for _, res := range r.results {
			limit, unit := lim.limitOf(res)
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.1f\t%s\t%s\t%.0f %s\t%.3f\n", res.backend, res.scenario, res.conns,
				res.requests(), res.errors, res.rate(), ms(res.percentile(50)), ms(res.percentile(99)), limit, unit, res.rate()/limit)
		}
	}
	_ = tw.Flush()
	printCPU(w, reports)

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "backend\tstart_to_ready(existing db)\tstart_to_ready(fresh db)\trss_idle (anonymous)\trss_after_load (anonymous)")
	for _, r := range reports {
		if r.restart == 0 {
			continue
		}
		verdict := "within"
		if r.restart >= startTarget {
			verdict = "OVER"
		}
		fmt.Fprintf(tw, "%s\t%s (server %s ms; %s %v)\t%s (server %s ms)\t%s\t%s\n", r.name,
			seconds(r.restart), r.restartMS, verdict, startTarget, seconds(r.freshStart), r.freshServerMS,
			withAnonymous(r.rssIdle, r.anonIdle), withAnonymous(r.rssAfterLoad, r.anonAfterLoad))
	}
	_ = tw.Flush()

	notes := false
	for _, r := range reports {
		for _, res := range r.results {
			if res.note == "" && res.errors == 0 {
				continue
			}
			if !notes {
				fmt.Fprintln(w, "\nnotes:")
				notes = true
			}
			if res.note != "" {
				fmt.Fprintf(w, "  %s %s: %s\n", res.backend, res.scenario, res.note)
			}
			for _, line := range res.errorSummary() {
				fmt.Fprintf(w, "  %s %s error: %s\n", res.backend, res.scenario, line)
			}
		}
	}
	for _, r := range reports {
		printAccounts(w, o, r.accounts)
		printSize(w, o, r.size)
	}
	for _, r := range reports {
		if r.err != nil {
			fmt.Fprintf(w, "\n%s FAILED: %v\n", r.name, r.err)
		}
		if r.logTail != "" {
			fmt.Fprintf(w, "\n%s server log (last %d lines):\n%s\n", r.name, tailLines, r.logTail)
		}
	}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// createAccounts makes n accounts with the CLI, four at a time.
func createAccounts(ctx context.Context, srv *server, n int) ([]account, error) {
	accounts := make([]account, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range accounts {
		accounts[i] = account{email: fmt.Sprintf("bench-%d-%s@bench.example", i, randomHex(4)), password: "pw-" + randomHex(12)}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, errs[i] = srv.cli(ctx, "account", "create", "--email", accounts[i].email, "--password", accounts[i].password, "--verified")
		})
	}
	wg.Wait()
	return accounts, errors.Join(errs...)
}
