package sqlstore

import (
	"context"
	"runtime"
)

// WaitQueuedTokens returns once n token inserts wait in the batcher's queue
// (or ctx ends): tests hold the writer and fill the queue behind it.
func WaitQueuedTokens(ctx context.Context, s *Store, n int) error {
	for {
		if s.tokens.w.queued() >= n {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
	}
}

// WaitQueuedCodeUses is WaitQueuedTokens for the code-use batcher.
func WaitQueuedCodeUses(ctx context.Context, s *Store, n int) error {
	for {
		if s.codes.w.queued() >= n {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
	}
}
