package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/authz/keys"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// requestIDOf is the id requestContext gave the request whose context
// ctx is, for sqltest.Recorder.
func requestIDOf(ctx context.Context) (string, bool) {
	info, ok := ctx.Value(requestInfoKey).(requestInfo)
	return info.id, ok
}

// statementKinds sorts a request's statements: the writes, the writes
// to the interactions table, and the statements over the budgets'
// counters or the attempt table (where the budgets were once counted).
func statementKinds(stmts []string) (writes, interactionInserts, budget int) {
	for _, s := range stmts {
		s = strings.ToLower(strings.NewReplacer(`"`, "", "`", "").Replace(strings.TrimSpace(s)))
		if strings.HasPrefix(s, "insert") || strings.HasPrefix(s, "update") || strings.HasPrefix(s, "delete") {
			writes++
		}
		if strings.HasPrefix(s, "insert into interactions") {
			interactionInserts++
		}
		if strings.Contains(s, "attempt_counters") || strings.Contains(s, "login_attempts") {
			budget++
		}
	}
	return writes, interactionInserts, budget
}

// TestPendingInteractionStatements: an anonymous authorization request
// and its sign-in page make no write and no budget statement; the first
// submit stores the interaction with two budget statements.
func TestPendingInteractionStatements(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			rec := sqltest.NewRecorder(requestIDOf)
			srv := startServer(t, sqltest.OpenRecorded(t, sqltest.URL(t, dialect), rec))
			srv.account(t, "alice@example.com", alicePass)
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code"}, FirstParty: true})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
			b := newBrowser(t, srv.Listener.Addr().String())
			b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

			auth := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			login := b.get(auth.location(t).String())
			for name, p := range map[string]*page{"/oauth2/auth": auth, "the sign-in page": login} {
				w, ins, budget := statementKinds(rec.Of(t, p.resp.Header.Get("X-Request-Id")))
				if w != 0 || ins != 0 || budget != 0 {
					t.Errorf("%s: %d writes, %d budget statements; want none", name, w, budget)
				}
			}
			submit := b.submit(login, map[string]string{"identifier": "alice@example.com"})
			stmts := rec.Of(t, submit.resp.Header.Get("X-Request-Id"))
			w, ins, budget := statementKinds(stmts)
			// The budgets' two, the interaction's insert, the state's update.
			if ins != 1 || budget != 2 || w != 3 {
				t.Errorf("the first submit: %d interaction inserts, %d budget statements, %d writes; want 1, 2, 3:\n%s",
					ins, budget, w, strings.Join(stmts, "\n"))
			}
			resume := b.submit(b.get(submit.location(t).String()), map[string]string{"password": alicePass}).location(t)
			if cb := b.get(resume.String()).location(t); cb.Query().Get("code") == "" {
				t.Fatalf("sign-in: %s", cb)
			}
		})
	}
}

// signInStatements is what each request of a password sign-in through
// /oauth2/auth costs (a first-party client, no MFA), on either database
// (sqlite, when set, is SQLite's count, where a statement costs no round
// trip). Lower a number here when a change saves a statement.
var signInStatements = []struct {
	request string
	want    int
	sqlite  int
}{
	// The client (the authorization server's cache is cold).
	{"GET /oauth2/auth", 1, 0},
	// The interaction (none stored yet), the client with its
	// application.
	{"GET the sign-in page", 2, 0},
	// The interaction, the budgets' count and record, the interaction's
	// insert, the client with its application, the state's update.
	{"POST the identifier", 6, 0},
	{"GET the password page", 2, 0},
	// The flow (2); the guard's one read of every budget, the source's
	// record and count (3); the identity store, the account with its
	// password (2); the guard's clear (1); the authenticators (1); the
	// session, the state, the last sign-in, the activity log (4).
	{"POST the password", 13, 0},
	// A wrong one: the flow (2), the guard (3), the lookup (2), one
	// record of the failure under its keys, the deferred login.failed,
	// the state's update.
	{"POST a wrong password", 10, 0},
	// The interaction, the session with its account, the application with
	// its portal settings, the interaction's delete, and the code with its
	// PKCE and OpenID Connect records and the session's client (one
	// statement; on SQLite the client, then the records, in one
	// transaction).
	{"GET /oauth2/auth again", 5, 6},
}

// TestSignInStatements pins the statements of each request of a password
// sign-in, on both databases: an added statement fails it, with the list.
// The clock stands still, so the authorization server's client cache
// (one second) serves the resumed request as it does under load. The
// renderer's translation packages are cached for seconds of real time, so
// their reads are not counted; but a page reads its store's and its
// application's packages in one statement.
func TestSignInStatements(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			rec := sqltest.NewRecorder(requestIDOf)
			clock := &offsetClock{start: time.Now().Truncate(time.Microsecond)}
			srv := startServer(t, sqltest.OpenRecorded(t, sqltest.URL(t, dialect), rec), withClock(clock.now))
			srv.account(t, "alice@example.com", alicePass)
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code"}, FirstParty: true})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
			// signIn goes through the sign-in pages with pw in a new browser.
			signIn := func(pw string) (*browser, map[string]*page) {
				b := newBrowser(t, srv.Listener.Addr().String())
				b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				auth := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				login := b.get(auth.location(t).String())
				identified := b.submit(login, map[string]string{"identifier": "alice@example.com"})
				passwordPage := b.get(identified.location(t).String())
				return b, map[string]*page{"GET /oauth2/auth": auth, "GET the sign-in page": login, "POST the identifier": identified,
					"GET the password page": passwordPage, "POST the password": b.submit(passwordPage, map[string]string{"password": pw})}
			}
			b, pages := signIn(alicePass)
			pages["GET /oauth2/auth again"] = b.get(pages["POST the password"].location(t).String())
			if cb := pages["GET /oauth2/auth again"].location(t); cb.Query().Get("code") == "" {
				t.Fatalf("the sign-in did not end at the client: %s", cb)
			}
			_, wrong := signIn("wrong password")
			if pages["POST a wrong password"] = wrong["POST the password"]; wrong["POST the password"].status != http.StatusBadRequest {
				t.Fatalf("a wrong password: %d", wrong["POST the password"].status)
			}
			for _, c := range signInStatements {
				p := pages[c.request]
				if p == nil {
					t.Fatalf("no request %q", c.request)
				}
				var counted []string
				packageReads := 0
				for _, stmt := range rec.Of(t, p.resp.Header.Get("X-Request-Id")) {
					if strings.Contains(stmt, "translation_packages") {
						if strings.Contains(stmt, "application_id") {
							packageReads++
						}
						continue
					}
					counted = append(counted, stmt)
				}
				want := c.want
				if dialect == "sqlite" && c.sqlite != 0 {
					want = c.sqlite
				}
				if len(counted) != want || packageReads > 1 {
					t.Errorf("%s: %d statements and %d reads of translation packages, want %d and at most 1:\n%s",
						c.request, len(counted), packageReads, want, strings.Join(counted, "\n"))
				}
			}
		})
	}
}

// storedSize is the size of the interactions, attempt and counter
// tables: PostgreSQL's pg_total_relation_size of the three, SQLite's
// whole file in pages (it has no per-table size).
func storedSize(t *testing.T, count rowCounter, dialect string) int64 {
	t.Helper()
	q := `SELECT pg_total_relation_size('interactions') + pg_total_relation_size('login_attempts') +
		pg_total_relation_size('attempt_counters')`
	if dialect == "sqlite" {
		q = `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	}
	var n int64
	if err := count.db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("size: %v", err)
	}
	return n
}

// TestAuthorizeFloodStoresNothing: 2,000 anonymous authorization
// requests, half from one address and half spread over a thousand, all
// get the sign-in page and leave no interaction, no attempt, no count and no
// growth of those tables (the database file, on SQLite); a browser then
// still signs in through a real relying party, in two tabs side by side,
// and after the pending-cookie cap evicted its oldest sign-in, whose tab
// sees the expired page.
func TestAuthorizeFloodStoresNothing(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			store, count := openCounted(t, dialect)
			srv := startServerWith(t, store, func(c *Config) { c.TrustProxyHeaders = true })
			srv.account(t, "alice@example.com", alicePass)
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code"}, FirstParty: true})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
			verifier := oauth2.GenerateVerifier()
			authURL := rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier))

			size := storedSize(t, count, dialect)
			flood(t, authURL, 2000)
			if n, m, c := count.rows("interactions"), count.rows("login_attempts"), count.rows("attempt_counters"); n != 0 || m != 0 || c != 0 {
				t.Fatalf("after the flood: %d interactions, %d attempts, %d counters; want none", n, m, c)
			}
			if after := storedSize(t, count, dialect); after != size {
				t.Fatalf("after the flood the tables take %d bytes, before %d; want no growth", after, size)
			}
			t.Logf("2,000 anonymous authorization requests: 0 interactions, 0 attempts, 0 counters, %d bytes before and after", size)

			b := newBrowser(t, srv.Listener.Addr().String())
			exchange := func(what string, cb *page) {
				t.Helper()
				loc := cb.location(t)
				if _, err := rp.oauth.Exchange(t.Context(), loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
					t.Fatalf("%s: the relying party's code exchange: %v (%s)", what, err, loc)
				}
			}
			signIn := func(what string, tab *page) {
				t.Helper()
				p := b.submit(tab, map[string]string{"identifier": "alice@example.com"})
				if !strings.Contains(p.body, `name="password"`) {
					t.Fatalf("%s: no password page: %d\n%s", what, p.status, p.body)
				}
				exchange(what, b.submit(p, map[string]string{"password": alicePass}))
			}
			first, second := b.get(authURL), b.get(authURL)
			signIn("the second tab", second)
			signIn("the first tab", first)

			fresh := rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "login"))
			tabs := make([]*page, 5)
			for i := range tabs {
				tabs[i] = b.get(fresh)
			}
			if p := b.get(tabs[0].url.String()); p.status != http.StatusBadRequest || !strings.Contains(p.body, "This sign-in request has expired") {
				t.Fatalf("the evicted tab: %d; want the expired page:\n%s", p.status, p.body)
			}
			signIn("the newest tab", tabs[4])
			if n := count.rows("interactions"); n != 0 {
				t.Fatalf("%d interactions left after the sign-ins finished", n)
			}
		})
	}
}

// flood sends n cookieless authorization requests, eight at a time, half
// from 198.51.100.1 and half each from an address of its own, and fails
// unless every one is sent to the sign-in page.
func flood(t *testing.T, authURL string, n int) {
	t.Helper()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for i := range jobs {
				from := "198.51.100.1"
				if i%2 == 1 {
					from = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
				}
				c.Transport = forwardedFrom(from)
				resp, err := c.Get(authURL)
				if err != nil {
					t.Error(err)
					continue
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/login?") {
					t.Errorf("request %d from %s: %d %s", i, from, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// storedInteraction is interaction id's row, stored first from browser
// b's pending cookie when the sign-in was not yet submitted: for tests
// that change a stored interaction behind the server's back.
func storedInteraction(t *testing.T, srv *testServer, b *browser, id string) *storage.Interaction {
	t.Helper()
	in, err := srv.store.GetInteraction(t.Context(), id)
	if err == nil {
		return in
	}
	m := session.NewManager(nil, session.Config{PendingKey: keys.DeriveKey([]byte(testSecret), "pending-interactions")})
	issuer, _ := url.Parse(srv.issuer)
	r := httptest.NewRequest(http.MethodGet, srv.issuer, nil)
	for _, c := range b.Jar.Cookies(issuer) {
		r.AddCookie(c)
	}
	in, ok := m.Pending(r, id)
	if !ok {
		t.Fatalf("interaction %s: neither stored (%v) nor pending in the browser", id, err)
	}
	if err := srv.store.CreateInteraction(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	return in
}

// TestDoubleFirstSubmit: two first submits of one pending sign-in, sent
// at once, store one interaction; both are answered without an error
// and the sign-in finishes.
func TestDoubleFirstSubmit(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			store, count := openCounted(t, dialect)
			srv := startServer(t, store)
			srv.account(t, "alice@example.com", alicePass)
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code"}, FirstParty: true})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
			b := newBrowser(t, srv.Listener.Addr().String())
			login := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			pages := make([]*page, 2)
			var wg sync.WaitGroup
			for i := range pages {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pages[i] = b.submit(login, map[string]string{"identifier": "alice@example.com"})
				}()
			}
			wg.Wait()
			for i, p := range pages {
				if !strings.Contains(p.body, `name="password"`) {
					t.Fatalf("submit %d: %d; want the password page:\n%s", i, p.status, p.body)
				}
			}
			if n := count.rows("interactions"); n != 1 {
				t.Fatalf("%d interactions stored; want 1", n)
			}
			if cb := b.submit(pages[0], map[string]string{"password": alicePass}).location(t); cb.Query().Get("code") == "" {
				t.Fatalf("sign-in: %s", cb)
			}
		})
	}
}
