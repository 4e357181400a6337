package selfservice_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// recordedEnv is an Env (registration and activation on, phone numbers
// taken) over a fresh store of dialect whose statements, by request, go
// to the returned recorder.
func recordedEnv(t *testing.T, dialect string) (*selfservicetest.Env, *sqltest.Recorder) {
	t.Helper()
	rec := sqltest.NewRecorder(selfservicetest.RequestID)
	env := selfservicetest.New(t, selfservicetest.Options{
		Store: sqltest.OpenRecorded(t, sqltest.URL(t, dialect), rec),
		App:   func(a *storage.Application) { a.SelfService = storage.DefaultSelfServicePolicy() },
		IdentityStore: func(s *storage.IdentityStore) {
			s.IdentifierTypes = []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername, storage.IdentifierPhone}
		},
	})
	return env, rec
}

// sameStatements fails the test when the requests that answered known and
// unknown ran different statements, and returns what known ran.
func sameStatements(t *testing.T, rec *sqltest.Recorder, what string, known, unknown *selfservicetest.Page) []string {
	t.Helper()
	k, u := rec.Of(t, known.RequestID()), rec.Of(t, unknown.RequestID())
	if !slices.Equal(k, u) {
		t.Errorf("%s: the requests for a known and an unknown identifier ran different statements:\nknown:\n  %s\nunknown:\n  %s",
			what, strings.Join(k, "\n  "), strings.Join(u, "\n  "))
	}
	return k
}

// TestWrongPasswordSameWork: a wrong password runs the same statements,
// in the same order, for a known and an unknown identifier (so neither
// the SQL nor its timing tells them apart); the known account's
// login.failed event is written by the deferred worker afterwards.
func TestWrongPasswordSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env, rec := recordedEnv(t, dialect)
			alice := env.Account(t, "alice@example.com", alicePass)
			_, known := env.SignIn(t, env.Browser(t), "alice@example.com", "not-the-password", nil)
			_, unknown := env.SignIn(t, env.Browser(t), "nobody@example.com", "not-the-password", nil)
			for _, p := range []*selfservicetest.Page{known, unknown} {
				if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Incorrect email, username or password.") {
					t.Fatalf("wrong password: %d\n%s", p.Status, p.Body)
				}
			}
			k := sameStatements(t, rec, "wrong password", known, unknown)
			if slices.ContainsFunc(k, func(q string) bool { return strings.Contains(q, "events") }) {
				t.Errorf("the request wrote the activity log itself:\n  %s", strings.Join(k, "\n  "))
			}
			env.Settle(t)
			events, err := env.Store.ListEvents(context.Background(), alice.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Kind == "login.failed" {
					n++
					if e.IP == "" || e.Data["user_agent"] == "" {
						t.Errorf("event without IP or user agent: %+v", e)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d login.failed events for alice, want 1", n)
			}
		})
	}
}

// TestNoEnumerationSameWork: for a known and an unknown identifier the
// reset request, the phone switch, the username reminder and (activation
// on) the registration give the same answer and run the same SQL
// statements, in the same order: the per-account work is deferred to the
// worker.
func TestNoEnumerationSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env, rec := recordedEnv(t, dialect)
			env.Account(t, "alice@example.com", alicePass)
			env.AccountWith(t, &storage.Account{Email: "both@example.com", EmailConfirmed: true, Phone: "+41790000003", PhoneConfirmed: true}, alicePass)
			env.AccountWith(t, &storage.Account{Username: "forgetful", Email: "forgetful@example.com", EmailConfirmed: true}, alicePass)

			reset := func(who string) *selfservicetest.Page {
				_, p := requestReset(t, env, who)
				return p
			}
			phone := func(who string) *selfservicetest.Page {
				b, sent := requestReset(t, env, who)
				return phoneSwitch(t, b, sent)
			}
			remind := func(contact string) *selfservicetest.Page { return reminder(t, env, false, contact) }
			register := func(email string) *selfservicetest.Page {
				_, b, p := registerPage(t, env)
				got := b.Submit(p, regFields(email, newcomerPass))
				got.Body = strings.ReplaceAll(got.Body, email, "ADDRESS") // the page names the address typed
				return got
			}
			flows := []struct {
				name           string
				known, unknown func() *selfservicetest.Page
			}{
				{"reset", func() *selfservicetest.Page { return reset("alice@example.com") },
					func() *selfservicetest.Page { return reset("nobody@example.com") }},
				{"phone switch", func() *selfservicetest.Page { return phone("both@example.com") },
					func() *selfservicetest.Page { return phone("nobody@example.com") }},
				{"username reminder", func() *selfservicetest.Page { return remind("forgetful@example.com") },
					func() *selfservicetest.Page { return remind("nobody@example.com") }},
				{"registration", func() *selfservicetest.Page { return register("alice@example.com") },
					func() *selfservicetest.Page { return register("newcomer@example.com") }},
			}
			for _, fl := range flows {
				known, unknown := fl.known(), fl.unknown()
				sameAnswer(t, fl.name, known, unknown)
				k := sameStatements(t, rec, fl.name, known, unknown)
				if !slices.ContainsFunc(k, func(q string) bool { return strings.Contains(q, "deferred_requests") }) {
					t.Errorf("%s: the request queued no deferred request:\n  %s", fl.name, strings.Join(k, "\n  "))
				}
			}

			// And the deferred worker did the per-account work: it queued
			// these messages (looked at before Settle delivers them).
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := env.Handler.DeferredIdle(ctx); err != nil {
				t.Fatal(err)
			}
			list, err := env.Store.ListNotifications(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			for kind, to := range map[string]string{"password_reset": "alice@example.com", "password_reset_code": "+41790000003",
				"username_reminder": "forgetful@example.com", "signup_attempt_existing": "alice@example.com", "activation": "newcomer@example.com"} {
				if n := len(slices.DeleteFunc(slices.Clone(list), func(n storage.Notification) bool { return n.Kind != kind || n.To != to })); n != 1 {
					t.Errorf("%d %s messages to %s, want 1", n, kind, to)
				}
			}
			for _, n := range list {
				if strings.HasPrefix(n.To, "nobody") {
					t.Errorf("a message to an unknown identifier: %+v", n)
				}
			}
		})
	}
}

// sameAnswer fails the test when two answers differ beyond their
// anti-forgery values.
func sameAnswer(t *testing.T, what string, a, b *selfservicetest.Page) {
	t.Helper()
	if a.Status != b.Status || hiddenValues.ReplaceAllString(a.Body, "") != hiddenValues.ReplaceAllString(b.Body, "") {
		t.Errorf("%s: answers differ (%d, %d):\n%s\n---\n%s", what, a.Status, b.Status, a.Body, b.Body)
	}
}
