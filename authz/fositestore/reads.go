package fositestore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"foyer/storage"
)

// codeRecords are the records fosite keeps for one authorization code, all
// under the code's signature. A code exchange reads the code twice, then its
// PKCE and OpenID Connect records, and deletes the last two: within a
// request begun with BeginRequest the first read fetches all three in one
// query, and the deletes happen in the transaction that marks the code used.
var codeRecords = []storage.TokenKind{storage.TokenAuthorizeCode, storage.TokenPKCE, storage.TokenOIDC}

// companions are the records that go when their code is used.
var companions = []storage.TokenKind{storage.TokenPKCE, storage.TokenOIDC}

type requestKey struct{}

type recordKey struct {
	kind      storage.TokenKind
	signature string
}

// request is what one HTTP request read and still owes the database.
//
//   - records: code records read, by key; nil means known to be absent.
//     Every write through the Store forgets its record first, so this never
//     answers for something the request changed; it lives only as long as
//     the request, and the writes that matter (using a code) are atomic
//     conditional updates that fail if another request got there first.
//   - pending: companion deletes fosite asked for, not yet done.
//   - inTx: companions deleted in the open transaction.
//   - done: companions whose deletion was committed.
type request struct {
	mu      sync.Mutex
	records map[recordKey]*storage.Token
	pending map[recordKey]bool
	inTx    map[recordKey]bool
	done    map[recordKey]bool
	// deferCodeUse: the request is a code exchange (DeferCodeUse).
	deferCodeUse bool
	// memo: what decodeCodeRecord decoded last.
	memo decodeMemo
}

// BeginRequest returns a context for one HTTP request and the function to
// call when it ends. An exchange that failed after fosite consumed the
// PKCE binding (fosite deletes the PKCE record before it checks the
// verifier) uses up the code there and then: otherwise the same code could
// be presented again without a verifier, and a confidential client without
// PKCE data passes — a PKCE downgrade (RFC 9700 section 4.8.2).
func (s *Store) BeginRequest(ctx context.Context) (context.Context, func() error) {
	r := &request{
		records: map[recordKey]*storage.Token{},
		pending: map[recordKey]bool{},
		inTx:    map[recordKey]bool{},
		done:    map[recordKey]bool{},
	}
	ctx = context.WithValue(ctx, requestKey{}, r)
	return ctx, func() error { return s.finish(context.WithoutCancel(ctx), r) }
}

func requestFrom(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	return r
}

// lookup reports the remembered record and whether anything is known.
func (r *request) lookup(k recordKey) (*storage.Token, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t, known := r.records[k]
	return t, known
}

// remember records what one query found for the kinds it asked about.
func (r *request) remember(signature string, kinds []storage.TokenKind, found []storage.Token) {
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
func (r *request) forget(k recordKey) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.records, k)
}

// load reads one record: from the request when known, together with its
// sibling code records when it is one of them, else with one query.
func (s *Store) load(ctx context.Context, kind storage.TokenKind, signature string) (*storage.Token, error) {
	r := requestFrom(ctx)
	k := recordKey{kind, signature}
	if r == nil || !isCodeRecord(kind) {
		return s.b.GetToken(ctx, kind, signature)
	}
	if _, known := r.lookup(k); !known {
		found, err := s.b.GetTokensBySignature(ctx, signature, codeRecords)
		if err != nil {
			return nil, err
		}
		r.remember(signature, codeRecords, found)
	}
	t, _ := r.lookup(k)
	switch {
	case t == nil:
		return nil, storage.ErrNotFound
	case !t.Active:
		return t, storage.ErrInactive
	default:
		return t, nil
	}
}

// deleteCompanion deletes a PKCE or OpenID Connect record: at once outside
// a request; inside one, with its code (or when the request ends).
func (s *Store) deleteCompanion(ctx context.Context, kind storage.TokenKind, signature string) error {
	r := requestFrom(ctx)
	if r == nil {
		return s.delete(ctx, kind, signature)
	}
	k := recordKey{kind, signature}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.inTx[k] && !r.done[k] {
		r.pending[k] = true
	}
	return nil
}

// useCode marks the code used and, in the same transaction, deletes its
// companions the request has read (their contents stay readable from the
// request, which is all fosite reads after this point).
func (s *Store) useCode(ctx context.Context, signature string) error {
	r := requestFrom(ctx)
	if x := exchangeFrom(ctx); x != nil && r != nil {
		x.useCodeLater(r, signature)
		return nil
	}
	r.forget(recordKey{storage.TokenAuthorizeCode, signature})
	if err := s.b.DeactivateToken(ctx, storage.TokenAuthorizeCode, signature); err != nil {
		return err
	}
	if r == nil {
		return nil
	}
	if _, known := r.lookup(recordKey{storage.TokenOIDC, signature}); !known {
		return nil
	}
	if _, err := s.b.DeleteTokensBySignature(ctx, signature, companions); err != nil {
		return fmt.Errorf("fositestore: delete code companions: %w", err)
	}
	r.companionsInTx(signature)
	return nil
}

// companionsInTx notes the code's companions as deleted in the open
// transaction: no longer owed, done once it commits.
func (r *request) companionsInTx(signature string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, kind := range companions {
		k := recordKey{kind, signature}
		delete(r.pending, k)
		r.inTx[k] = true
	}
}

// settle records the transaction's deletes as done on commit. A rollback
// undid them, and the code is unused: the request owes nothing, so a
// client retrying after a transient failure still can (with its verifier).
func (r *request) settle(committed bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.inTx {
		if committed {
			r.done[k] = true
		}
		delete(r.inTx, k)
	}
}

// finish settles what the request still owes when it ends: for every code
// whose companions fosite asked to delete but that was not used (the
// exchange failed), it uses up the code and deletes its companions.
func (s *Store) finish(ctx context.Context, r *request) error {
	r.mu.Lock()
	codes := map[string]bool{}
	for k := range r.pending {
		codes[k.signature] = true
	}
	clear(r.pending)
	r.mu.Unlock()
	for sig := range codes {
		err := s.b.DeactivateToken(ctx, storage.TokenAuthorizeCode, sig)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("fositestore: use up code after a failed exchange: %w", err)
		}
		if _, err := s.b.DeleteTokensBySignature(ctx, sig, companions); err != nil {
			return fmt.Errorf("fositestore: delete code companions: %w", err)
		}
	}
	return nil
}

func isCodeRecord(kind storage.TokenKind) bool {
	return kind == storage.TokenAuthorizeCode || kind == storage.TokenPKCE || kind == storage.TokenOIDC
}
