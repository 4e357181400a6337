package fositestore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ory/fosite"

	"foyer/storage"
)

// A code exchange's transaction is fosite's BeginTX, InvalidateAuthorize-
// CodeSession, CreateAccessTokenSession, CreateRefreshTokenSession and
// Commit. Done as it is called, that is six round trips (BEGIN, UPDATE,
// DELETE, two INSERTs, COMMIT), most of the database's work per exchange.
// In a request marked with DeferCodeUse the transaction is instead
// collected and written by Commit in one storage.Tokens.UseCode call: one
// statement on PostgreSQL, just as atomic, and its conditional update
// still lets exactly one of two racing exchanges of a code through.

type exchangeKey struct{}

// exchange is the deferred transaction: the code to use, the companions to
// delete with it and the tokens to store.
type exchange struct {
	mu         sync.Mutex
	code       string
	companions []storage.TokenKind
	issued     []*storage.Token
}

// errExchangeWithoutCode: a deferred transaction must use a code; anything
// else would lose the atomicity the deferral promises.
var errExchangeWithoutCode = errors.New("fositestore: deferred code exchange without a code to use")

// DeferCodeUse marks the request (begun with BeginRequest) as a code
// exchange, whose transaction is written at Commit as one UseCode. Only
// the authorization-code grant may be marked: its transaction writes
// nothing but the code's use and the tokens issued for it.
func (s *Store) DeferCodeUse(ctx context.Context) {
	if r := requestFrom(ctx); r != nil {
		r.mu.Lock()
		r.deferCodeUse = true
		r.mu.Unlock()
	}
}

// beginExchange returns the context of a deferred transaction when the
// request is marked, else nil.
func beginExchange(ctx context.Context) context.Context {
	r := requestFrom(ctx)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	deferred := r.deferCodeUse
	r.mu.Unlock()
	if !deferred {
		return nil
	}
	return context.WithValue(ctx, exchangeKey{}, &exchange{})
}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// useCodeLater records the code's use, and the deletion of the companions
// the request has read, for Commit.
func (x *exchange) useCodeLater(r *request, signature string) {
	r.forget(recordKey{storage.TokenAuthorizeCode, signature})
	x.mu.Lock()
	x.code = signature
	x.mu.Unlock()
	if _, known := r.lookup(recordKey{storage.TokenOIDC, signature}); !known {
		return
	}
	x.mu.Lock()
	x.companions = companions
	x.mu.Unlock()
	r.companionsInTx(signature)
}

func (x *exchange) issue(t *storage.Token) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.issued = append(x.issued, t)
}

// commitExchange writes the deferred transaction. A code another exchange
// used first is fosite.ErrInvalidatedAuthorizeCode, as when the update
// ran in a transaction of its own.
func (s *Store) commitExchange(ctx context.Context, x *exchange) error {
	x.mu.Lock()
	code, comps, issued := x.code, x.companions, x.issued
	x.mu.Unlock()
	if code == "" {
		requestFrom(ctx).settle(false)
		return errExchangeWithoutCode
	}
	err := s.b.UseCode(ctx, code, comps, issued)
	requestFrom(ctx).settle(err == nil)
	if errors.Is(err, storage.ErrNotFound) {
		return fosite.ErrInvalidatedAuthorizeCode
	}
	if err != nil {
		return fmt.Errorf("fositestore: use code: %w", err)
	}
	return nil
}
