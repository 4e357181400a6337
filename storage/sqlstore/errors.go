package sqlstore

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"foyer/storage"
)

// SQLite extended result codes (sqlite3.h).
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// sentinel maps a driver error onto storage's sentinels, or nil.
func sentinel(err error) error {
	var pgErr *pgconn.PgError
	var liteErr *gosqlite.Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return storage.ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return storage.ErrConflict
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "23505": // unique_violation
			return storage.ErrConflict
		case "23503": // foreign_key_violation: the referenced row is missing
			return storage.ErrNotFound
		case "22021": // character_not_in_repertoire: a NUL byte or invalid UTF-8
			// in a parameter, which no stored value can equal (SQLite,
			// which stores such strings, answers not found). An answer
			// about the input, never a storage failure: otherwise anyone
			// could make the front doors answer 503 at will.
			return storage.ErrNotFound
		}
	case errors.As(err, &liteErr):
		switch liteErr.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return storage.ErrConflict
		case sqliteConstraintForeignKey:
			return storage.ErrNotFound
		}
	}
	// Drivers that lose the code still keep SQLite's message.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return storage.ErrConflict
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return storage.ErrNotFound
	}
	return nil
}

// unstorable reports PostgreSQL's refusal of a text parameter with a NUL
// byte or invalid UTF-8 (character_not_in_repertoire), text no stored
// value holds. To a list's condition it means no match: the list is
// empty, as SQLite, which compares such text, finds. (wrapErr maps it to
// ErrNotFound, the answer for a lookup by key.)
func unstorable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "22021"
}

// wrapErr adds context and, when the driver error means one, a storage
// sentinel, keeping the driver error in the chain for logs.
func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	s := sentinel(err)
	switch {
	case s == nil:
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	case errors.Is(s, storage.ErrNotFound) && (errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows)):
		return fmt.Errorf("sqlstore: %s: %w", what, s) // the driver adds nothing
	default:
		return fmt.Errorf("sqlstore: %s: %w: %w", what, s, err)
	}
}

// affected turns a write's outcome into an error: its own error, or
// ErrNotFound when no row matched.
func affected(res *gorm.DB, format string, args ...any) error {
	if res.Error != nil {
		return wrapErr(res.Error, format, args...)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("sqlstore: %s: %w", fmt.Sprintf(format, args...), storage.ErrNotFound)
	}
	return nil
}

// newID is a random 128-bit identifier, hex encoded.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// now is the current time as the databases keep it.
func now() time.Time { return dbTime(time.Now()) }

// dbTime is t in UTC at microsecond precision. UTC also matters for SQLite,
// which compares the stored text: one offset keeps text order time order.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// orNow is dbTime(t), or now when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return now()
	}
	return dbTime(t)
}

func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := dbTime(*t)
	return &v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

// encodeJSON stores a slice or map as JSON text. The values are slices and
// maps of strings and plain structs, which json.Marshal cannot fail on.
func encodeJSON(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

// decodeList reads a JSON array; an empty one is nil.
func decodeList[T any](s, column string) ([]T, error) {
	if s == "" || s == "[]" || s == "null" {
		return nil, nil
	}
	var out []T
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("sqlstore: decode %s: %w", column, err)
	}
	return out, nil
}

// decodeMap reads a JSON object of strings; an empty one is nil.
func decodeMap(s, column string) (map[string]string, error) {
	if s == "" || s == "{}" || s == "null" {
		return nil, nil
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("sqlstore: decode %s: %w", column, err)
	}
	return out, nil
}
