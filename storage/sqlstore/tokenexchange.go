package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"foyer/storage"
	"foyer/storage/migrations"
)

// UseCode marks the authorization code used, deletes its companion
// records and stores the tokens issued for it, all or nothing. On
// PostgreSQL that is one statement (data-modifying WITH clauses run in
// the statement's own transaction): one round trip and one commit instead
// of the six of BEGIN, UPDATE, DELETE, two INSERTs and COMMIT, which made
// up most of the database's work per code exchange; and concurrent
// exchanges share one such statement, and so one commit (codeBatcher). On
// SQLite, whose statements cost no round trip, it is those statements in
// a transaction.
func (s *Store) UseCode(ctx context.Context, signature string, companions []storage.TokenKind, issued []*storage.Token) error {
	for _, t := range issued {
		t.CreatedAt = orNow(t.CreatedAt)
		if !t.ExpiresAt.IsZero() {
			t.ExpiresAt = dbTime(t.ExpiresAt)
		}
	}
	_, inTx := ctx.Value(txKey{s}).(*gorm.DB)
	if s.dialect != migrations.Postgres || inTx {
		return s.inTx(ctx, func(tx *gorm.DB) error {
			txCtx := context.WithValue(ctx, txKey{s}, tx)
			if err := s.DeactivateToken(txCtx, storage.TokenAuthorizeCode, signature); err != nil {
				return err
			}
			if _, err := s.DeleteTokensBySignature(txCtx, signature, companions); err != nil {
				return err
			}
			for _, t := range issued {
				if err := s.insertToken(txCtx, t); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return s.codes.use(ctx, &codeUse{ctx: ctx, signature: signature, companions: companions, issued: issued, done: make(chan error, 1)})
}

// useCodeAlone is UseCode's statement for one code (PostgreSQL).
func (s *Store) useCodeAlone(ctx context.Context, signature string, companions []storage.TokenKind, issued []*storage.Token) error {
	query, args := useCodeSQL(signature, companions, issued)
	var used int
	err := s.sqlDB.QueryRowContext(ctx, query, args...).Scan(&used)
	if s.statementHook != nil {
		s.statementHook(ctx, query)
	}
	noteFailure(ctx, err)
	if err != nil {
		return wrapErr(err, "use code")
	}
	if used == 0 {
		return fmt.Errorf("sqlstore: use code: %w", storage.ErrNotFound)
	}
	return nil
}

// tokenCasts are the token columns' types, in tokenArgs' order: a VALUES
// list in a sub-select does not infer them from the target table.
var tokenCasts = [tokenColumnCount]string{"::text", "::text", "::text", "::text", "::text", "::text",
	"::boolean", "::bytea", "::timestamptz", "::timestamptz"}

// useCodeSQL is UseCode's PostgreSQL statement. Every part hangs on the
// conditional UPDATE: of concurrent exchanges of one code, the row lock
// lets one flip active and the others find it false, so they delete and
// insert nothing and count no use.
func useCodeSQL(signature string, companions []storage.TokenKind, issued []*storage.Token) (string, []any) {
	args := []any{string(storage.TokenAuthorizeCode), signature}
	param := func(v any, cast string) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)) + cast
	}
	var q strings.Builder
	q.WriteString(`WITH used AS (UPDATE oauth2_tokens SET active = FALSE WHERE kind = $1 AND signature = $2 AND active RETURNING signature)`)
	if len(companions) > 0 {
		kinds := make([]string, len(companions))
		for i, k := range companions {
			kinds[i] = param(string(k), "")
		}
		q.WriteString(`, gone AS (DELETE FROM oauth2_tokens WHERE kind IN (` + strings.Join(kinds, ", ") +
			`) AND signature IN (SELECT signature FROM used))`)
	}
	if len(issued) > 0 {
		q.WriteString(`, issued AS (` + strings.TrimSuffix(tokenColumns, "VALUES ") + `SELECT v.* FROM (VALUES `)
		for i, t := range issued {
			if i > 0 {
				q.WriteString(", ")
			}
			values := tokenArgs(t, nil)
			cols := make([]string, len(values))
			for c, v := range values {
				cols[c] = param(v, tokenCasts[c])
			}
			q.WriteString("(" + strings.Join(cols, ", ") + ")")
		}
		q.WriteString(`) AS v WHERE EXISTS (SELECT 1 FROM used) RETURNING 1)`)
	}
	q.WriteString(` SELECT count(*) FROM used`)
	return q.String(), args
}
