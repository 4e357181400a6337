package manage

import (
	"bufio"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// ErrAuditBroken: the audit log's hash chain does not verify; the error
// is a *ChainError naming the first bad entry.
var ErrAuditBroken = errors.New("manage: audit log chain broken")

// ChainError says where the audit chain first breaks and how.
type ChainError struct {
	Seq    int64  // the first entry that does not verify
	Reason string // what is wrong with it
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit log chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Unwrap lets errors.Is(err, ErrAuditBroken) match.
func (e *ChainError) Unwrap() error { return ErrAuditBroken }

// AuditWalker reads the audit log in chain order.
type AuditWalker interface {
	WalkAuditEntries(ctx context.Context, fn func(storage.AuditEntry) error) error
}

// VerifyAudit walks the whole log and checks every link: each entry's
// seq follows the previous one's (a deleted entry leaves a gap), its
// PrevHash is the previous entry's Hash (a deleted or moved entry breaks
// it), and its Hash is what its fields hash to (an edited entry, or one
// whose seq was changed to reorder the log, no longer does) under key,
// the chain's key (a hash recomputed with another key does not match). It
// returns how many entries verified and, on the first bad one, a *ChainError.
// Removing the newest entries leaves a shorter chain that still verifies:
// compare checked with a count kept elsewhere (an export) to see that.
func VerifyAudit(ctx context.Context, walker AuditWalker, key []byte) (checked int64, err error) {
	var prev *storage.AuditEntry
	err = walker.WalkAuditEntries(ctx, func(e storage.AuditEntry) error {
		if reason := chainFault(prev, e, key); reason != "" {
			return &ChainError{Seq: e.Seq, Reason: reason}
		}
		checked++
		prev = &e
		return nil
	})
	return checked, err
}

// chainFault says what is wrong with e following prev (nil: e is the
// first entry), or "" when nothing is.
func chainFault(prev *storage.AuditEntry, e storage.AuditEntry, key []byte) string {
	wantSeq, wantPrev := int64(1), ""
	if prev != nil {
		wantSeq, wantPrev = prev.Seq+1, prev.Hash
	}
	switch {
	case e.Seq != wantSeq:
		return fmt.Sprintf("expected seq %d: an entry is missing", wantSeq)
	case e.PrevHash != wantPrev:
		return "its previous-hash link does not match the entry before it (an entry was removed or moved)"
	case !hmac.Equal([]byte(e.Hash), []byte(e.ComputeHash(key))):
		return "its hash does not match its contents (the entry was edited)"
	}
	return ""
}

// AuditRecord is an audit entry as the API and the JSON-lines export
// show it (snake_case, before/after as JSON objects).
type AuditRecord struct {
	Seq        int64           `json:"seq"`
	ID         string          `json:"id"`
	CreatedAt  time.Time       `json:"created_at"`
	ActorKind  string          `json:"actor_kind"`
	ActorID    string          `json:"actor_id,omitempty"`
	ActorName  string          `json:"actor_name,omitempty"`
	Role       string          `json:"role,omitempty"`
	IP         string          `json:"ip,omitempty"`
	UserAgent  string          `json:"user_agent,omitempty"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type,omitempty"`
	TargetID   string          `json:"target_id,omitempty"`
	StoreID    string          `json:"store_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// RecordOf is e's JSON view.
func RecordOf(e storage.AuditEntry) AuditRecord {
	r := AuditRecord{Seq: e.Seq, ID: e.ID, CreatedAt: e.CreatedAt, ActorKind: string(e.ActorKind),
		ActorID: e.ActorID, ActorName: e.ActorName, Role: string(e.Role), IP: e.IP, UserAgent: e.UserAgent,
		Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, StoreID: e.StoreID,
		PrevHash: e.PrevHash, Hash: e.Hash}
	if json.Valid([]byte(e.Before)) {
		r.Before = json.RawMessage(e.Before)
	}
	if json.Valid([]byte(e.After)) {
		r.After = json.RawMessage(e.After)
	}
	return r
}

// Audit reads, exports and verifies the audit log.
type Audit struct {
	log storage.AuditLog
	key []byte // the chain's key (WithChainKey)
}

// NewAudit returns the audit log's service.
func NewAudit(log storage.AuditLog) *Audit { return &Audit{log: log} }

// WithChainKey returns the service verifying with key, the key the store
// hashes the chain with (sqlstore.WithAuditKey); without it Verify uses
// the empty key.
func (a *Audit) WithChainKey(key []byte) *Audit {
	return &Audit{log: a.log, key: slices.Clone(key)}
}

// List returns entries matching f, newest first. The whole log needs
// ReadAudit on every store; an actor limited to some stores must name
// one of them in f.StoreID.
func (a *Audit) List(ctx context.Context, actor Actor, f storage.AuditFilter) ([]storage.AuditEntry, error) {
	if err := actor.Require(ReadAudit, f.StoreID); err != nil {
		return nil, err
	}
	return a.log.ListAuditEntries(ctx, f)
}

// Verify checks the whole chain (VerifyAudit); it needs ReadAudit on
// every store.
func (a *Audit) Verify(ctx context.Context, actor Actor) (int64, error) {
	if err := actor.Require(ReadAudit, ""); err != nil {
		return 0, err
	}
	return VerifyAudit(ctx, a.log, a.key)
}

// ExportAudit writes the entries matching f as JSON lines, oldest first
// (chain order, so the export itself can be verified). f.Limit is not
// applied: an export is every matching entry.
func (a *Audit) ExportAudit(ctx context.Context, actor Actor, w io.Writer, f storage.AuditFilter) (int64, error) {
	if err := actor.Require(ReadAudit, f.StoreID); err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var n int64
	err := a.log.WalkAuditEntries(ctx, func(e storage.AuditEntry) error {
		if !matches(f, e) {
			return nil
		}
		n++
		return enc.Encode(RecordOf(e))
	})
	if err != nil {
		return n, fmt.Errorf("export audit log: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export audit log: %w", err)
	}
	return n, nil
}

// matches applies f as ListAuditEntries does.
func matches(f storage.AuditFilter, e storage.AuditEntry) bool {
	switch {
	case f.ActorID != "" && e.ActorID != f.ActorID,
		f.TargetType != "" && e.TargetType != f.TargetType,
		f.TargetID != "" && e.TargetID != f.TargetID,
		f.StoreID != "" && e.StoreID != f.StoreID,
		!f.Since.IsZero() && e.CreatedAt.Before(f.Since),
		!f.Until.IsZero() && !e.CreatedAt.Before(f.Until),
		f.BeforeSeq > 0 && e.Seq >= f.BeforeSeq:
		return false
	case f.Action == "":
		return true
	case strings.HasSuffix(f.Action, "."):
		return strings.HasPrefix(e.Action, f.Action)
	}
	return e.Action == f.Action
}
