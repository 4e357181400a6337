package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// planRows is how many tokens the plan test stores: enough that
// PostgreSQL's planner prefers an index to reading the table.
const planRows = 50_000

// TestTokenQueriesUseTheirIndex explains every query the store runs on
// oauth2_tokens, as it runs it, over 50,000 analysed tokens (three in five
// client-credentials tokens without subject or session, as in production),
// and wants each on the index migration 0036 meant for it, never a scan
// of the table.
func TestTokenQueriesUseTheirIndex(t *testing.T) {
	s := sqltest.Postgres(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	seedPlanTokens(t, s, now)

	for _, c := range []struct {
		name, index string
		run         func(ctx context.Context) error
		// scans: the plan may also read the whole table, see below.
		scans bool
	}{
		{"GetToken", "oauth2_tokens_pkey", func(ctx context.Context) error {
			_, err := s.GetToken(ctx, storage.TokenAccess, "sig-17")
			return err
		}, false},
		{"GetTokensBySignature", "oauth2_tokens_pkey", func(ctx context.Context) error {
			_, err := s.GetTokensBySignature(ctx, "sig-18", []storage.TokenKind{storage.TokenAccess, storage.TokenRefresh})
			return err
		}, false},
		{"DeactivateToken", "oauth2_tokens_pkey", func(ctx context.Context) error {
			return s.DeactivateToken(ctx, storage.TokenAccess, "sig-25")
		}, false},
		{"DeleteToken", "oauth2_tokens_pkey", func(ctx context.Context) error {
			return s.DeleteToken(ctx, storage.TokenAccess, "sig-20")
		}, false},
		{"DeleteTokensBySignature", "oauth2_tokens_pkey", func(ctx context.Context) error {
			_, err := s.DeleteTokensBySignature(ctx, "sig-21", []storage.TokenKind{storage.TokenAccess, storage.TokenRefresh})
			return err
		}, false},
		{"RevokeTokensByRequestID", "oauth2_tokens_family_idx", func(ctx context.Context) error {
			_, err := s.RevokeTokensByRequestID(ctx, storage.TokenRefresh, "req-41")
			return err
		}, false},
		{"RevokeTokensBySubject", "oauth2_tokens_subject_set_idx", func(ctx context.Context) error {
			_, err := s.RevokeTokensBySubject(ctx, "user-7")
			return err
		}, false},
		{"RevokeTokensBySubjectAndClient", "oauth2_tokens_subject_set_idx", func(ctx context.Context) error {
			_, err := s.RevokeTokensBySubjectAndClient(ctx, "user-8", "app-8")
			return err
		}, false},
		{"ClientsForSession", "oauth2_tokens_session_set_idx", func(ctx context.Context) error {
			_, err := s.ClientsForSession(ctx, "session-9")
			return err
		}, false},
		// The batch is picked by the expiry index; at 50,000 rows the
		// planner then finds the 1,000 rows by hashing them against a scan
		// of the table (1,102 cost units), cheaper than 1,000 probes of the
		// primary key. At millions of rows it probes (README "Size mode").
		{"DeleteExpiredTokens", "oauth2_tokens_expires_idx", func(ctx context.Context) error {
			_, err := s.DeleteExpiredTokens(ctx, now.Add(-time.Hour), 1000)
			return err
		}, true},
		{"DeleteClient", "oauth2_tokens_client_idx", func(ctx context.Context) error {
			return ignoreNotFound(s.DeleteClient(ctx, "app-3")) // no client row: the tokens' DELETE still ran
		}, false},
		{"DeleteAccountData", "oauth2_tokens_subject_set_idx", func(ctx context.Context) error {
			return ignoreNotFound(s.DeleteAccountData(ctx, "user-11"))
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			plans, err := s.Explain(ctx, c.run)
			if err != nil {
				t.Fatal(err)
			}
			checkTokenPlans(t, plans, c.index, c.scans)
		})
	}
}

func ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// checkTokenPlans: every statement on oauth2_tokens names the index and,
// unless scans, none scans the table.
func checkTokenPlans(t *testing.T, plans []sqlstore.Explained, index string, scans bool) {
	t.Helper()
	seen := 0
	for _, p := range plans {
		if !strings.Contains(p.SQL, "oauth2_tokens") {
			continue
		}
		seen++
		// "Index Scan using I on oauth2_tokens  (cost", "Bitmap Index Scan on I  (cost"
		if !scans && strings.Contains(p.Plan, "Seq Scan on oauth2_tokens") || !strings.Contains(p.Plan, " "+index+" ") {
			t.Errorf("%s\n-- args %v\nwant it on %s, plan:\n%s", p.SQL, p.Args, index, p.Plan)
		}
	}
	if seen == 0 {
		t.Fatalf("no statement on oauth2_tokens recorded: %+v", plans)
	}
}

// seedPlanTokens stores planRows tokens: three in five client-credentials
// access tokens of one of five clients (no subject, no session), the rest
// every kind of record of 5,000 accounts' grants with 20 clients and 8,000
// sessions; one in five expired (as in the bench's size mode: many for the
// cleanup's batch to choose from), one in a hundred never expires. Then
// VACUUM (ANALYZE), so the planner knows the table.
func seedPlanTokens(t *testing.T, s *sqlstore.Store, now time.Time) {
	t.Helper()
	set := sqlstore.BulkRows{Table: "oauth2_tokens", Columns: []string{"kind", "signature", "request_id", "client_id",
		"subject", "session_id", "active", "data", "created_at", "expires_at"}}
	userKinds := []storage.TokenKind{storage.TokenAccess, storage.TokenRefresh, storage.TokenAuthorizeCode,
		storage.TokenPKCE, storage.TokenOIDC}
	for i := range planRows {
		kind, client, subject, session := storage.TokenAccess, fmt.Sprintf("cc-%d", i%5), "", ""
		if i%5 >= 3 {
			kind, client = userKinds[i%len(userKinds)], fmt.Sprintf("app-%d", i%20)
			subject, session = fmt.Sprintf("user-%d", i%5000), fmt.Sprintf("session-%d", i%8000)
		}
		var expires *time.Time
		switch {
		case i%5 == 1:
			e := now.Add(-2 * time.Hour)
			expires = &e
		case i%100 != 2:
			e := now.Add(24 * time.Hour)
			expires = &e
		}
		set.Rows = append(set.Rows, []any{string(kind), fmt.Sprintf("sig-%d", i), fmt.Sprintf("req-%d", i/2),
			client, subject, session, true, []byte("{}"), now, expires})
	}
	if err := s.BulkInsert(t.Context(), set); err != nil {
		t.Fatal(err)
	}
	if err := s.Analyze(t.Context(), "oauth2_tokens"); err != nil {
		t.Fatal(err)
	}
}

// Only access and refresh tokens are revoked by request id (only those are
// in its index); asking for another kind is a mistake, not an empty result.
func TestRevokeByRequestIDRefusesOtherKinds(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newStore(t)
		code := &storage.Token{Kind: storage.TokenAuthorizeCode, Signature: "code-sig", RequestID: "req-1",
			ClientID: "c", Subject: "u", Active: true}
		if err := s.CreateToken(t.Context(), code); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RevokeTokensByRequestID(t.Context(), storage.TokenAuthorizeCode, "req-1"); err == nil {
			t.Errorf("RevokeTokensByRequestID(authorize_code) = %d, nil; want an error", n)
		}
		if _, err := s.GetToken(t.Context(), storage.TokenAuthorizeCode, "code-sig"); err != nil {
			t.Errorf("the code went: %v", err)
		}
	})
}

// Checkpoint returns once the database wrote its pages out; a cancelled
// context is an error, not a silent skip.
func TestCheckpoint(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqlstore.Store{"sqlite": sqltest.SQLite, "postgres": sqltest.Postgres} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if err := s.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if err := s.Checkpoint(ctx); err == nil {
				t.Error("Checkpoint with a cancelled context = nil")
			}
		})
	}
}
