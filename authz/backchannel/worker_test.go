package backchannel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/authz/backchannel"
	"foyer/authz/keys"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

const (
	issuer = "https://id.example"
	secret = "test-secret-test-secret-test-secret-0123"
)

// clock is moved by the test; the worker never waits on it.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// relyingParty is a test RP: it records every logout_token it is sent and
// answers with status (200 unless set).
type relyingParty struct {
	*httptest.Server
	mu     sync.Mutex
	tokens []string
	ctype  string
	status int
	hang   bool // wait until the sender gives up
}

func newRelyingParty(t *testing.T) *relyingParty {
	rp := &relyingParty{status: http.StatusOK}
	rp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rp.mu.Lock()
		rp.tokens = append(rp.tokens, r.PostForm.Get("logout_token"))
		rp.ctype = r.Header.Get("Content-Type")
		status, hang := rp.status, rp.hang
		rp.mu.Unlock()
		if hang {
			<-r.Context().Done()
			return
		}
		if status == http.StatusFound {
			http.Redirect(w, r, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rp.Close)
	return rp
}

func (rp *relyingParty) answer(status int, hang bool) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.status, rp.hang = status, hang
}

func (rp *relyingParty) contentType() string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.ctype
}

func (rp *relyingParty) received() []string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return append([]string(nil), rp.tokens...)
}

type fixture struct {
	store  storage.Store
	keys   *keys.Manager
	clock  *clock
	worker *backchannel.Worker
	rp     *relyingParty
}

func setup(t *testing.T, store storage.Store) *fixture {
	t.Helper()
	ctx := t.Context()
	km := keys.NewManager(store, []byte(secret))
	if err := km.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	rp := newRelyingParty(t)
	if err := store.CreateClient(ctx, &storage.Client{ID: "shop", BackchannelLogoutURI: rp.URL + "/bc"}); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	w := backchannel.NewWorker(backchannel.Config{Issuer: issuer, Now: c.now, Timeout: time.Second}, store, km)
	return &fixture{store: store, keys: km, clock: c, worker: w, rp: rp}
}

func (f *fixture) enqueue(t *testing.T, sessionID string) *storage.LogoutNotice {
	t.Helper()
	n := &storage.LogoutNotice{SessionID: sessionID, AccountID: "alice", ClientID: "shop", NextAttemptAt: f.clock.t}
	if err := f.store.EnqueueLogoutNotice(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) runOnce(t *testing.T, want int) {
	t.Helper()
	n, err := f.worker.RunOnce(t.Context())
	if err != nil || n != want {
		t.Fatalf("RunOnce at %v = %d, %v; want %d notices", f.clock.t, n, err, want)
	}
}

// pending reads the notices due at the instant without disturbing them (a
// zero lease leaves them claimable at that same instant).
func (f *fixture) pending(t *testing.T, at time.Time) []storage.LogoutNotice {
	t.Helper()
	got, err := f.store.ClaimLogoutNotices(t.Context(), at, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestDeliversSignedLogoutToken(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := setup(t, newStore(t))
		f.enqueue(t, "sid-1")
		f.runOnce(t, 1)

		got := f.rp.received()
		if len(got) != 1 {
			t.Fatalf("the relying party received %d tokens, want 1", len(got))
		}
		if ct := f.rp.contentType(); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", ct)
		}
		claims := verify(t, f.keys, got[0])
		if claims["iss"] != issuer || claims["aud"] != "shop" || claims["sid"] != "sid-1" || claims["sub"] != "alice" {
			t.Errorf("claims = %v", claims)
		}
		if _, ok := claims["nonce"]; ok {
			t.Errorf("a logout token must not carry a nonce: %v", claims)
		}
		if jti, _ := claims["jti"].(string); jti == "" {
			t.Errorf("no jti: %v", claims)
		}
		iat, _ := claims["iat"].(float64)
		exp, _ := claims["exp"].(float64)
		if int64(iat) != f.clock.t.Unix() || exp-iat != 120 {
			t.Errorf("iat %v, exp %v; want iat now and a two-minute lifetime", iat, exp)
		}
		events, _ := claims["events"].(map[string]any)
		if ev, ok := events[backchannel.EventURI].(map[string]any); !ok || len(ev) != 0 || len(events) != 1 {
			t.Errorf("events = %v, want only {%q: {}}", claims["events"], backchannel.EventURI)
		}
		if left := f.pending(t, f.clock.t.Add(24*time.Hour)); len(left) != 0 {
			t.Errorf("a delivered notice is kept: %+v", left)
		}
	})
}

// verify checks the token the way a relying party does: the typ header,
// RS256, and a signature by a key in Foyer's JWKS. It returns the claims.
func verify(t *testing.T, km *keys.Manager, raw string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(raw)
	if err != nil || len(jws.Signatures) != 1 {
		t.Fatalf("parse logout token: %v", err)
	}
	h := jws.Signatures[0].Header
	if h.Algorithm != "RS256" || h.ExtraHeaders["typ"] != backchannel.TokenType {
		t.Fatalf("header alg %q typ %v; want RS256, %s", h.Algorithm, h.ExtraHeaders["typ"], backchannel.TokenType)
	}
	set, err := km.PublicKeySet(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ks := set.Key(h.KeyID)
	if len(ks) != 1 {
		t.Fatalf("kid %q is not in the JWKS", h.KeyID)
	}
	payload, err := jws.Verify(ks[0])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// A failing relying party is retried with exponential backoff, the error
// kept, until the attempts run out; then the notice is dropped.
func TestRetriesWithBackoffThenGivesUp(t *testing.T) {
	f := setup(t, sqltest.SQLite(t))
	f.rp.answer(http.StatusInternalServerError, false)
	f.enqueue(t, "sid-1")
	f.runOnce(t, 1)

	wait := 30 * time.Second
	for attempt := 2; attempt <= 8; attempt++ {
		due := f.clock.t.Add(wait)
		kept := f.pending(t, due)
		if len(kept) != 1 || kept[0].Attempts != attempt-1 || !strings.Contains(kept[0].LastError, "status 500") {
			t.Fatalf("before attempt %d: %+v; want the notice with %d failures and the status", attempt, kept, attempt-1)
		}
		if !kept[0].NextAttemptAt.Equal(due) {
			t.Fatalf("attempt %d due at %v, want %v (after %v)", attempt, kept[0].NextAttemptAt, due, wait)
		}
		f.clock.t = due.Add(-time.Second)
		f.runOnce(t, 0)
		f.clock.t = due
		f.runOnce(t, 1)
		wait *= 2
	}
	if n := len(f.rp.received()); n != 8 {
		t.Errorf("%d deliveries, want 8", n)
	}
	if left := f.pending(t, f.clock.t.Add(24*time.Hour)); len(left) != 0 {
		t.Errorf("notice kept after the last attempt: %+v", left)
	}
}

// Every kind of failure is retried: server and client errors, redirects
// (never followed) and timeouts.
func TestFailuresAreRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		hang   bool
		want   string
	}{
		{"server error", http.StatusServiceUnavailable, false, "status 503"},
		{"client error", http.StatusBadRequest, false, "status 400"},
		{"redirect", http.StatusFound, false, "status 302"},
		{"timeout", 0, true, "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, sqltest.SQLite(t))
			f.worker = backchannel.NewWorker(backchannel.Config{Issuer: issuer, Now: f.clock.now,
				Timeout: 100 * time.Millisecond}, f.store, f.keys)
			f.rp.answer(tc.status, tc.hang)
			f.enqueue(t, "sid-1")
			f.runOnce(t, 1)
			kept := f.pending(t, f.clock.t.Add(time.Minute))
			if len(kept) != 1 || kept[0].Attempts != 1 || !strings.Contains(kept[0].LastError, tc.want) {
				t.Fatalf("after one failure: %+v; want one attempt and an error with %q", kept, tc.want)
			}
			if strings.Contains(kept[0].LastError, f.rp.received()[0]) {
				t.Fatalf("the stored error quotes the token")
			}
		})
	}
}

// A notice for a client that was deleted, or dropped its URI, is dropped.
func TestNobodyToTell(t *testing.T) {
	f := setup(t, sqltest.SQLite(t))
	if err := f.store.CreateClient(t.Context(), &storage.Client{ID: "plain"}); err != nil {
		t.Fatal(err)
	}
	for _, client := range []string{"plain", "deleted"} {
		n := &storage.LogoutNotice{SessionID: "s", ClientID: client, NextAttemptAt: f.clock.t}
		if err := f.store.EnqueueLogoutNotice(t.Context(), n); err != nil {
			t.Fatal(err)
		}
	}
	f.runOnce(t, 2)
	if left := f.pending(t, f.clock.t.Add(24*time.Hour)); len(left) != 0 {
		t.Errorf("notices kept: %+v", left)
	}
}

// Two nodes' workers over one database deliver each notice once.
func TestTwoWorkersDeliverOnce(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": sqltest.SQLiteURL, "postgres": sqltest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			u := url(t)
			first, second := open(t, u), open(t, u)
			f := setup(t, first)
			other := backchannel.NewWorker(backchannel.Config{Issuer: issuer, Now: f.clock.now, Batch: 3},
				second, keys.NewManager(second, []byte(secret)))
			f.worker = backchannel.NewWorker(backchannel.Config{Issuer: issuer, Now: f.clock.now, Batch: 3}, first, f.keys)
			const notices = 20
			for i := range notices {
				f.enqueue(t, "sid-"+string(rune('a'+i)))
			}
			var wg sync.WaitGroup
			for _, w := range []*backchannel.Worker{f.worker, other} {
				wg.Go(func() {
					for {
						n, err := w.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
						}
						if n == 0 || err != nil {
							return
						}
					}
				})
			}
			wg.Wait()
			sids := map[string]int{}
			for _, raw := range f.rp.received() {
				sids[verify(t, f.keys, raw)["sid"].(string)]++
			}
			if len(sids) != notices {
				t.Errorf("%d sessions announced, want %d", len(sids), notices)
			}
			for sid, n := range sids {
				if n != 1 {
					t.Errorf("%s delivered %d times", sid, n)
				}
			}
		})
	}
}

// stopAfterAnswer is a transport that tells the node to stop right after
// the relying party answered: the delivery succeeded, the worker's context
// ended meanwhile.
type stopAfterAnswer struct{ stop context.CancelFunc }

func (s stopAfterAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	s.stop()
	return resp, err
}

// TestStoppingNodeSettlesWhatItDelivered: a notice the relying party
// accepted is deleted even when the worker is told to stop during that
// delivery; left claimed, the logout token would be sent a second time
// after the restart.
func TestStoppingNodeSettlesWhatItDelivered(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": sqltest.SQLiteURL, "postgres": sqltest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			store := open(t, url(t))
			f := setup(t, store)
			f.enqueue(t, "sid-1")
			ctx, stop := context.WithCancel(t.Context())
			w := backchannel.NewWorker(backchannel.Config{Issuer: issuer, Now: f.clock.now,
				HTTPClient: &http.Client{Transport: stopAfterAnswer{stop}}}, store, f.keys)
			if n, err := w.RunOnce(ctx); err != nil || n != 1 {
				t.Fatalf("RunOnce = %d, %v; want 1", n, err)
			}
			if ctx.Err() == nil {
				t.Fatal("the transport did not stop the node: the test tests nothing")
			}
			f.clock.t = f.clock.t.Add(time.Hour) // the lease has long run out
			f.runOnce(t, 0)
			if got := len(f.rp.received()); got != 1 {
				t.Errorf("the relying party got %d logout tokens, want 1", got)
			}
		})
	}
}

func open(t *testing.T, url string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}
