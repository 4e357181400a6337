package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"foyer/storage"
)

// codeBatchMax bounds one grouped code use: 16 exchanges of two tokens
// stay far below PostgreSQL's limit on bound parameters.
const codeBatchMax = 16

// codeBatcher groups the UseCode writes of concurrent code exchanges on
// PostgreSQL into one statement, through a groupWriter as tokenBatcher
// does for token inserts, so many exchanges share one commit (whose flush
// was a large part of the database's work per exchange).
type codeBatcher struct {
	s *Store
	w *groupWriter[*codeUse]
}

// codeUse is one caller's UseCode; done receives its own outcome.
type codeUse struct {
	ctx        context.Context
	signature  string
	companions []storage.TokenKind
	issued     []*storage.Token
	done       chan error
}

func (u *codeUse) waiting() context.Context { return u.ctx }
func (u *codeUse) answer(err error)         { u.done <- err }

func newCodeBatcher(s *Store) *codeBatcher {
	b := &codeBatcher{s: s}
	b.w = newGroupWriter(pickCodeUses, b.write)
	return b
}

// use queues one code use and waits for its outcome.
func (b *codeBatcher) use(ctx context.Context, u *codeUse) error {
	if err := b.w.add(u); err != nil {
		return err
	}
	select {
	case err := <-u.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("sqlstore: use code: %w", ctx.Err())
	}
}

func (b *codeBatcher) close() { b.w.close() }

// pickCodeUses takes up to codeBatchMax queued uses of distinct codes, in
// order: a second use of a code stays queued for the next statement,
// which then finds the code used (in one statement both would see it
// unused).
func pickCodeUses(queue []*codeUse) (batch, left []*codeUse) {
	seen := map[string]bool{}
	for _, u := range queue {
		if len(batch) < codeBatchMax && !seen[u.signature] {
			seen[u.signature] = true
			batch = append(batch, u)
		} else {
			left = append(left, u)
		}
	}
	return batch, left
}

// write runs the batch as one statement; if it fails, nothing of it was
// written, and each use runs alone so that each caller gets its own
// answer (a taken token signature fails only its own exchange).
func (b *codeBatcher) write(batch []*codeUse) {
	batch = live(batch)
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
