package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// codeGate holds the code-use writer inside its first statement once
// armed (the hook runs after the statement), and records the statements.
type codeGate struct {
	armed   atomic.Bool
	mu      sync.Mutex
	stmts   []string
	entered chan struct{}
	release chan struct{}
}

func (g *codeGate) hook(_ context.Context, sql string) {
	if !g.armed.Load() || !strings.HasPrefix(sql, "WITH ") {
		return
	}
	g.mu.Lock()
	g.stmts = append(g.stmts, sql)
	first := len(g.stmts) == 1
	g.mu.Unlock()
	if first {
		close(g.entered)
		<-g.release
	}
}

func (g *codeGate) statements() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.stmts...)
}

// TestCodeUsesShareAStatement: on PostgreSQL, exchanges that queue while
// a code use is written share the next statement; a second use of one
// code waits for a statement of its own (and finds the code used); and a
// shared statement that fails is retried use by use, so a taken token
// signature fails only its own exchange.
func TestCodeUsesShareAStatement(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		conflict bool
	}{{"distinct codes and a repeat", false}, {"a taken signature", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := &codeGate{entered: make(chan struct{}), release: make(chan struct{})}
			s, err := sqlstore.Open(t.Context(), sqltest.PostgresURL(t), sqlstore.WithStatementHook(g.hook))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if _, err := s.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			companions := []storage.TokenKind{storage.TokenPKCE, storage.TokenOIDC}
			codes := make([]string, 3)
			for i := range codes {
				codes[i] = "code-" + c.name[:1] + string(rune('a'+i))
				for _, kind := range []storage.TokenKind{storage.TokenAuthorizeCode, storage.TokenPKCE, storage.TokenOIDC} {
					if err := s.CreateToken(ctx, &storage.Token{Kind: kind, Signature: codes[i], ClientID: "c", Active: true,
						ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
						t.Fatal(err)
					}
				}
			}
			issue := func(sig string) []*storage.Token {
				return []*storage.Token{{Kind: storage.TokenAccess, Signature: sig, ClientID: "c", Active: true,
					ExpiresAt: time.Now().Add(time.Hour)}}
			}
			use := func(code, sig string) error { return s.UseCode(ctx, code, companions, issue(sig)) }

			g.armed.Store(true)
			first := make(chan error, 1)
			go func() { first <- use(codes[0], "at-0-"+c.name) }()
			<-g.entered
			type call struct{ code, sig string }
			calls := []call{{codes[1], "at-1-" + c.name}, {codes[2], "at-2-" + c.name}, {codes[1], "at-1b-" + c.name}}
			if c.conflict {
				calls = []call{{codes[1], "at-1-" + c.name}, {codes[2], "at-0-" + c.name}} // at-0 is taken by then
			}
			errs := make([]error, len(calls))
			var wg sync.WaitGroup
			for i, cl := range calls {
				wg.Go(func() { errs[i] = use(cl.code, cl.sig) })
			}
			wait, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := sqlstore.WaitQueuedCodeUses(wait, s, len(calls)); err != nil {
				t.Fatalf("the uses did not queue: %v", err)
			}
			close(g.release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("the first use: %v", err)
			}
			stmts := g.statements()
			if !strings.HasPrefix(stmts[1], "WITH req") {
				t.Fatalf("the queued uses were not written together; the second statement:\n%s", stmts[1])
			}
			used := func(code string) bool {
				_, err := s.GetToken(ctx, storage.TokenAuthorizeCode, code)
				return errors.Is(err, storage.ErrInactive)
			}
			if !c.conflict {
				// The batch of codes 1 and 2, then the repeat alone.
				if len(stmts) != 3 {
					t.Fatalf("%d statements, want 3 (the first, the shared one, the repeat):\n%s", len(stmts), strings.Join(stmts, "\n"))
				}
				// Of code 1's two uses, whichever queued first wins.
				won, lost := 0, 2
				if errs[0] != nil {
					won, lost = 2, 0
				}
				if errs[won] != nil || errs[1] != nil || !errors.Is(errs[lost], storage.ErrNotFound) {
					t.Fatalf("outcomes %v; want one use of code 1 and the use of code 2 to win, the other ErrNotFound", errs)
				}
				if _, err := s.GetToken(ctx, storage.TokenAccess, calls[lost].sig); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("the losing use's token: %v; want none", err)
				}
				if _, err := s.GetToken(ctx, storage.TokenAccess, calls[won].sig); err != nil {
					t.Fatalf("the winning use's token: %v", err)
				}
			} else {
				// The shared statement fails, then each use alone.
				if len(stmts) != 4 {
					t.Fatalf("%d statements, want 4 (the first, the failed shared one, each alone):\n%s", len(stmts), strings.Join(stmts, "\n"))
				}
				if errs[0] != nil || !errors.Is(errs[1], storage.ErrConflict) {
					t.Fatalf("outcomes %v; want code 1 used and code 2 ErrConflict", errs)
				}
				if used(codes[2]) {
					t.Fatal("the failed use left its code used")
				}
			}
			for _, code := range codes[:2] {
				if !used(code) {
					t.Errorf("%s is not used", code)
				}
				if _, err := s.GetToken(ctx, storage.TokenPKCE, code); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("%s kept its PKCE record: %v", code, err)
				}
			}
		})
	}
}
