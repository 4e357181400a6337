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

// failingInserts fails every grouped insert, as an outage would.
type failingInserts struct{ Backend }

var errInsertsDown = errors.New("database unavailable")

func (failingInserts) CreateTokens(context.Context, []*storage.Token) error { return errInsertsDown }

func (failingInserts) CreateTokensInSession(context.Context, []*storage.Token, string, string) error {
	return errInsertsDown
}

// TestDeferredInserts: in a context from DeferInserts a code's three
// records reach the database only with FlushInserts, together; when that
// write fails the caller learns it, nothing is stored and nothing is left
// to flush; outside such a context each record is written at once.
func TestDeferredInserts(t *testing.T) {
	ctx := context.Background()
	db := sqltest.SQLite(t)
	if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	sig := func(_ context.Context, code string) string { return "sig-of-" + code }
	req := fosite.NewRequest()
	req.ID, req.Client, req.Session = "request-1", NewClient(&storage.Client{ID: "shop"}), &fosite.DefaultSession{Subject: "alice"}
	stored := func(code string) int {
		t.Helper()
		found, err := db.GetTokensBySignature(ctx, "sig-of-"+code, codeRecords)
		if err != nil {
			t.Fatal(err)
		}
		return len(found)
	}
	// respond creates a code's records as an authorization response does.
	respond := func(ctx context.Context, s *Store, code string) {
		t.Helper()
		for _, err := range []error{
			s.CreateAuthorizeCodeSession(ctx, "sig-of-"+code, req),
			s.CreatePKCERequestSession(ctx, "sig-of-"+code, req),
			s.CreateOpenIDConnectSession(ctx, code, req),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	down := New(failingInserts{db}, nil, sig)
	deferred := down.DeferInserts(ctx)
	respond(deferred, down, "lost")
	if n := stored("lost"); n != 0 {
		t.Fatalf("%d records written before FlushInserts, want none", n)
	}
	if err := down.FlushInserts(deferred); !errors.Is(err, errInsertsDown) {
		t.Fatalf("FlushInserts during an outage: %v, want the store's error", err)
	}
	if n := stored("lost"); n != 0 {
		t.Fatalf("%d records after a failed flush, want none", n)
	}
	if err := down.FlushInserts(deferred); err != nil {
		t.Fatalf("a second flush after the failure: %v, want nothing left to write", err)
	}

	up := New(db, nil, sig)
	deferred = up.DeferInserts(ctx)
	respond(deferred, up, "kept")
	if err := up.FlushInserts(deferred); err != nil {
		t.Fatal(err)
	}
	if n := stored("kept"); n != 3 {
		t.Fatalf("%d records after the flush, want the code, PKCE and OpenID Connect records", n)
	}
	respond(ctx, up, "direct")
	if n := stored("direct"); n != 3 {
		t.Fatalf("outside DeferInserts: %d records, want 3 written at once", n)
	}
	if err := up.FlushInserts(ctx); err != nil {
		t.Fatalf("FlushInserts without DeferInserts: %v, want a no-op", err)
	}

	// Under an SSO session the client's joining it is held back too, and
	// written with the records.
	if err := db.CreateSession(ctx, &storage.Session{ID: "sso-1", AccountID: "alice", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	req.Session = &ssoSession{DefaultSession: fosite.DefaultSession{Subject: "alice"}, SID: "sso-1"}
	joined := func() []string {
		t.Helper()
		clients, err := db.ClientsForSession(ctx, "sso-1")
		if err != nil {
			t.Fatal(err)
		}
		return clients
	}
	deferred = down.DeferInserts(ctx)
	respond(deferred, down, "lost-in-session")
	if err := down.FlushInserts(deferred); !errors.Is(err, errInsertsDown) {
		t.Fatalf("FlushInserts under an SSO session during an outage: %v, want the store's error", err)
	}
	if got := joined(); len(got) != 0 {
		t.Fatalf("after a failed flush the session lists clients %q, want none", got)
	}
	deferred = up.DeferInserts(ctx)
	respond(deferred, up, "in-session")
	if got := joined(); len(got) != 0 {
		t.Fatalf("before FlushInserts the session lists clients %q, want none", got)
	}
	if err := up.FlushInserts(deferred); err != nil {
		t.Fatal(err)
	}
	// The records name the session too; without them the client is still
	// recorded as having joined it.
	if _, err := db.DeleteTokensBySignature(ctx, "sig-of-in-session", codeRecords); err != nil {
		t.Fatal(err)
	}
	if got := joined(); len(got) != 1 || got[0] != "shop" {
		t.Fatalf("after the flush the session lists clients %q, want shop", got)
	}
}
