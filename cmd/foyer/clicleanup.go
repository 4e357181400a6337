package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"foyer/storage/sqlstore"
)

// cleanupCommand is `foyer cleanup`: the ten-minute cleanup of expired
// rows, once, now (after a flood, or from a scheduler when nodes run with
// it off). It takes the same lease the nodes do, so it never runs beside
// a node's.
// cliCleanupLease is how long the command holds the cleanup lease: as
// long as a node with the default interval would, so a node that offers
// meanwhile leaves the work to it.
const cliCleanupLease = 9 * time.Minute

func cleanupCommand(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cleanup", stderr)
	batch := fs.Int("batch", 1000, "rows per statement")
	pause := fs.Duration("pause", 20*time.Millisecond, "pause between statements")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *batch <= 0 || *pause < 0 {
		return usageError(stderr, "cleanup: --batch must be positive and --pause not negative")
	}
	return withStore(ctx, cfg, stderr, func(s *sqlstore.Store, _ []byte) error {
		now := time.Now()
		held, err := s.TryLease(ctx, "cleanup", cfg.nodeID()+"/cli", now, cliCleanupLease)
		if err != nil {
			return err
		}
		if !held {
			return errors.New("cleanup: another node is cleaning up now (its lease ends within the node's FOYER_CLEANUP_INTERVAL); try later")
		}
		start := time.Now()
		tokens, rows := purge(ctx, s, now, purgeBatch{size: *batch, pause: *pause}, slog.New(slog.NewTextHandler(stderr, nil)))
		fmt.Fprintf(stdout, "deleted %d expired tokens and %d other expired rows in %.1f s\n", tokens, rows, time.Since(start).Seconds())
		return ctx.Err()
	})
}
