package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"foyer/storage"
	"foyer/storage/migrations"
)

var (
	// ErrUnsupportedURL is returned by Open for a database URL that is
	// neither sqlite:PATH nor postgres://...
	ErrUnsupportedURL = errors.New("sqlstore: unsupported database URL")
	// ErrNoTx is returned by Commit and Rollback for a context that BeginTx
	// did not return.
	ErrNoTx = errors.New("sqlstore: no transaction in context")
	// ErrTxInProgress is returned by BeginTx for a context that already
	// carries a transaction of this store; nesting is not supported.
	ErrTxInProgress = errors.New("sqlstore: transaction already in progress")
)

// Store implements storage.Store. It is safe for concurrent use.
type Store struct {
	gdb     *gorm.DB
	sqlDB   *sql.DB
	dialect string // migrations.SQLite or migrations.Postgres
	// auditKey keys the audit log's hash chain (WithAuditKey).
	auditKey []byte
	// node names this node in queue leases (WithNode); "" for none.
	node string
	// tokens groups concurrent token inserts outside transactions.
	tokens *tokenBatcher
	// codes groups concurrent code exchanges' writes (PostgreSQL).
	codes *codeBatcher
	// statementHook is WithStatementHook's, for the statements run
	// outside GORM (token inserts); nil for none.
	statementHook func(ctx context.Context, sql string)
	// insertOne is insertTokenSQL(1), built once.
	insertOne string
}

var _ storage.Store = (*Store)(nil)

// Option tunes Open.
type Option func(*config)

type config struct {
	maxOpenConns    int
	connMaxLifetime time.Duration
	statementHook   func(ctx context.Context, sql string)
	auditKey        []byte
	node            string
}

// WithNode names this node in the leases it takes on queue rows, so that
// after a crash its next start can release them at once
// (ReleaseNodeLeases). Two live nodes must never share a name: one
// starting would release the other's leases and a message could go out
// twice.
func WithNode(name string) Option { return func(c *config) { c.node = name } }

// WithAuditKey keys the audit log's hash chain (storage.AuditEntry's
// ComputeHash): cmd/foyer derives it from the system secret, so that
// someone who can write the database but lacks the secret cannot
// recompute the chain after editing an entry. Without it the key is
// empty, which detects edits only by someone who does not recompute.
func WithAuditKey(key []byte) Option {
	return func(c *config) { c.auditKey = slices.Clone(key) }
}

// WithStatementHook calls hook after every statement the store runs, with
// the statement's context and its text (placeholders, not values): tests
// use it to show two requests do the same work.
func WithStatementHook(hook func(ctx context.Context, sql string)) Option {
	return func(c *config) { c.statementHook = hook }
}

// WithMaxOpenConns caps the connection pool (idle connections are kept up
// to the same number). The default is 32 for PostgreSQL and 16 for SQLite.
func WithMaxOpenConns(n int) Option { return func(c *config) { c.maxOpenConns = n } }

// WithConnMaxLifetime recycles connections after d (default 30 minutes),
// which lets a load balancer in front of PostgreSQL rebalance.
func WithConnMaxLifetime(d time.Duration) Option {
	return func(c *config) { c.connMaxLifetime = d }
}

// sqlitePragmas are set on every new connection. WAL lets readers run
// beside the writer; busy_timeout makes a second writer wait instead of
// failing; _txlock=immediate takes the write lock at BEGIN, because a
// deferred transaction that reads and then writes cannot wait for the lock
// and fails with SQLITE_BUSY under concurrency.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Open connects to databaseURL: "sqlite:PATH" (also "sqlite://PATH") or
// "postgres://..." / "postgresql://...". It does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	cfg := config{connMaxLifetime: 30 * time.Minute}
	for _, o := range opts {
		o(&cfg)
	}
	dialector, dialect, err := dialectorFor(databaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.maxOpenConns <= 0 {
		cfg.maxOpenConns = 32
		if dialect == migrations.SQLite {
			cfg.maxOpenConns = 16
		}
	}
	gdb, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard, // errors are returned, not logged
		SkipDefaultTransaction: true,           // every write is one statement
		// pgx already prepares and caches each statement per connection;
		// GORM's own cache would prepare them again inside transactions.
		PrepareStmt:          false,
		NowFunc:              now,
		DisableAutomaticPing: true, // pinged below, with the caller's context
	})
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", dialect, err)
	}
	if err := registerFailureWatch(gdb); err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", dialect, err)
	}
	if cfg.statementHook != nil {
		if err := registerStatementHook(gdb, cfg.statementHook); err != nil {
			return nil, fmt.Errorf("sqlstore: open %s: %w", dialect, err)
		}
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", dialect, err)
	}
	sqlDB.SetMaxOpenConns(cfg.maxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.maxOpenConns)
	sqlDB.SetConnMaxLifetime(cfg.connMaxLifetime)
	s := &Store{gdb: gdb, sqlDB: sqlDB, dialect: dialect, auditKey: cfg.auditKey, node: cfg.node,
		statementHook: cfg.statementHook}
	if err := s.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	s.insertOne = s.insertTokenSQL(1)
	s.tokens = newTokenBatcher(s)
	s.codes = newCodeBatcher(s)
	return s, nil
}

// dialectorFor picks the GORM dialector for a database URL.
func dialectorFor(databaseURL string) (gorm.Dialector, string, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return postgres.New(postgres.Config{DSN: databaseURL}), migrations.Postgres, nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		dsn, err := sqliteDSN(strings.TrimPrefix(databaseURL, "sqlite:"))
		if err != nil {
			return nil, "", err
		}
		return sqlite.Open(dsn), migrations.SQLite, nil
	}
	return nil, "", fmt.Errorf("%w %q: want sqlite:PATH or a postgres:// URL", ErrUnsupportedURL, redact(databaseURL))
}

// sqliteDSN turns the PATH of sqlite:PATH into a driver DSN with our
// pragmas, keeping any query parameters the user gave.
func sqliteDSN(path string) (string, error) {
	path = strings.TrimPrefix(path, "//")
	file, query, _ := strings.Cut(path, "?")
	switch file {
	case "":
		return "", fmt.Errorf("%w: sqlite: needs a file path, as in sqlite:foyer.db", ErrUnsupportedURL)
	case ":memory:":
		// Every pooled connection would get its own empty database.
		return "", fmt.Errorf("%w: sqlite::memory: is not supported; use a file in a temporary directory", ErrUnsupportedURL)
	}
	dsn := file + "?" + sqlitePragmas
	if query != "" {
		dsn += "&" + query
	}
	return dsn, nil
}

// redact hides a password that may sit in an unsupported URL.
func redact(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return scheme + "://...@" + rest[at+1:]
	}
	return u
}

// Dialect is migrations.SQLite or migrations.Postgres.
func (s *Store) Dialect() string { return s.dialect }

// Migrate applies the pending migrations and returns their versions.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	applied, err := migrations.Apply(ctx, s.sqlDB, s.dialect)
	if err != nil {
		return applied, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return applied, nil
}

// PendingMigrations lists the versions Migrate would apply.
func (s *Store) PendingMigrations(ctx context.Context) ([]int, error) {
	pending, err := migrations.Pending(ctx, s.sqlDB, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: pending migrations: %w", err)
	}
	return pending, nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping %s: %w", s.dialect, err)
	}
	return nil
}

// Close writes the token inserts still queued, then releases the pool.
func (s *Store) Close() error {
	s.codes.close()
	s.tokens.close()
	if err := s.sqlDB.Close(); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}
