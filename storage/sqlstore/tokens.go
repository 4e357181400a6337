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

type tokenRow struct {
	Kind      string     `gorm:"column:kind;primaryKey"`
	Signature string     `gorm:"column:signature;primaryKey"`
	RequestID string     `gorm:"column:request_id"`
	ClientID  string     `gorm:"column:client_id"`
	Subject   string     `gorm:"column:subject"`
	SessionID string     `gorm:"column:session_id"`
	Active    bool       `gorm:"column:active"`
	Data      []byte     `gorm:"column:data"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	ExpiresAt *time.Time `gorm:"column:expires_at"` // NULL: never expires
}

func (tokenRow) TableName() string { return "oauth2_tokens" }

// CreateToken inserts t, filling in CreatedAt when zero. A zero ExpiresAt
// is stored as "never", so DeleteExpiredTokens leaves the token alone. A
// taken (kind, signature) is ErrConflict. Inside the context's transaction
// the row is written there; otherwise it joins the inserts of concurrent
// callers in one statement (tokenBatcher), and CreateToken returns once
// that statement has committed.
func (s *Store) CreateToken(ctx context.Context, t *storage.Token) error {
	stampToken(t)
	if _, inTx := ctx.Value(txKey{s}).(*gorm.DB); inTx {
		return s.insertToken(ctx, t)
	}
	return s.tokens.insert(ctx, t)
}

// CreateTokens inserts every token as CreateToken does, but outside a
// transaction they are queued together and so written by one grouped
// INSERT (tokenBatcher), not one after another. It returns the first
// error; a failure may leave the other tokens stored.
func (s *Store) CreateTokens(ctx context.Context, ts []*storage.Token) error {
	stampTokens(ts)
	if _, inTx := ctx.Value(txKey{s}).(*gorm.DB); inTx {
		for _, t := range ts {
			if err := s.insertToken(ctx, t); err != nil {
				return err
			}
		}
		return nil
	}
	return s.tokens.insertAll(ctx, ts)
}

// CreateTokensInSession is CreateTokens with RecordSessionClient: on
// PostgreSQL one statement, the session's client inserted in a data-
// modifying WITH beside the tokens; on SQLite, and inside a transaction,
// the same writes in one transaction.
func (s *Store) CreateTokensInSession(ctx context.Context, ts []*storage.Token, sessionID, clientID string) error {
	stampTokens(ts)
	if _, inTx := ctx.Value(txKey{s}).(*gorm.DB); inTx || s.dialect != migrations.Postgres {
		return s.inTx(ctx, func(tx *gorm.DB) error {
			txCtx := context.WithValue(ctx, txKey{s}, tx)
			if err := s.RecordSessionClient(txCtx, sessionID, clientID); err != nil {
				return err
			}
			args := make([]any, 0, len(ts)*tokenColumnCount)
			for _, t := range ts {
				args = tokenArgs(t, args)
			}
			return wrapErr(s.exec(txCtx, tx.Statement.ConnPool, s.insertTokenSQL(len(ts)), args), "create tokens in session %q", sessionID)
		})
	}
	// $1 and $2 are the session and the client; the tokens' values follow.
	query := `WITH joined AS (INSERT INTO session_clients (session_id, client_id, created_at)
		SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM sessions WHERE id = $1)
		ON CONFLICT (session_id, client_id) DO NOTHING) ` + s.insertTokenSQLFrom(len(ts), 4)
	args := make([]any, 0, 3+len(ts)*tokenColumnCount)
	args = append(args, sessionID, clientID, now())
	for _, t := range ts {
		args = tokenArgs(t, args)
	}
	return wrapErr(s.exec(ctx, s.sqlDB, query, args), "create tokens in session %q", sessionID)
}

// stampToken fills in the token's creation time when zero and puts its
// expiry in the database's precision.
func stampToken(t *storage.Token) {
	t.CreatedAt = orNow(t.CreatedAt)
	if !t.ExpiresAt.IsZero() {
		t.ExpiresAt = dbTime(t.ExpiresAt)
	}
}

func stampTokens(ts []*storage.Token) {
	for _, t := range ts {
		stampToken(t)
	}
}

// GetToken reads one token by its primary key. An inactive token comes
// back with ErrInactive, as fosite expects.
func (s *Store) GetToken(ctx context.Context, kind storage.TokenKind, signature string) (*storage.Token, error) {
	var row tokenRow
	if err := s.db(ctx).Where("kind = ? AND signature = ?", string(kind), signature).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get %s", kind)
	}
	t := row.toStorage()
	if !t.Active {
		return &t, fmt.Errorf("sqlstore: get %s: %w", kind, storage.ErrInactive)
	}
	return &t, nil
}

func (row tokenRow) toStorage() storage.Token {
	t := storage.Token{Kind: storage.TokenKind(row.Kind), Signature: row.Signature, RequestID: row.RequestID,
		ClientID: row.ClientID, Subject: row.Subject, SessionID: row.SessionID, Active: row.Active,
		Data: row.Data, CreatedAt: row.CreatedAt.UTC()}
	if row.ExpiresAt != nil {
		t.ExpiresAt = row.ExpiresAt.UTC()
	}
	return t
}

// GetTokensBySignature reads the given kinds' tokens with one signature in
// one query (primary-key probes). Every code exchange starts with it, so
// outside a transaction it runs on the connection directly, as the token
// writes do (exec), without GORM's callbacks and reflection.
func (s *Store) GetTokensBySignature(ctx context.Context, signature string, kinds []storage.TokenKind) ([]storage.Token, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	if _, inTx := ctx.Value(txKey{s}).(*gorm.DB); inTx {
		// In a transaction (or Explain's recording handle), through GORM.
		return s.tokensBySignatureInTx(ctx, signature, kinds)
	}
	var q strings.Builder
	q.WriteString(`SELECT kind, signature, request_id, client_id, subject, session_id, active, data, created_at, expires_at
		FROM oauth2_tokens WHERE signature = ` + s.placeholder(1) + ` AND kind IN (`)
	args := make([]any, 0, 1+len(kinds))
	args = append(args, signature)
	for i, k := range kinds {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(s.placeholder(i + 2))
		args = append(args, string(k))
	}
	q.WriteByte(')')
	out, err := s.queryTokens(ctx, q.String(), args)
	return out, wrapErr(err, "get tokens by signature")
}

func (s *Store) tokensBySignatureInTx(ctx context.Context, signature string, kinds []storage.TokenKind) ([]storage.Token, error) {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	var rows []tokenRow
	if err := s.db(ctx).Where("signature = ? AND kind IN ?", signature, names).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "get tokens by signature")
	}
	out := make([]storage.Token, len(rows))
	for i, row := range rows {
		out[i] = row.toStorage()
	}
	return out, nil
}

// placeholder is the n-th (from 1) parameter of a statement run on the
// connection directly.
func (s *Store) placeholder(n int) string {
	if s.dialect == migrations.Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// queryTokens runs a query for whole token rows on the pool directly,
// reporting to the statement hook and noting a failure as exec does.
func (s *Store) queryTokens(ctx context.Context, query string, args []any) ([]storage.Token, error) {
	rows, err := s.sqlDB.QueryContext(ctx, query, args...)
	if s.statementHook != nil {
		s.statementHook(ctx, query)
	}
	if err != nil {
		noteFailure(ctx, err)
		return nil, err
	}
	defer rows.Close()
	var out []storage.Token
	for rows.Next() {
		var row tokenRow
		if err := rows.Scan(&row.Kind, &row.Signature, &row.RequestID, &row.ClientID, &row.Subject, &row.SessionID,
			&row.Active, &row.Data, &row.CreatedAt, &row.ExpiresAt); err != nil {
			noteFailure(ctx, err)
			return nil, err
		}
		out = append(out, row.toStorage())
	}
	if err := rows.Err(); err != nil {
		noteFailure(ctx, err)
		return nil, err
	}
	return out, nil
}

// DeleteTokensBySignature removes the given kinds' tokens with one
// signature in one statement.
func (s *Store) DeleteTokensBySignature(ctx context.Context, signature string, kinds []storage.TokenKind) (int64, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	res := s.db(ctx).Exec(`DELETE FROM oauth2_tokens WHERE kind IN ? AND signature = ?`, names, signature)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "delete tokens by signature")
	}
	return res.RowsAffected, nil
}

// DeleteToken removes one token; ErrNotFound when there was none.
func (s *Store) DeleteToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	res := s.db(ctx).Exec(`DELETE FROM oauth2_tokens WHERE kind = ? AND signature = ?`, string(kind), signature)
	return affected(res, "delete %s", kind)
}

// DeactivateToken flips active to false in one conditional UPDATE: the
// database serialises concurrent calls on the row, so of two refreshes of
// one refresh token exactly one sees a row to change.
func (s *Store) DeactivateToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	res := s.db(ctx).Exec(`UPDATE oauth2_tokens SET active = ? WHERE kind = ? AND signature = ? AND active = ?`,
		false, string(kind), signature, true)
	return affected(res, "deactivate %s", kind)
}

// The partial indexes of migration 0036 hold only the rows that match
// these predicates. A query names the predicate word for word beside its
// parameter ("subject = ?" does not prove the subject non-empty to a plan
// made before the value is known, nor to SQLite), or the database scans the
// table.
const (
	withFamily  = `kind IN ('access_token', 'refresh_token')` // oauth2_tokens_family_idx
	withSubject = `subject <> ''`                             // oauth2_tokens_subject_set_idx
	withSession = `session_id <> ''`                          // oauth2_tokens_session_set_idx
)

// errNoFamily: only access and refresh tokens are revoked by request id,
// so only those are in the request-id index.
var errNoFamily = errors.New("sqlstore: revoke by request id: only access and refresh tokens")

// RevokeTokensByRequestID deletes the kind's tokens of one grant; kind is
// TokenAccess or TokenRefresh.
func (s *Store) RevokeTokensByRequestID(ctx context.Context, kind storage.TokenKind, requestID string) (int64, error) {
	if kind != storage.TokenAccess && kind != storage.TokenRefresh {
		return 0, fmt.Errorf("%w, not %s", errNoFamily, kind)
	}
	if requestID == "" {
		return 0, nil // tokens without a family are not one family
	}
	res := s.db(ctx).Exec(`DELETE FROM oauth2_tokens WHERE kind = ? AND request_id = ? AND `+withFamily,
		string(kind), requestID)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "revoke %s of request %q", kind, requestID)
	}
	return res.RowsAffected, nil
}

// DeleteExpiredTokens removes up to limit tokens that expired before the
// instant, the oldest first, picked by the expiry index: one short
// statement however many have expired, so the cleanup never holds locks
// for long. The ORDER BY is what keeps it on the index: without it, with a
// fifth of two million tokens expired, PostgreSQL chose to read the table
// from its start until it had found limit rows (EXPLAIN in the bench's
// size mode), and each batch would read again past the rows the batches
// before it deleted.
func (s *Store) DeleteExpiredTokens(ctx context.Context, before time.Time, limit int) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM oauth2_tokens WHERE (kind, signature) IN
		(SELECT kind, signature FROM oauth2_tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
		dbTime(before), limit)
	if res.Error != nil {
		return 0, wrapErr(res.Error, "delete expired tokens")
	}
	return res.RowsAffected, nil
}
