package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"foyer/storage"
)

// codeBatchMax bounds one grouped code use: 16 exchanges of two tokens
// stay far below PostgreSQL's limit on bound parameters.
const codeBatchMax = 16

// codeBatcher groups the UseCode writes of concurrent code exchanges on
// PostgreSQL into one statement, as tokenBatcher does for token inserts:
// one writer writes whatever queued during its previous write, so many
// exchanges share one commit (whose flush was a large part of the
// database's work per exchange), and a lone exchange is written at once.
type codeBatcher struct {
	s *Store

	mu      sync.Mutex
	queue   []*codeUse
	closed  bool
	wake    chan struct{} // capacity 1: "the queue is not empty"
	stopped chan struct{} // closed when the writer has returned
}

// codeUse is one caller's UseCode; done receives its own outcome.
type codeUse struct {
	ctx        context.Context
	signature  string
	companions []storage.TokenKind
	issued     []*storage.Token
	done       chan error
}

func newCodeBatcher(s *Store) *codeBatcher {
	b := &codeBatcher{s: s, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go b.run()
	return b
}

// use queues one code use and waits for its outcome.
func (b *codeBatcher) use(ctx context.Context, u *codeUse) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return errBatcherClosed
	}
	b.queue = append(b.queue, u)
	select { // under the lock, so close cannot close wake in between
	case b.wake <- struct{}{}:
	default:
	}
	b.mu.Unlock()
	select {
	case err := <-u.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("sqlstore: use code: %w", ctx.Err())
	}
}

func (b *codeBatcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.wake)
	}
	b.mu.Unlock()
	<-b.stopped
}

func (b *codeBatcher) run() {
	defer close(b.stopped)
	for range b.wake {
		b.drain()
	}
	b.drain()
}

// drain writes batches until the queue is empty; a batch whose callers
// all gave up writes nothing but does not stop the ones behind it.
func (b *codeBatcher) drain() {
	for {
		batch, more := b.take()
		if len(batch) > 0 {
			b.write(batch)
		}
		if !more {
			return
		}
	}
}

// take removes up to codeBatchMax queued uses of distinct codes, answering
// at once those whose caller has given up, and reports whether more wait:
// a second use of a code stays queued for the next statement, which then
// finds the code used (in one statement both would see it unused).
func (b *codeBatcher) take() (batch []*codeUse, more bool) {
	seen := map[string]bool{}
	var taken, left []*codeUse
	b.mu.Lock()
	for _, u := range b.queue {
		if len(taken) < codeBatchMax && !seen[u.signature] {
			seen[u.signature] = true
			taken = append(taken, u)
		} else {
			left = append(left, u)
		}
	}
	b.queue = left
	b.mu.Unlock()
	for _, u := range taken {
		if err := u.ctx.Err(); err != nil {
			u.done <- err
			continue
		}
		batch = append(batch, u)
	}
	return batch, len(left) > 0
}

// write runs the batch as one statement; if it fails, nothing of it was
// written, and each use runs alone so that each caller gets its own
// answer (a taken token signature fails only its own exchange).
func (b *codeBatcher) write(batch []*codeUse) {
	if len(batch) > 1 {
		ctx, cancel := context.WithTimeout(context.Background(), tokenBatchTimeout)
		used, err := b.s.useCodes(ctx, batch)
		cancel()
		if err == nil {
			for _, u := range batch {
				if used[u.signature] {
					u.done <- nil
				} else {
					u.done <- fmt.Errorf("sqlstore: use code: %w", storage.ErrNotFound)
				}
			}
			return
		}
	}
	for _, u := range batch {
		u.done <- b.s.useCodeAlone(u.ctx, u.signature, u.companions, u.issued)
	}
}

// useCodes is the grouped statement: every code of the batch whose
// conditional update succeeds loses its companions and gets its tokens;
// it returns the codes used.
func (s *Store) useCodes(ctx context.Context, batch []*codeUse) (map[string]bool, error) {
	query, args := useCodesSQL(batch)
	rows, err := s.sqlDB.QueryContext(ctx, query, args...)
	if s.statementHook != nil {
		s.statementHook(ctx, query)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	used := map[string]bool{}
	for rows.Next() {
		var sig string
		if err := rows.Scan(&sig); err != nil {
			return nil, err
		}
		used[sig] = true
	}
	return used, rows.Err()
}

// useCodesSQL is useCodeSQL for several codes: the codes, the companion
// records and the tokens are VALUES lists joined on the code.
func useCodesSQL(batch []*codeUse) (string, []any) {
	args := []any{string(storage.TokenAuthorizeCode)}
	param := func(v any, cast string) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)) + cast
	}
	var codes, companions, issued []string
	for _, u := range batch {
		codes = append(codes, "("+param(u.signature, "::text")+")")
		for _, k := range u.companions {
			companions = append(companions, "("+param(u.signature, "::text")+", "+param(string(k), "::text")+")")
		}
		for _, t := range u.issued {
			cols := []string{param(u.signature, "::text")}
			for c, v := range tokenArgs(t, nil) {
				cols = append(cols, param(v, tokenCasts[c]))
			}
			issued = append(issued, "("+strings.Join(cols, ", ")+")")
		}
	}
	var q strings.Builder
	q.WriteString(`WITH req (signature) AS (VALUES ` + strings.Join(codes, ", ") + `), ` +
		`used AS (UPDATE oauth2_tokens t SET active = FALSE FROM req WHERE t.kind = $1 AND t.signature = req.signature AND t.active RETURNING t.signature)`)
	if len(companions) > 0 {
		q.WriteString(`, gone AS (DELETE FROM oauth2_tokens t USING (VALUES ` + strings.Join(companions, ", ") +
			`) AS c (signature, kind) WHERE t.signature = c.signature AND t.kind = c.kind AND c.signature IN (SELECT signature FROM used))`)
	}
	if len(issued) > 0 {
		q.WriteString(`, issued AS (` + strings.TrimSuffix(tokenColumns, "VALUES ") +
			`SELECT v.kind, v.signature, v.request_id, v.client_id, v.subject, v.session_id, v.active, v.data, v.created_at, v.expires_at FROM (VALUES ` +
			strings.Join(issued, ", ") + `) AS v (code, kind, signature, request_id, client_id, subject, session_id, active, data, created_at, expires_at) ` +
			`WHERE v.code IN (SELECT signature FROM used) RETURNING 1)`)
	}
	q.WriteString(` SELECT signature FROM used`)
	return q.String(), args
}
