package fositestore

import (
	"context"
	"sync"

	"foyer/storage"
)

// codeRecords are the records fosite keeps for one authorization code, all
// under the code's signature. A code exchange reads the code twice, then its
// PKCE and OpenID Connect records: with a request memo the first read
// fetches all three in one query and the others are answered from memory.
var codeRecords = []storage.TokenKind{storage.TokenAuthorizeCode, storage.TokenPKCE, storage.TokenOIDC}

type readsKey struct{}

type recordKey struct {
	kind      storage.TokenKind
	signature string
}

// reads remembers the records one request has read. A nil entry means
// "known to be absent". Every write through the Store forgets its record,
// so the memo never answers for something this request changed; it lives
// only as long as the request, so other requests' changes are seen by the
// next request (and the writes that matter, like using a code, are atomic
// conditional updates that fail if another request got there first).
type reads struct {
	mu      sync.Mutex
	records map[recordKey]*storage.Token
}

// WithRequestReads returns a context in which the Store remembers what it
// read; use one per HTTP request.
func WithRequestReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, readsKey{}, &reads{records: map[recordKey]*storage.Token{}})
}

func readsFrom(ctx context.Context) *reads {
	r, _ := ctx.Value(readsKey{}).(*reads)
	return r
}

// lookup reports the remembered record and whether anything is known.
func (r *reads) lookup(kind storage.TokenKind, signature string) (*storage.Token, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t, known := r.records[recordKey{kind, signature}]
	return t, known
}

// remember records what one query found for the kinds it asked about.
func (r *reads) remember(signature string, kinds []storage.TokenKind, found []storage.Token) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range kinds {
		r.records[recordKey{k, signature}] = nil
	}
	for i := range found {
		r.records[recordKey{found[i].Kind, signature}] = &found[i]
	}
}

// forget drops what is known about a record about to be written.
func (r *reads) forget(kind storage.TokenKind, signature string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.records, recordKey{kind, signature})
}

// load reads one record: from the request memo when known, together with
// its sibling code records when it is one of them, else with one query.
func (s *Store) load(ctx context.Context, kind storage.TokenKind, signature string) (*storage.Token, error) {
	r := readsFrom(ctx)
	if r == nil || !isCodeRecord(kind) {
		return s.b.GetToken(ctx, kind, signature)
	}
	if _, known := r.lookup(kind, signature); !known {
		found, err := s.b.GetTokensBySignature(ctx, signature, codeRecords)
		if err != nil {
			return nil, err
		}
		r.remember(signature, codeRecords, found)
	}
	t, _ := r.lookup(kind, signature)
	switch {
	case t == nil:
		return nil, storage.ErrNotFound
	case !t.Active:
		return t, storage.ErrInactive
	default:
		return t, nil
	}
}

func isCodeRecord(kind storage.TokenKind) bool {
	return kind == storage.TokenAuthorizeCode || kind == storage.TokenPKCE || kind == storage.TokenOIDC
}
