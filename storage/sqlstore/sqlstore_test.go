package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
	"foyer/storage/storagetest"
)

func TestConformance(t *testing.T) {
	sqltest.Both(t, storagetest.Run)
}

func TestOpenRejectsUnsupportedURLs(t *testing.T) {
	for _, url := range []string{"", "mysql://root@localhost/foyer", "sqlite:", "sqlite::memory:", "foyer.db",
		"http://user:secret@example.com/"} {
		_, err := sqlstore.Open(context.Background(), url)
		if !errors.Is(err, sqlstore.ErrUnsupportedURL) {
			t.Errorf("Open(%q) = %v, want ErrUnsupportedURL", url, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error shows the password: %v", url, err)
		}
	}
}

func TestStore(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		for _, c := range []struct {
			name string
			fn   func(t *testing.T, s *sqlstore.Store)
		}{
			{"MigrateTwice", testMigrateTwice},
			{"TokenWithoutExpiry", testTokenWithoutExpiry},
			{"TransactionMisuse", testTransactionMisuse},
			{"ErrorsCarryContext", testErrorsCarryContext},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t).(*sqlstore.Store)) })
		}
	})
}

func testMigrateTwice(t *testing.T, s *sqlstore.Store) {
	applied, err := s.Migrate(t.Context())
	if err != nil || len(applied) != 0 {
		t.Errorf("Migrate on a migrated database = %v, %v; want nothing applied", applied, err)
	}
	pending, err := s.PendingMigrations(t.Context())
	if err != nil || len(pending) != 0 {
		t.Errorf("PendingMigrations = %v, %v; want none", pending, err)
	}
}

// A token stored without expiry must survive garbage collection.
func testTokenWithoutExpiry(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	tok := &storage.Token{Kind: storage.TokenRefresh, Signature: "forever", RequestID: "r", Active: true}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredTokens(ctx, time.Now().Add(24*time.Hour), 1000); err != nil || n != 0 {
		t.Errorf("DeleteExpiredTokens = %d, %v; want 0", n, err)
	}
	got, err := s.GetToken(ctx, tok.Kind, tok.Signature)
	if err != nil || !got.ExpiresAt.IsZero() {
		t.Errorf("GetToken = %+v, %v; want the token with zero ExpiresAt", got, err)
	}
}

func testTransactionMisuse(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	if err := s.Commit(ctx); !errors.Is(err, sqlstore.ErrNoTx) {
		t.Errorf("Commit without BeginTx = %v, want ErrNoTx", err)
	}
	if err := s.Rollback(ctx); !errors.Is(err, sqlstore.ErrNoTx) {
		t.Errorf("Rollback without BeginTx = %v, want ErrNoTx", err)
	}
	txCtx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginTx(txCtx); !errors.Is(err, sqlstore.ErrTxInProgress) {
		t.Errorf("nested BeginTx = %v, want ErrTxInProgress", err)
	}
	if err := s.Commit(txCtx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.Rollback(txCtx); err != nil {
		t.Errorf("Rollback after Commit = %v, want nil (deferred rollbacks are common)", err)
	}
}

func testErrorsCarryContext(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	_, err := s.GetClient(ctx, "nope")
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), `get client "nope"`) {
		t.Errorf("GetClient missing = %v, want ErrNotFound naming the client", err)
	}
	c := &storage.Client{ID: "dup"}
	if err := s.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	err = s.CreateClient(ctx, c)
	if !errors.Is(err, storage.ErrConflict) || !strings.Contains(err.Error(), `create client "dup"`) {
		t.Errorf("CreateClient duplicate = %v, want ErrConflict naming the client", err)
	}
	err = s.CreateAccount(ctx, &storage.Account{StoreID: "no-such-store"})
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CreateAccount in a missing store = %v, want ErrNotFound", err)
	}
}
