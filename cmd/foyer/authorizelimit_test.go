package main

import (
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// rowCounter counts a table's rows through a connection of its own, so
// tests see what anonymous requests made Foyer store.
type rowCounter struct {
	t  *testing.T
	db *sql.DB
}

func (c rowCounter) rows(table string) int {
	c.t.Helper()
	var n int
	// table is one of the test's own literals.
	if err := c.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil { //nolint:gosec // G202: see above
		c.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// counted is the sum of the budgets' counters (attempt_counters): a
// submit counted adds one under its address and one under the global key.
func (c rowCounter) counted() int {
	c.t.Helper()
	var n int
	if err := c.db.QueryRow("SELECT COALESCE(SUM(n), 0) FROM attempt_counters").Scan(&n); err != nil {
		c.t.Fatalf("sum attempt_counters: %v", err)
	}
	return n
}

// openCounted is a migrated store of dialect and a counter over its
// database.
func openCounted(t *testing.T, dialect string) (*sqlstore.Store, rowCounter) {
	t.Helper()
	dbURL := sqltest.URL(t, dialect)
	s, err := sqlstore.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	driver, dsn := "pgx", dbURL
	if dialect == "sqlite" {
		driver, dsn = "sqlite", strings.TrimPrefix(dbURL, "sqlite:")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return s, rowCounter{t: t, db: db}
}

// anonymousAnswer is how /oauth2/auth answered a browser without cookies.
type anonymousAnswer struct {
	status     int
	retryAfter string
	location   string
	body       string
}

// authorizeFrom sends an authorization request from a cookieless browser
// at client address from (through the trusted proxy header).
func authorizeFrom(t *testing.T, authURL, from string) anonymousAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, authURL, nil)
	req.Header.Set("X-Forwarded-For", from)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return anonymousAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
		location: resp.Header.Get("Location"), body: string(body)}
}

// browserAt is a new browser at client address addr.
func browserAt(t *testing.T, srv *testServer, addr string) *browser {
	b := newBrowser(t, srv.Listener.Addr().String())
	b.Transport = forwardedFrom(addr)
	return b
}

// TestAuthorizeInteractionBudgets: anonymous authorization requests store
// nothing and are never held; the first submit of a sign-in page stores
// the interaction, within the budgets. Submits from one address are held
// at its budget with the themed page, 429 and Retry-After, storing and
// counting nothing; another address still gets through until the global
// budget is used; a signed-in browser's authorization, which stores no
// interaction, is never counted or held; holds end once the buckets that
// fill them leave the window (up to one 10-second bucket later than an
// exact window would), and a held sign-in goes on where it was once they
// do.
func TestAuthorizeInteractionBudgets(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			store, count := openCounted(t, dialect)
			// 4 s into a 10 s bucket of the counters: a minute's hold
			// lasts until that bucket leaves, 66 s later.
			clock := &offsetClock{start: time.Now().Truncate(10 * time.Second).Add(4 * time.Second)}
			srv := startServerWith(t, store, func(c *Config) {
				c.TrustProxyHeaders = true
				c.AuthorizeLimitAddress, c.AuthorizeLimitGlobal = "3", "6"
			}, withClock(clock.now))
			srv.account(t, "alice@example.com", alicePass)
			id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
				GrantTypes: []string{"authorization_code"}, FirstParty: true})
			rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
			authURL := rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
			// start is a browser at from with its sign-in page, which
			// stored and counted nothing.
			start := func(from string) (*browser, *page) {
				t.Helper()
				before, attempts, counts := count.rows("interactions"), count.rows("login_attempts"), count.counted()
				b := browserAt(t, srv, from)
				p := b.get(authURL)
				if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
					t.Fatalf("%s: %d at %s; want the sign-in page", from, p.status, p.url)
				}
				if n, m, c := count.rows("interactions"), count.rows("login_attempts"), count.counted(); n != before || m != attempts || c != counts {
					t.Fatalf("%s: the anonymous authorization stored %d interactions, %d attempts, %d counts", from, n-before, m-attempts, c-counts)
				}
				return b, p
			}
			admitted := func(from string) {
				t.Helper()
				b, p := start(from)
				before, attempts, counts := count.rows("interactions"), count.rows("login_attempts"), count.counted()
				if p = b.submit(p, map[string]string{"identifier": "alice@example.com"}); !strings.Contains(p.body, `name="password"`) {
					t.Fatalf("%s: %d; want the password page:\n%s", from, p.status, p.body)
				}
				if n := count.rows("interactions"); n != before+1 {
					t.Fatalf("%s: the first submit stored %d interactions, want 1", from, n-before)
				}
				// Counted once under each key, in the counters only.
				if m, c := count.rows("login_attempts"), count.counted(); m != attempts || c != counts+2 {
					t.Fatalf("%s: the first submit added %d attempts and %d counts; want 0 and 2", from, m-attempts, c-counts)
				}
			}
			held := func(from, retryAfter string) (*browser, *page) {
				t.Helper()
				b, p := start(from)
				before, counts := count.rows("interactions"), count.counted()
				a := b.submit(p, map[string]string{"identifier": "alice@example.com"})
				if a.status != http.StatusTooManyRequests || a.resp.Header.Get("Retry-After") != retryAfter ||
					!strings.Contains(a.body, "Too many sign-ins are being started right now") {
					t.Fatalf("%s: %d Retry-After %q; want 429, Retry-After %s, the error page:\n%s",
						from, a.status, a.resp.Header.Get("Retry-After"), retryAfter, a.body)
				}
				if after := count.rows("interactions"); after != before {
					t.Fatalf("%s: a refused submit stored an interaction (%d -> %d)", from, before, after)
				}
				if after := count.counted(); after != counts {
					t.Fatalf("%s: a refused submit was counted (%d -> %d)", from, counts, after)
				}
				return b, p
			}

			b := newBrowser(t, srv.Listener.Addr().String())
			if cb := b.signIn(authURL, "alice@example.com", alicePass); cb.Query().Get("code") == "" {
				t.Fatalf("sign-in: %s", cb)
			}
			const a, b2, c, d = "198.51.100.7", "203.0.113.20", "203.0.113.21", "2001:db8:1:2::7"
			for range 3 {
				admitted(a)
			}
			held(a, "66")
			waiting, page := held(a, "66")
			if n := count.rows("interactions"); n != 3 {
				t.Fatalf("interactions: %d, want the address's 3 (the sign-in's was used up)", n)
			}
			admitted(b2)
			admitted(c)
			held(d, "66") // the installation's six are used
			attempts, counts := count.rows("login_attempts"), count.counted()
			if cb := b.get(authURL).location(t); cb.Query().Get("code") == "" || !strings.HasPrefix(cb.String(), rpCallback) {
				t.Fatalf("the signed-in browser: %s; want a code", cb)
			}
			if n, m, c := count.rows("interactions"), count.rows("login_attempts"), count.counted(); n != 5 || m != attempts || c != counts {
				t.Fatalf("the signed-in browser's authorization left %d interactions, %d attempts, %d counts; want 5, %d, %d",
					n, m, c, attempts, counts)
			}
			clock.advance(30 * time.Second)
			held(a, "36")
			// 65 s after the address's last submit, its bucket (which
			// began 69 s ago) still counts: the window errs towards
			// holding, by less than a bucket.
			clock.advance(35 * time.Second)
			held(a, "1")
			clock.advance(time.Second)
			admitted(d)
			// The held sign-in, still pending in its browser, goes on.
			if p := waiting.submit(page, map[string]string{"identifier": "alice@example.com"}); !strings.Contains(p.body, `name="password"`) {
				t.Fatalf("the held sign-in after the hold: %d\n%s", p.status, p.body)
			}
			admitted(a)
		})
	}
}

// TestAuthorizeRequestOver4KiBNeedsPAR: an authorization request too
// large for the pending cookie (session.MaxPendingRequest, 2,725 bytes) is
// refused with a hint to push it, storing nothing; pushed (PAR), the same
// request is stored at once (its client authenticated) and goes on to
// sign-in.
func TestAuthorizeRequestOver4KiBNeedsPAR(t *testing.T) {
	t.Parallel()
	store, count := openCounted(t, "sqlite")
	srv := startServer(t, store)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("padding", strings.Repeat("x", 5<<10))}
	a := authorizeFrom(t, rp.oauth.AuthCodeURL("state-0001", opts...), "127.0.0.1")
	loc, _ := url.Parse(a.location)
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, rpCallback) || loc.Query().Get("error") != "invalid_request" ||
		!strings.Contains(loc.Query().Get("error_description"), "pushed authorization request (PAR") {
		t.Fatalf("a 5 KiB request: %d %q; want invalid_request naming PAR at the client", a.status, a.location)
	}
	if n := count.rows("interactions"); n != 0 {
		t.Fatalf("the refused request stored %d interactions", n)
	}
	pushed := pushAuthCodeURL(t, srv, rp, "state-0002", opts...)
	if a := authorizeFrom(t, pushed, "127.0.0.1"); a.status != http.StatusFound || !strings.Contains(a.location, "/login?") {
		t.Fatalf("the pushed request: %d %q; want the sign-in page", a.status, a.location)
	}
	if n := count.rows("interactions"); n != 1 {
		t.Fatalf("interactions after the pushed request: %d, want 1", n)
	}
}
