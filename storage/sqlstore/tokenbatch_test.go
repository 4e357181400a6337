package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// writerGate holds the token batcher's writer inside its first INSERT once
// armed, so a test can line up concurrent inserts behind it and know
// exactly which batch each lands in.
type writerGate struct {
	armed   atomic.Bool
	inserts atomic.Int32 // INSERTs into oauth2_tokens since armed
	entered chan struct{}
	release chan struct{}
}

func newWriterGate() *writerGate {
	return &writerGate{entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *writerGate) hook(_ context.Context, sql string) {
	if !g.armed.Load() || !strings.HasPrefix(sql, "INSERT INTO oauth2_tokens") {
		return
	}
	if g.inserts.Add(1) == 1 {
		close(g.entered)
		<-g.release
	}
}

// openGated opens a migrated store whose statements pass through g.
func openGated(t *testing.T, databaseURL string, g *writerGate) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), databaseURL, sqlstore.WithMaxOpenConns(8), sqlstore.WithStatementHook(g.hook))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func bothURLs(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqltest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, sqltest.PostgresURL(t)) })
}

func accessToken(sig string) *storage.Token {
	return &storage.Token{Kind: storage.TokenAccess, Signature: sig, RequestID: "req-" + sig, ClientID: "c",
		Active: true, Data: []byte(`{"id":"` + sig + `"}`), ExpiresAt: time.Now().Add(time.Hour)}
}

// queueBehindWriter holds the writer in a first insert (sig "first"), then
// starts one CreateToken per token and returns once all are queued. The
// caller releases the gate; wait then gives each insert's error, in order.
func queueBehindWriter(t *testing.T, s *sqlstore.Store, g *writerGate, ctxs []context.Context, toks []*storage.Token) (wait func() []error) {
	t.Helper()
	g.armed.Store(true)
	firstErr := make(chan error, 1)
	go func() { firstErr <- s.CreateToken(t.Context(), accessToken("first")) }()
	<-g.entered
	errs := make([]error, len(toks))
	var wg sync.WaitGroup
	for i, tok := range toks {
		wg.Go(func() { errs[i] = s.CreateToken(ctxs[i], tok) })
	}
	if err := sqlstore.WaitQueuedTokens(t.Context(), s, len(toks)); err != nil {
		t.Fatal(err)
	}
	return func() []error {
		wg.Wait()
		if err := <-firstErr; err != nil {
			t.Errorf("first insert: %v", err)
		}
		return errs
	}
}

func contexts(ctx context.Context, n int) []context.Context {
	out := make([]context.Context, n)
	for i := range out {
		out[i] = ctx
	}
	return out
}

// Inserts that arrive while one is being written go out together, in one
// statement, and every row is there exactly once.
func TestTokenInsertsGrouped(t *testing.T) {
	bothURLs(t, func(t *testing.T, url string) {
		g := newWriterGate()
		s := openGated(t, url, g)
		const n = 50
		toks := make([]*storage.Token, n)
		for i := range toks {
			toks[i] = accessToken(fmt.Sprintf("grouped-%d", i))
		}
		wait := queueBehindWriter(t, s, g, contexts(t.Context(), n), toks)
		close(g.release)
		for i, err := range wait() {
			if err != nil {
				t.Errorf("insert %d: %v", i, err)
			}
		}
		if got := g.inserts.Load(); got != 2 {
			t.Errorf("%d INSERT statements for 1 + %d concurrent tokens, want 2 (the first, then one for the rest)", got, n)
		}
		for _, tok := range toks {
			got, err := s.GetTokensBySignature(t.Context(), tok.Signature, []storage.TokenKind{storage.TokenAccess})
			if err != nil || len(got) != 1 || string(got[0].Data) != string(tok.Data) || got[0].ExpiresAt.IsZero() {
				t.Errorf("token %s: %+v, %v; want exactly the one row", tok.Signature, got, err)
			}
		}
	})
}

// A duplicate in a batch fails only its own caller: the batch falls back
// to one INSERT per row.
func TestTokenBatchDuplicateFailsOnlyItsCaller(t *testing.T) {
	bothURLs(t, func(t *testing.T, url string) {
		g := newWriterGate()
		s := openGated(t, url, g)
		if err := s.CreateToken(t.Context(), accessToken("taken")); err != nil {
			t.Fatal(err)
		}
		toks := []*storage.Token{accessToken("a"), accessToken("taken"), accessToken("b"), accessToken("c")}
		wait := queueBehindWriter(t, s, g, contexts(t.Context(), len(toks)), toks)
		close(g.release)
		errs := wait()
		for i, err := range errs {
			want := toks[i].Signature == "taken"
			if got := errors.Is(err, storage.ErrConflict); got != want || (!want && err != nil) {
				t.Errorf("insert %s: %v; want ErrConflict only for the taken signature", toks[i].Signature, err)
			}
		}
		for _, sig := range []string{"a", "b", "c"} {
			if _, err := s.GetToken(t.Context(), storage.TokenAccess, sig); err != nil {
				t.Errorf("token %s after the batch fell back: %v", sig, err)
			}
		}
	})
}

// Two callers with one new signature in the same batch: one wins.
func TestTokenBatchDuplicateWithinBatch(t *testing.T) {
	bothURLs(t, func(t *testing.T, url string) {
		g := newWriterGate()
		s := openGated(t, url, g)
		toks := []*storage.Token{accessToken("twice"), accessToken("once"), accessToken("twice")}
		wait := queueBehindWriter(t, s, g, contexts(t.Context(), len(toks)), toks)
		close(g.release)
		errs := wait()
		if errs[1] != nil {
			t.Errorf("the distinct token: %v", errs[1])
		}
		conflicts := 0
		for _, i := range []int{0, 2} {
			switch {
			case errors.Is(errs[i], storage.ErrConflict):
				conflicts++
			case errs[i] != nil:
				t.Errorf("duplicate %d: %v", i, errs[i])
			}
		}
		if conflicts != 1 {
			t.Errorf("%d conflicts among the two identical signatures (%v), want exactly 1", conflicts, errs)
		}
	})
}

// A caller that gives up while queued gets its context's error, and its
// row is not written; the others in the batch are.
func TestTokenBatchCancelledCaller(t *testing.T) {
	bothURLs(t, func(t *testing.T, url string) {
		g := newWriterGate()
		s := openGated(t, url, g)
		gone, cancel := context.WithCancel(t.Context())
		toks := []*storage.Token{accessToken("stays"), accessToken("gone")}
		wait := queueBehindWriter(t, s, g, []context.Context{t.Context(), gone}, toks)
		cancel()
		close(g.release)
		errs := wait()
		if errs[0] != nil {
			t.Errorf("the caller that stayed: %v", errs[0])
		}
		if !errors.Is(errs[1], context.Canceled) {
			t.Errorf("the cancelled caller: %v, want context.Canceled", errs[1])
		}
		if _, err := s.GetToken(t.Context(), storage.TokenAccess, "gone"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the cancelled caller's token: %v, want ErrNotFound", err)
		}
		if _, err := s.GetToken(t.Context(), storage.TokenAccess, "stays"); err != nil {
			t.Errorf("the other token: %v", err)
		}
	})
}

// Close writes what is queued before it releases the pool, and inserts
// after Close fail rather than wait forever.
func TestTokenBatchCloseFlushes(t *testing.T) {
	bothURLs(t, func(t *testing.T, url string) {
		g := newWriterGate()
		s := openGated(t, url, g)
		toks := []*storage.Token{accessToken("q1"), accessToken("q2"), accessToken("q3")}
		wait := queueBehindWriter(t, s, g, contexts(t.Context(), len(toks)), toks)
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		close(g.release)
		for i, err := range wait() {
			if err != nil {
				t.Errorf("queued insert %d: %v", i, err)
			}
		}
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		if err := s.CreateToken(t.Context(), accessToken("late")); err == nil {
			t.Error("CreateToken after Close succeeded")
		}
		again, err := sqlstore.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		for _, sig := range []string{"first", "q1", "q2", "q3"} {
			if _, err := again.GetToken(t.Context(), storage.TokenAccess, sig); err != nil {
				t.Errorf("token %s after Close: %v", sig, err)
			}
		}
	})
}

// Inside a caller's transaction the row is written there, at once: it
// does not wait for the batch writer (held here in another insert), and
// it is rolled back with the transaction, never committed behind its back.
func TestTokenInsertInTransaction(t *testing.T) {
	bothURLs(t, func(t *testing.T, url string) {
		g := newWriterGate()
		s := openGated(t, url, g)
		wait := queueBehindWriter(t, s, g, nil, nil)
		ctx, err := s.BeginTx(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- s.CreateToken(ctx, accessToken("in-tx")) }()
		watch, stopWatch := context.WithCancel(t.Context())
		defer stopWatch()
		queued := make(chan struct{})
		go func() {
			if sqlstore.WaitQueuedTokens(watch, s, 1) == nil {
				close(queued)
			}
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-queued:
			close(g.release)
			t.Fatal("an insert inside a transaction was queued for the batch writer")
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		close(g.release)
		wait()
		if _, err := s.GetToken(t.Context(), storage.TokenAccess, "in-tx"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("token of a rolled-back transaction: %v, want ErrNotFound", err)
		}
	})
}
