package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// drain waits until the server's deferred self-service requests are done,
// so a test that asserts what was (or was not) sent does not pass before
// the worker had its chance.
func (s *testServer) drain(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.deferredIdle(ctx); err != nil {
		t.Fatalf("deferred requests: %v", err)
	}
}

// statementLog keeps the statements each request ran, by request id.
type statementLog struct {
	mu   sync.Mutex
	byID map[string][]string
}

func (l *statementLog) hook(ctx context.Context, sql string) {
	info, ok := ctx.Value(requestInfoKey).(requestInfo)
	if !ok {
		return // a worker's, or the test's own
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byID[info.id] = append(l.byID[info.id], sql)
}

// of is what the request that answered p ran.
func (l *statementLog) of(t *testing.T, p *page) []string {
	t.Helper()
	id := p.resp.Header.Get("X-Request-Id")
	l.mu.Lock()
	defer l.mu.Unlock()
	if id == "" || len(l.byID[id]) == 0 {
		t.Fatalf("no statements recorded for the request answered %d", p.status)
	}
	return slices.Clone(l.byID[id])
}

// openRecorded opens and migrates a fresh store whose statements go to l.
func openRecorded(t *testing.T, url string, l *statementLog) storage.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, url, sqlstore.WithMaxOpenConns(8), sqlstore.WithStatementHook(l.hook))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNoEnumerationSameWork: for a known and an unknown identifier the
// reset request, the phone switch, the username reminder and (activation
// on) the registration run the same SQL statements, in the same order:
// the per-account work is deferred to the worker.
func TestNoEnumerationSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			log := &statementLog{byID: map[string][]string{}}
			url := sqltest.SQLiteURL(t)
			if dialect == "postgres" {
				url = sqltest.PostgresURL(t)
			}
			s := newRegSetup(t, openRecorded(t, url, log), nil, authz.ClientSpec{})
			s.srv.account(t, "alice@example.com", alicePass)
			s.phoneAccount(t, storage.Account{Email: "both@example.com", EmailConfirmed: true, Phone: "+41790000003", PhoneConfirmed: true})
			s.phoneAccount(t, storage.Account{Username: "forgetful", Email: "forgetful@example.com", EmailConfirmed: true})

			reset := func(state, who string) (*browser, *page) {
				b, p, _ := s.recoverPage(t, state)
				return b, b.submit(p, map[string]string{"identifier": who})
			}
			phoneSwitch := func(state, who string) *page {
				b, sent := reset(state, who)
				return postTo(b, sent, "/recover/phone", nil)
			}
			register := func(state, email string) *page {
				b, p, _ := s.registerPage(t, state)
				return b.submit(p, regFields(email, newcomerPass))
			}
			flows := []struct {
				name           string
				known, unknown func() *page
			}{
				{"reset", func() *page { _, p := reset("state-enum-r1", "alice@example.com"); return p },
					func() *page { _, p := reset("state-enum-r2", "nobody@example.com"); return p }},
				{"phone switch", func() *page { return phoneSwitch("state-enum-p1", "both@example.com") },
					func() *page { return phoneSwitch("state-enum-p2", "nobody@example.com") }},
				{"username reminder", func() *page { return reminderRequest(t, s, "state-enum-u1", false, "forgetful@example.com") },
					func() *page { return reminderRequest(t, s, "state-enum-u2", false, "nobody@example.com") }},
				{"registration", func() *page { return register("state-enum-g1", "alice@example.com") },
					func() *page { return register("state-enum-g2", "newcomer@example.com") }},
			}
			for _, fl := range flows {
				known, unknown := fl.known(), fl.unknown()
				sameAnswer(t, fl.name, known, unknown)
				k, u := log.of(t, known), log.of(t, unknown)
				t.Logf("%s (%s): known %d statements, unknown %d", fl.name, dialect, len(k), len(u))
				if !slices.Equal(k, u) {
					t.Errorf("%s: the requests for a known and an unknown identifier ran different statements:\nknown:\n  %s\nunknown:\n  %s",
						fl.name, strings.Join(k, "\n  "), strings.Join(u, "\n  "))
				}
				if !slices.ContainsFunc(k, func(q string) bool { return strings.Contains(q, "deferred_requests") }) {
					t.Errorf("%s: the request queued no deferred request:\n  %s", fl.name, strings.Join(k, "\n  "))
				}
			}

			// And the worker did the per-account work.
			for kind, to := range map[string]string{"password_reset": "alice@example.com", "password_reset_code": "+41790000003",
				"username_reminder": "forgetful@example.com", "signup_attempt_existing": "alice@example.com", "activation": "newcomer@example.com"} {
				if n := len(s.mails(t, kind, to)); n != 1 {
					t.Errorf("%d %s messages to %s, want 1", n, kind, to)
				}
			}
			list, err := s.srv.store.ListNotifications(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range list {
				if strings.HasPrefix(n.To, "nobody") {
					t.Errorf("a message to an unknown identifier: %+v", n)
				}
			}
		})
	}
}
