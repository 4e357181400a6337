package fositestore

import (
	"context"
	"fmt"
	"sync"

	"foyer/storage"
)

// An authorization response stores a code and, with it, its PKCE and
// OpenID Connect records, and notes the client in the SSO session: four
// writes, which fosite makes one after the other, each waiting for its
// commit. In a context from DeferInserts they are collected instead and
// FlushInserts writes them together, as one statement: one round trip,
// before the response carries the code.

type insertsKey struct{}

// inserts are the records collected for one response.
type inserts struct {
	mu   sync.Mutex
	rows []*storage.Token
	// session and client: the SSO session the code was issued under and
	// its client, recorded with the rows (RecordSessionClient); empty
	// when there is none.
	session, client string
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
	rows, session, client := in.rows, in.session, in.client
	in.rows, in.session, in.client = nil, "", ""
	in.mu.Unlock()
	var err error
	switch {
	case session != "":
		err = s.b.CreateTokensInSession(ctx, rows, session, client)
	case len(rows) > 0:
		err = s.b.CreateTokens(ctx, rows)
	}
	if err != nil {
		return fmt.Errorf("fositestore: create %d records: %w", len(rows), err)
	}
	return nil
}

// holdBackSessionClient keeps the client's joining the SSO session for
// FlushInserts when ctx defers inserts, and reports whether it did.
func holdBackSessionClient(ctx context.Context, session, client string) bool {
	in, _ := ctx.Value(insertsKey{}).(*inserts)
	if in == nil {
		return false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.session, in.client = session, client
	return true
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
