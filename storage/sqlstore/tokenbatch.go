package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

// tokenBatchMax bounds one grouped INSERT: 64 rows of 10 values stay far
// below both databases' limits on bound parameters.
const tokenBatchMax = 64

// tokenBatchTimeout bounds one grouped INSERT, which runs on behalf of
// several requests and so under none of their contexts.
const tokenBatchTimeout = 30 * time.Second

// errBatcherClosed is what a caller waiting on a closed batcher would get;
// Close flushes first, so it is only seen by inserts racing Close.
var errBatcherClosed = errors.New("sqlstore: token batcher closed")

// tokenBatcher groups token inserts that arrive while another insert is
// being written into one multi-row INSERT (one statement, so one
// transaction and one commit), through a groupWriter.
type tokenBatcher struct {
	s *Store
	w *groupWriter[*pendingToken]
}

// pendingToken is one caller's insert; done receives its own outcome.
type pendingToken struct {
	ctx  context.Context
	t    *storage.Token
	done chan error // capacity 1, so the writer never blocks on a caller
	// call is shared by the rows of one insertAll, nil for a lone insert.
	call *struct{ n int }
}

func (p *pendingToken) waiting() context.Context { return p.ctx }
func (p *pendingToken) answer(err error)         { p.done <- err }

func newTokenBatcher(s *Store) *tokenBatcher {
	b := &tokenBatcher{s: s}
	b.w = newGroupWriter(pickTokens, b.write)
	return b
}

// insert queues t and waits until its row is committed (nil) or refused
// (the error of inserting it alone). It returns early only when ctx ends;
// the row may then still be committed, unknown to anyone.
func (b *tokenBatcher) insert(ctx context.Context, t *storage.Token) error {
	p := &pendingToken{ctx: ctx, t: t, done: make(chan error, 1)}
	if err := b.w.add(p); err != nil {
		return err
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("sqlstore: create %s: %w", t.Kind, ctx.Err())
	}
}

// close writes what is queued, stops the writer and waits for it.
func (b *tokenBatcher) close() { b.w.close() }

// pickTokens takes up to tokenBatchMax queued inserts, oldest first.
func pickTokens(queue []*pendingToken) (batch, left []*pendingToken) {
	n := min(len(queue), tokenBatchMax)
	if n == len(queue) {
		return queue, nil // let the backing array go with the batch
	}
	return queue[:n:n], queue[n:]
}

// write inserts the batch in one statement. If that fails, nothing of it
// was written (one statement is atomic), and each row is inserted alone so
// that each caller gets its own answer: a duplicate signature is
// ErrConflict for its caller only.
func (b *tokenBatcher) write(batch []*pendingToken) {
	batch = live(batch)
	if len(batch) > 1 {
		// A batch of one caller's rows (CreateTokens) runs in its context,
		// so the statement is that request's, in logs and counts alike.
		base := context.Background()
		if oneCaller(batch) {
			base = batch[0].ctx
		}
		ctx, cancel := context.WithTimeout(base, tokenBatchTimeout)
		err := b.s.insertTokens(ctx, batch)
		cancel()
		if err == nil {
			for _, p := range batch {
				p.done <- nil
			}
			return
		}
	}
	for _, p := range batch {
		p.done <- b.s.insertToken(p.ctx, p.t)
	}
}

// tokenColumns starts the INSERT; tokenArgs gives the values in this order.
const tokenColumns = "INSERT INTO oauth2_tokens (kind, signature, request_id, client_id, subject, session_id, active, data, created_at, expires_at) VALUES "

const tokenColumnCount = 10

// insertTokenSQL is the INSERT of that many rows, in the dialect's
// placeholders.
func (s *Store) insertTokenSQL(rows int) string { return s.insertTokenSQLFrom(rows, 1) }

// insertTokenSQLFrom is insertTokenSQL whose PostgreSQL parameters start
// at $first, after a statement's own.
func (s *Store) insertTokenSQLFrom(rows, first int) string {
	var q strings.Builder
	q.Grow(len(tokenColumns) + rows*tokenColumnCount*5)
	q.WriteString(tokenColumns)
	for r := range rows {
		if r > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for c := range tokenColumnCount {
			if c > 0 {
				q.WriteString(", ")
			}
			if s.dialect == migrations.Postgres {
				q.WriteString("$" + strconv.Itoa(first+r*tokenColumnCount+c))
			} else {
				q.WriteByte('?')
			}
		}
		q.WriteByte(')')
	}
	return q.String()
}

// insertToken writes one row in the context's transaction, if any.
func (s *Store) insertToken(ctx context.Context, t *storage.Token) error {
	pool := gorm.ConnPool(s.sqlDB)
	if tx, ok := ctx.Value(txKey{s}).(*gorm.DB); ok {
		pool = tx.Statement.ConnPool
	}
	return wrapErr(s.exec(ctx, pool, s.insertOne, tokenArgs(t, nil)), "create %s", t.Kind)
}

// insertTokens writes the batch's rows in one multi-row INSERT. A failure
// is not noted in the callers' requests: write retries each row alone, in
// its caller's context, and that outcome is the one that counts.
func (s *Store) insertTokens(ctx context.Context, batch []*pendingToken) error {
	args := make([]any, 0, len(batch)*tokenColumnCount)
	for _, p := range batch {
		args = tokenArgs(p.t, args)
	}
	return s.exec(ctx, s.sqlDB, s.insertTokenSQL(len(batch)), args)
}

// exec runs a statement on pool directly, not through GORM, whose
// reflection and placeholder rewriting cost a token about 30 allocations;
// it reports to the statement hook and notes a failure as GORM's
// callbacks would.
func (s *Store) exec(ctx context.Context, pool gorm.ConnPool, query string, args []any) error {
	_, err := pool.ExecContext(ctx, query, args...)
	if s.statementHook != nil {
		s.statementHook(ctx, query)
	}
	noteFailure(ctx, err)
	return err
}

// tokenArgs appends t's column values to args. A zero ExpiresAt is stored
// as NULL ("never").
func tokenArgs(t *storage.Token, args []any) []any {
	var expires *time.Time
	if !t.ExpiresAt.IsZero() {
		expires = &t.ExpiresAt
	}
	return append(args, string(t.Kind), t.Signature, t.RequestID, t.ClientID, t.Subject, t.SessionID,
		t.Active, t.Data, t.CreatedAt, expires)
}

// oneCaller reports whether every row of the batch came from one context.
func oneCaller(batch []*pendingToken) bool {
	first := batch[0].call
	if first == nil || first.n != len(batch) {
		return false
	}
	for _, p := range batch[1:] {
		if p.call != first {
			return false
		}
	}
	return true
}

// insertAll queues every token at once, so they share one grouped INSERT
// (with whatever else is queued), and waits for all of them. It returns
// the first refusal; the others may then be committed.
func (b *tokenBatcher) insertAll(ctx context.Context, ts []*storage.Token) error {
	pending := make([]*pendingToken, len(ts))
	call := &struct{ n int }{len(ts)}
	for i, t := range ts {
		pending[i] = &pendingToken{ctx: ctx, t: t, done: make(chan error, 1), call: call}
	}
	if err := b.w.add(pending...); err != nil {
		return err
	}
	var first error
	for _, p := range pending {
		select {
		case err := <-p.done:
			if first == nil {
				first = err
			}
		case <-ctx.Done():
			return fmt.Errorf("sqlstore: create %s: %w", p.t.Kind, ctx.Err())
		}
	}
	return first
}
