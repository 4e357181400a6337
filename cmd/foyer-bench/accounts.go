package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"foyer/cmd/internal/devseed"
	"foyer/storage/sqlstore"
)

const (
	// searchLimit is the p95 target of every account search figure.
	searchLimit = 100 * time.Millisecond
	// signInDropLimit is how much slower sign-in may get on the seeded
	// store than on the empty one.
	signInDropLimit = 0.10
	// benchStore is the store the bench seeds: the default application's,
	// so the sign-in scenario runs against the seeded store.
	benchStore = "default"
)

// accountsReport is the account management section (PostgreSQL only).
type accountsReport struct {
	seed     *devseed.Result
	searches []searchFigure
	plans    []queryPlan
	// signInEmpty and signInSeeded are the password_login scenario before
	// and after seeding.
	signInEmpty, signInSeeded *result
	bulk                      *bulkReport
	err                       error
}

// benchAccounts seeds the default store through the dev seed library and
// measures the account search, sign-in on the seeded store and a bulk
// disable with a crash in the middle. The server keeps running on exit.
func benchAccounts(ctx context.Context, o options, srv *server, t *target, databaseURL string,
	empty *result, progress io.Writer) *accountsReport {
	rep := &accountsReport{signInEmpty: empty}
	admin, err := provisionAdmin(ctx, srv, t)
	if err == nil {
		err = admin.setSchema(ctx, benchStore)
	}
	if err != nil {
		rep.err = fmt.Errorf("admin API: %w", err)
		return rep
	}
	s, err := sqlstore.Open(ctx, databaseURL, sqlstore.WithMaxOpenConns(4))
	if err != nil {
		rep.err = err
		return rep
	}
	defer s.Close()
	if rep.seed, err = seedOrDescribe(ctx, o, s, progress); err != nil {
		rep.err = fmt.Errorf("seed: %w", err)
		return rep
	}
	if o.reuse == "" {
		fmt.Fprintf(progress, "postgres: password_login on the seeded store for %v ...\n", o.duration)
		seeded := runLoad(ctx, t, "password_login", o.conns, o.duration, t.passwordLogin)
		rep.signInSeeded = &seeded
	}

	fmt.Fprintf(progress, "postgres: account searches, %d requests each ...\n", o.searchRequests)
	if rep.searches, err = runSearches(ctx, admin, rep.seed, o.searchRequests); err != nil {
		rep.err = err
		return rep
	}
	if o.explain {
		if rep.plans, err = explainSearches(ctx, s, rep.searches); err != nil {
			rep.err = fmt.Errorf("explain: %w", err)
			return rep
		}
	}
	if o.bulk > 0 {
		rep.bulk, err = benchBulkDisable(ctx, o, srv, admin, databaseURL, rep.seed, progress)
		if err != nil {
			rep.err = fmt.Errorf("bulk disable: %w", err)
		}
	}
	return rep
}

// seedOrDescribe seeds the default store, or with -reuse-database reads
// back the seed an earlier foyer dev seed wrote.
func seedOrDescribe(ctx context.Context, o options, s *sqlstore.Store, progress io.Writer) (*devseed.Result, error) {
	opts := devseed.Options{StoreID: benchStore, Accounts: o.accounts, Groups: 20, Seed: 1, Progress: progress,
		Force: true} // the store holds the sign-in scenario's accounts already
	if o.reuse == "" {
		fmt.Fprintf(progress, "postgres: seeding %d accounts ...\n", o.accounts)
		return devseed.Seed(ctx, s, opts)
	}
	n, err := s.CountAccounts(ctx, benchStore)
	if err != nil {
		return nil, err
	}
	if n < int64(o.accounts) {
		return nil, fmt.Errorf("-reuse-database: the default store holds %d accounts, fewer than -accounts %d", n, o.accounts)
	}
	return devseed.Describe(ctx, s, opts)
}

// failed reports whether the section failed or missed a request.
func (rep *accountsReport) failed() bool {
	if rep == nil {
		return false
	}
	if rep.err != nil || rep.signInSeeded != nil && rep.signInSeeded.errors > 0 {
		return true
	}
	for _, f := range rep.searches {
		if f.res.errors > 0 {
			return true
		}
	}
	return rep.bulk != nil && len(rep.bulk.problems) > 0
}

func printAccounts(w io.Writer, o options, rep *accountsReport) {
	if rep == nil {
		return
	}
	fmt.Fprintf(w, "\naccount management (postgres, %d seeded accounts", o.accounts)
	if o.reuse != "" {
		fmt.Fprint(w, ", seeded before: -reuse-database")
	} else if rep.seed != nil {
		fmt.Fprintf(w, ", seeded in %.1f s: %.0f accounts/s", rep.seed.Elapsed.Seconds(),
			float64(rep.seed.Accounts)/rep.seed.Elapsed.Seconds())
	}
	fmt.Fprintln(w, ")")
	if len(rep.searches) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "search\trequests\terrors\tavg items\tp50\tp95\tlimit (p95)\tratio\t")
		for _, f := range rep.searches {
			p95 := f.res.percentile(95)
			verdict := "within"
			if p95 >= searchLimit {
				verdict = "OVER"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\t%s\t%v\t%.3f\t%s\n", f.name, f.res.requests(), f.res.errors,
				f.avgItems(), ms(f.res.percentile(50)), ms(p95), searchLimit, float64(p95)/float64(searchLimit), verdict)
		}
		_ = tw.Flush()
	}
	if o.reuse != "" {
		fmt.Fprintln(w, "\npassword_login in the table above ran on the seeded store; compare it with a run on a fresh database")
	}
	printSignInRatio(w, rep)
	printBulk(w, rep.bulk)
	for _, p := range rep.plans {
		fmt.Fprintf(w, "\nEXPLAIN (ANALYZE, BUFFERS) %s: %s\n%s\n%s", p.name, p.query, p.sql, p.plan)
	}
	if rep.err != nil {
		fmt.Fprintf(w, "\naccount management FAILED: %v\n", rep.err)
	}
	for _, f := range rep.searches {
		for _, line := range f.res.errorSummary() {
			fmt.Fprintf(w, "  search %s error: %s\n", f.name, line)
		}
	}
}

// printSignInRatio compares sign-ins per second on the seeded store with
// the empty store's.
func printSignInRatio(w io.Writer, rep *accountsReport) {
	if rep.signInEmpty == nil || rep.signInSeeded == nil || rep.signInEmpty.rate() == 0 {
		return
	}
	e, s := rep.signInEmpty, rep.signInSeeded
	ratio := s.rate() / e.rate()
	verdict := "within"
	if ratio < 1-signInDropLimit {
		verdict = "OVER"
	}
	fmt.Fprintf(w, "\npassword_login: %.1f/s (p50 %s, p99 %s) on the seeded store vs %.1f/s (p50 %s, p99 %s) empty: "+
		"ratio %.3f (%s the %.0f %% drop allowed)\n", s.rate(), ms(s.percentile(50)), ms(s.percentile(99)),
		e.rate(), ms(e.percentile(50)), ms(e.percentile(99)), ratio, verdict, signInDropLimit*100)
}
