package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestWrongPasswordSameWork: a wrong password runs the same statements,
// in the same order, for a known and an unknown identifier (so neither
// the SQL nor its timing tells them apart); the known account's
// login.failed event is written by the deferred worker afterwards.
func TestWrongPasswordSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			log := &statementLog{byID: map[string][]string{}}
			url := sqltest.SQLiteURL(t)
			if dialect == "postgres" {
				url = sqltest.PostgresURL(t)
			}
			s := newRegSetup(t, openRecorded(t, url, log), nil, authz.ClientSpec{})
			alice := s.srv.account(t, "alice@example.com", alicePass)
			wrong := func(state, who string) *page {
				b := newBrowser(t, s.srv.Listener.Addr().String())
				p := b.get(s.rp.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				p = b.submit(p, map[string]string{"identifier": who})
				return b.submit(p, map[string]string{"password": "not-the-password"})
			}
			known, unknown := wrong("state-pw-known", "alice@example.com"), wrong("state-pw-unknown", "nobody@example.com")
			for _, p := range []*page{known, unknown} {
				if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Incorrect email, username or password.") {
					t.Fatalf("wrong password: %d\n%s", p.status, p.body)
				}
			}
			k, u := log.of(t, known), log.of(t, unknown)
			if !slices.Equal(k, u) {
				t.Errorf("a wrong password ran different statements for a known and an unknown identifier:\nknown:\n  %s\nunknown:\n  %s",
					strings.Join(k, "\n  "), strings.Join(u, "\n  "))
			}
			if slices.ContainsFunc(k, func(q string) bool { return strings.Contains(q, "events") }) {
				t.Errorf("the request wrote the activity log itself:\n  %s", strings.Join(k, "\n  "))
			}
			s.srv.drain(t)
			if n := countEvents(t, s, alice.ID, "login.failed"); n != 1 {
				t.Errorf("%d login.failed events for alice, want 1", n)
			}
		})
	}
}

// countEvents counts an account's activity-log events of one kind.
func countEvents(t *testing.T, s *regSetup, accountID, kind string) int {
	t.Helper()
	events, err := s.srv.store.ListEvents(context.Background(), accountID, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
			if e.IP == "" || e.Data["user_agent"] == "" {
				t.Errorf("event without IP or user agent: %+v", e)
			}
		}
	}
	return n
}
