package fositestore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestClientCacheExpires: a client deleted from the database keeps working
// on a node for at most clientCacheTTL, then is unknown.
func TestClientCacheExpires(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		db := newStore(t)
		if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop", GrantTypes: []string{"client_credentials"}}); err != nil {
			t.Fatal(err)
		}
		c := &clock{t: time.Now()}
		s := New(db, c.now, nil)
		if _, err := s.GetClient(ctx, "shop"); err != nil {
			t.Fatalf("first load: %v", err)
		}
		if err := db.DeleteClient(ctx, "shop"); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(clientCacheTTL - time.Millisecond)
		if _, err := s.GetClient(ctx, "shop"); err != nil {
			t.Fatalf("within the TTL the cached client should answer: %v", err)
		}
		c.t = c.t.Add(time.Millisecond)
		if _, err := s.GetClient(ctx, "shop"); !errors.Is(err, fosite.ErrNotFound) {
			t.Fatalf("after the TTL: %v, want fosite.ErrNotFound", err)
		}
		if _, err := s.GetClient(ctx, "never-existed"); !errors.Is(err, fosite.ErrNotFound) {
			t.Fatalf("unknown client: %v", err)
		}
	})
}

// countingBackend counts the token reads that reach the real store.
type countingBackend struct {
	Backend
	reads int
}

func (c *countingBackend) GetToken(ctx context.Context, kind storage.TokenKind, sig string) (*storage.Token, error) {
	c.reads++
	return c.Backend.GetToken(ctx, kind, sig)
}

func (c *countingBackend) GetTokensBySignature(ctx context.Context, sig string, kinds []storage.TokenKind) ([]storage.Token, error) {
	c.reads++
	return c.Backend.GetTokensBySignature(ctx, sig, kinds)
}

// TestRequestReadsFetchCodeRecordsOnce: within one request the code, PKCE
// and OpenID Connect records of a code are fetched with one query; a write
// makes the next read go to the database again, and without a memo every
// read does.
func TestRequestReadsFetchCodeRecordsOnce(t *testing.T) {
	ctx := context.Background()
	db := sqltest.SQLite(t)
	if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	backend := &countingBackend{Backend: db}
	sig := func(_ context.Context, code string) string { return "sig-of-" + code }
	s := New(backend, nil, sig)
	req := fosite.NewRequest()
	req.ID = "request-1"
	req.Client = NewClient(&storage.Client{ID: "shop"})
	req.Session = &fosite.DefaultSession{Subject: "alice"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateAuthorizeCodeSession(ctx, "sig-of-code", req))
	must(s.CreatePKCERequestSession(ctx, "sig-of-code", req))
	must(s.CreateOpenIDConnectSession(ctx, "code", req))

	rctx, finish := s.BeginRequest(ctx)
	backend.reads = 0
	for range 2 {
		if _, err := s.GetAuthorizeCodeSession(rctx, "sig-of-code", &fosite.DefaultSession{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.GetPKCERequestSession(rctx, "sig-of-code", &fosite.DefaultSession{}); err != nil {
		t.Fatal(err)
	}
	into := fosite.NewRequest()
	into.Session = &fosite.DefaultSession{}
	got, err := s.GetOpenIDConnectSession(rctx, "code", into)
	if err != nil || got.GetSession().GetSubject() != "alice" {
		t.Fatalf("OpenID Connect record: %v, %v", got, err)
	}
	if backend.reads != 1 {
		t.Fatalf("%d queries for four reads of one code's records, want 1", backend.reads)
	}

	must(s.InvalidateAuthorizeCodeSession(rctx, "sig-of-code"))
	if _, err := s.GetAuthorizeCodeSession(rctx, "sig-of-code", &fosite.DefaultSession{}); !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
		t.Fatalf("after invalidation: %v, want ErrInvalidatedAuthorizeCode", err)
	}
	// Using the code deleted its companions; fosite's deletes are no-ops.
	must(s.DeletePKCERequestSession(rctx, "sig-of-code"))
	must(s.DeleteOpenIDConnectSession(rctx, "code"))
	must(finish())
	left, err := db.GetTokensBySignature(ctx, "sig-of-code", codeRecords)
	if err != nil || len(left) != 1 || left[0].Kind != storage.TokenAuthorizeCode || left[0].Active {
		t.Fatalf("after the exchange the store holds %+v (%v); want only the used code", left, err)
	}

	backend.reads = 0
	for range 2 {
		_, _ = s.GetAuthorizeCodeSession(ctx, "sig-of-code", &fosite.DefaultSession{})
	}
	if backend.reads != 2 {
		t.Fatalf("without a request memo: %d queries for two reads, want 2", backend.reads)
	}
}

// TestFailedExchangeStillUsesUpPKCE: fosite deletes the PKCE record before
// it checks the verifier. When the exchange then fails, the code is used up
// when the request ends; when only its transaction rolled back (a transient
// error after the verifier passed), code and record stay for a retry.
func TestFailedExchangeStillUsesUpPKCE(t *testing.T) {
	ctx := context.Background()
	db := sqltest.SQLite(t)
	if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	s := New(db, nil, func(_ context.Context, code string) string { return "sig-of-" + code })
	req := fosite.NewRequest()
	req.Client = NewClient(&storage.Client{ID: "shop"})
	req.Session = &fosite.DefaultSession{Subject: "alice"}
	for _, name := range []string{"wrong-verifier", "rolled-back"} {
		t.Run(name, func(t *testing.T) {
			sig := "sig-of-" + name
			for _, err := range []error{
				s.CreateAuthorizeCodeSession(ctx, sig, req),
				s.CreatePKCERequestSession(ctx, sig, req),
				s.CreateOpenIDConnectSession(ctx, name, req),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			rctx, finish := s.BeginRequest(ctx)
			if _, err := s.GetPKCERequestSession(rctx, sig, &fosite.DefaultSession{}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeletePKCERequestSession(rctx, sig); err != nil {
				t.Fatal(err)
			}
			if name == "rolled-back" {
				txCtx, err := s.BeginTX(rctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.InvalidateAuthorizeCodeSession(txCtx, sig); err != nil {
					t.Fatal(err)
				}
				if err := s.Rollback(txCtx); err != nil {
					t.Fatal(err)
				}
			}
			if err := finish(); err != nil {
				t.Fatal(err)
			}
			_, pkceErr := db.GetToken(ctx, storage.TokenPKCE, sig)
			_, codeErr := db.GetToken(ctx, storage.TokenAuthorizeCode, sig)
			if name == "rolled-back" {
				// A transient failure: the code and its binding stay, so
				// the client can retry with its verifier.
				if pkceErr != nil || codeErr != nil {
					t.Fatalf("after a rolled-back exchange: PKCE %v, code %v; want both intact", pkceErr, codeErr)
				}
				return
			}
			// A wrong verifier uses up the code: no retry without PKCE.
			if !errors.Is(pkceErr, storage.ErrNotFound) || !errors.Is(codeErr, storage.ErrInactive) {
				t.Fatalf("after a failed exchange: PKCE %v, code %v; want the record gone and the code used", pkceErr, codeErr)
			}
		})
	}
}
