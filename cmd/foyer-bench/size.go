package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"foyer/cmd/internal/devseed"
	"foyer/storage/sqlstore"
)

// sizeDropLimit is how much slower a protocol figure may get on the
// sized database than on the empty one.
const sizeDropLimit = 0.10

// sizeReport is the size mode (PostgreSQL, -tokens): the protocol
// scenarios again once the token table holds -tokens rows (and the store
// the -accounts accounts), and a client-credentials load while the
// expired-row cleanup runs.
type sizeReport struct {
	tokens        *devseed.TokenResult
	empty, sized  []result
	duringCleanup *result
	cleanupOut    string
	cleanupTime   time.Duration
	checkpoint    time.Duration // the CHECKPOINT after the seed
	err           error
}

// benchSize seeds the tokens, runs the scenarios again and then one
// client-credentials run beside `foyer cleanup`.
func benchSize(ctx context.Context, o options, srv *server, t *target, databaseURL string, empty []result,
	progress io.Writer) *sizeReport {
	rep := &sizeReport{empty: empty}
	s, err := sqlstore.Open(ctx, databaseURL, sqlstore.WithMaxOpenConns(4))
	if err != nil {
		rep.err = err
		return rep
	}
	fmt.Fprintf(progress, "postgres: seeding %d stored tokens ...\n", o.tokens)
	rep.tokens, err = devseed.SeedTokens(ctx, s, devseed.TokenOptions{Count: o.tokens, ClientID: t.clientID,
		ExpiredShare: 0.2, Progress: progress})
	if err == nil {
		// Fresh statistics, as autovacuum would have them on a database
		// that grew over months rather than minutes.
		err = s.Analyze(ctx, "oauth2_tokens")
	}
	if err == nil {
		rep.checkpoint, err = checkpoint(ctx, s, progress)
	}
	_ = s.Close()
	if err != nil {
		rep.err = fmt.Errorf("seed tokens: %w", err)
		return rep
	}
	if rep.sized, err = runScenarios(ctx, o, t, progress); err != nil {
		rep.err = err
		return rep
	}
	fmt.Fprintf(progress, "postgres: client_credentials while foyer cleanup deletes the expired tokens ...\n")
	done := make(chan struct{})
	go func() {
		defer close(done)
		began := time.Now()
		out, err := srv.cli(ctx, "cleanup")
		rep.cleanupTime, rep.cleanupOut = time.Since(began), strings.TrimSpace(string(out))
		if err != nil {
			rep.cleanupOut = err.Error()
		}
	}()
	during := runLoad(ctx, t, "client_credentials", o.conns, o.duration, func(int) iteration { return t.clientCredentials() })
	rep.duringCleanup = &during
	<-done
	return rep
}

// checkpoint waits for PostgreSQL to write out what the seed and its
// VACUUM dirtied: otherwise the sized runs pay for that write-back and
// measure the seed, not a database that holds the tokens.
func checkpoint(ctx context.Context, s *sqlstore.Store, progress io.Writer) (time.Duration, error) {
	fmt.Fprintf(progress, "postgres: CHECKPOINT after the seed ...\n")
	began := time.Now()
	if err := s.Checkpoint(ctx); err != nil {
		return 0, err
	}
	took := time.Since(began)
	fmt.Fprintf(progress, "postgres: CHECKPOINT done in %.1f s\n", took.Seconds())
	return took, nil
}

func (rep *sizeReport) failed() bool {
	if rep == nil {
		return false
	}
	return rep.err != nil || failed(rep.sized) || rep.duringCleanup != nil && rep.duringCleanup.errors > 0
}

func printSize(w io.Writer, o options, rep *sizeReport) {
	if rep == nil {
		return
	}
	fmt.Fprintf(w, "\nsize mode (postgres): %d stored tokens", o.tokens)
	if rep.tokens != nil {
		fmt.Fprintf(w, " (%d expired; seeded in %.1f s, then CHECKPOINT in %.1f s)", rep.tokens.Expired,
			rep.tokens.Elapsed.Seconds(), rep.checkpoint.Seconds())
	}
	if o.accounts > 0 {
		fmt.Fprintf(w, " and %d seeded accounts", o.accounts)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tempty req/s\tsized req/s\tempty p99\tsized p99\tratio\t")
	for _, sized := range rep.sized {
		empty := scenarioResult(rep.empty, sized.scenario)
		if empty == nil || empty.rate() == 0 {
			continue
		}
		ratio := sized.rate() / empty.rate()
		verdict := "within"
		if ratio < 1-sizeDropLimit {
			verdict = "OVER"
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%s\t%s\t%.3f\t%s the %.0f %% drop allowed\n", sized.scenario, empty.rate(), sized.rate(),
			ms(empty.percentile(99)), ms(sized.percentile(99)), ratio, verdict, sizeDropLimit*100)
	}
	_ = tw.Flush()
	if d, before := rep.duringCleanup, scenarioResult(rep.sized, "client_credentials"); d != nil && before != nil {
		fmt.Fprintf(w, "client_credentials during the cleanup: %.1f/s, p50 %s, p99 %s (before it: %.1f/s, p99 %s); cleanup: %s, %.1f s\n",
			d.rate(), ms(d.percentile(50)), ms(d.percentile(99)), before.rate(), ms(before.percentile(99)), rep.cleanupOut,
			rep.cleanupTime.Seconds())
	}
	if rep.err != nil {
		fmt.Fprintf(w, "size mode FAILED: %v\n", rep.err)
	}
}
