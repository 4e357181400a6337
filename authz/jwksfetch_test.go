package authz

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ory/fosite"

	"foyer/authz/netguard"
)

// fakeClock is a settable clock for the fetcher's cache.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingServer answers every request with status and counts them.
func countingServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts, &hits
}

// TestJWKSFetcherCachesFailures: a URI that fails is not asked again
// within jwksMinRefresh, however many requests (concurrent or not) name
// it, and every caller gets the same invalid_client answer.
func TestJWKSFetcherCachesFailures(t *testing.T) {
	ts, hits := countingServer(t, http.StatusInternalServerError, "")
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	f := newJWKSFetcher(clock.now, true)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = f.Resolve(context.Background(), ts.URL, i%2 == 0) })
	}
	wg.Wait()
	for _, err := range errs {
		if !errors.Is(err, fosite.ErrInvalidClient) || !errors.Is(err, errJWKSUnavailable) {
			t.Fatalf("Resolve: %v, want invalid_client", err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	clock.add(jwksMinRefresh - time.Second)
	_, _ = f.Resolve(context.Background(), ts.URL, true)
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d fetches before jwksMinRefresh passed, want 1", n)
	}
	clock.add(time.Second)
	_, _ = f.Resolve(context.Background(), ts.URL, false)
	if n := hits.Load(); n != 2 {
		t.Fatalf("%d fetches after jwksMinRefresh, want 2", n)
	}
}

// TestJWKSFetcherGuard: without the switch a URI on loopback is fetched
// only for the operator-registered client the request was marked with.
func TestJWKSFetcherGuard(t *testing.T) {
	ts, hits := countingServer(t, http.StatusOK, `{"keys":[]}`)
	f := newJWKSFetcher(time.Now, false)
	ctx := context.Background()

	_, err := f.Resolve(ctx, ts.URL, false)
	if !errors.Is(err, netguard.ErrRefused) || !errors.Is(err, fosite.ErrInvalidClient) || hits.Load() != 0 {
		t.Fatalf("unmarked: %v, %d fetches; want refused without a request", err, hits.Load())
	}
	// Marked for another URI: still guarded.
	if _, err := f.Resolve(withOperatorJWKSURI(ctx, ts.URL+"/other"), ts.URL, true); !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("marked for another URI: %v, want refused", err)
	}
	if _, err := f.Resolve(withOperatorJWKSURI(ctx, ts.URL), ts.URL, false); err != nil || hits.Load() != 1 {
		t.Fatalf("operator client: %v, %d fetches; want one fetch", err, hits.Load())
	}
}
