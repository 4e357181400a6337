package fositestore

import (
	"context"
	"fmt"
	"sync"

	"foyer/storage"
)

// An authorization response stores a code and, with it, its PKCE and
// OpenID Connect records: three inserts, which fosite makes one after the
// other, each waiting for its commit. In a context from DeferInserts they
// are collected instead and FlushInserts writes them together, as one
// grouped INSERT: one round trip, before the response carries the code.

type insertsKey struct{}

// inserts are the records collected for one response.
type inserts struct {
	mu   sync.Mutex
	rows []*storage.Token
}

// DeferInserts returns a context in which the records fosite creates are
// held back until FlushInserts. Nothing may read them before: it is for
// an authorization response, which only creates.
func (s *Store) DeferInserts(ctx context.Context) context.Context {
	return context.WithValue(ctx, insertsKey{}, &inserts{})
}

// FlushInserts writes the records held back in ctx; the code may be sent
// only once it returns nil. Records of a response that failed before are
// simply never flushed.
func (s *Store) FlushInserts(ctx context.Context) error {
	in, _ := ctx.Value(insertsKey{}).(*inserts)
	if in == nil {
		return nil
	}
	in.mu.Lock()
	rows := in.rows
	in.rows = nil
	in.mu.Unlock()
	if len(rows) == 0 {
		return nil
	}
	if err := s.b.CreateTokens(ctx, rows); err != nil {
		return fmt.Errorf("fositestore: create %d records: %w", len(rows), err)
	}
	return nil
}

// holdBack collects t when ctx defers inserts, and reports whether it did.
func holdBack(ctx context.Context, t *storage.Token) bool {
	in, _ := ctx.Value(insertsKey{}).(*inserts)
	if in == nil {
		return false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rows = append(in.rows, t)
	return true
}
