package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"

	"foyer/authz/fositestore"
	"foyer/authz/netguard"
)

// Limits on fetching a client's jwks_uri: the URL is the client's choice,
// so a slow or huge answer must not tie up the token endpoint.
const (
	jwksFetchTimeout = 5 * time.Second
	jwksMaxBytes     = 64 << 10
	jwksCacheTTL     = 10 * time.Minute
	// jwksMinRefresh is the least time between two fetches of one URI, so
	// assertions naming unknown key ids, or a URI that does not answer,
	// cannot make Foyer hammer it (anyone may send an assertion).
	jwksMinRefresh = 10 * time.Second
	jwksCacheMax   = 1000
)

// errJWKSUnavailable is the cause when a client's key set could not be
// fetched; the client only ever sees errAssertionUnverified.
var errJWKSUnavailable = errors.New("jwks_uri could not be fetched")

// jwksFetcher implements fosite.JWKSFetcherStrategy for private_key_jwt
// clients that registered a jwks_uri. Unlike fosite's default it does not
// retry (the client is waiting), follows no redirects, bounds time and
// size, rate-limits refreshes, remembers failures as long, and runs one
// fetch per URI at a time however many requests name it.
//
// The URI is fetched through the netguard dialer (public addresses only)
// unless the request's client was registered by an operator (see
// withOperatorJWKSURI) or allowPrivate is set: anyone may register a
// client dynamically and then make Foyer fetch its URI anonymously.
type jwksFetcher struct {
	open, guarded *http.Client
	allowPrivate  bool
	now           func() time.Time

	mu       sync.Mutex
	cache    map[jwksKey]jwksEntry
	inflight map[jwksKey]*jwksCall
}

// jwksKey separates guarded from unguarded fetches of one URI, so a
// registrant's refused fetch never stands in for an operator client's.
type jwksKey struct {
	location string
	guarded  bool
}

type jwksEntry struct {
	set       *jose.JSONWebKeySet
	err       error
	fetchedAt time.Time
}

// jwksCall is a fetch in progress; done closes when entry is set.
type jwksCall struct {
	done  chan struct{}
	entry jwksEntry
}

func newJWKSFetcher(now func() time.Time, allowPrivate bool) *jwksFetcher {
	noRedirects := func(*http.Request, []*http.Request) error {
		return errors.New("jwks_uri redirects are not followed")
	}
	return &jwksFetcher{
		open: &http.Client{Timeout: jwksFetchTimeout, CheckRedirect: noRedirects},
		guarded: &http.Client{
			Timeout: jwksFetchTimeout, CheckRedirect: noRedirects,
			Transport: netguard.Transport(jwksFetchTimeout),
		},
		allowPrivate: allowPrivate,
		now:          now,
		cache:        map[jwksKey]jwksEntry{},
		inflight:     map[jwksKey]*jwksCall{},
	}
}

// operatorJWKSURIKey marks, in a token request's context, the jwks_uri of
// the operator-registered client the request names.
type operatorJWKSURIKey struct{}

// withOperatorJWKSURI lets the fetcher dial uri without the guard for
// this request. Anything unmarked is treated as a registrant's URI.
func withOperatorJWKSURI(ctx context.Context, uri string) context.Context {
	return context.WithValue(ctx, operatorJWKSURIKey{}, uri)
}

func (f *jwksFetcher) isGuarded(ctx context.Context, location string) bool {
	trusted, _ := ctx.Value(operatorJWKSURIKey{}).(string)
	return !f.allowPrivate && (trusted == "" || trusted != location)
}

// Resolve returns the key set at location, from the cache unless
// ignoreCache asks for a fresh copy (fosite does when no key matched).
func (f *jwksFetcher) Resolve(ctx context.Context, location string, ignoreCache bool) (*jose.JSONWebKeySet, error) {
	key := jwksKey{location: location, guarded: f.isGuarded(ctx, location)}
	f.mu.Lock()
	if e, ok := f.cache[key]; ok && f.fresh(e, ignoreCache) {
		f.mu.Unlock()
		return e.result()
	}
	c, running := f.inflight[key]
	if !running {
		c = &jwksCall{done: make(chan struct{})}
		f.inflight[key] = c
		// The fetch outlives a caller that gives up (others may wait on
		// it); the HTTP client's timeout bounds it.
		go f.run(context.WithoutCancel(ctx), key, c)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.entry.result()
	case <-ctx.Done():
		return nil, errAssertionUnverified(fmt.Errorf("%w: %w", errJWKSUnavailable, ctx.Err()))
	}
}

// fresh: a key set is reused for jwksCacheTTL, or only jwksMinRefresh when
// a refresh is asked for; a failure is remembered for jwksMinRefresh.
func (f *jwksFetcher) fresh(e jwksEntry, ignoreCache bool) bool {
	age := f.now().Sub(e.fetchedAt)
	if e.err != nil || ignoreCache {
		return age < jwksMinRefresh
	}
	return age < jwksCacheTTL
}

func (e jwksEntry) result() (*jose.JSONWebKeySet, error) {
	if e.err != nil {
		return nil, e.err
	}
	return e.set, nil
}

func (f *jwksFetcher) run(ctx context.Context, key jwksKey, c *jwksCall) {
	client := f.open
	if key.guarded {
		client = f.guarded
	}
	set, err := fetchJWKS(ctx, client, key.location)
	if err != nil {
		// The client's keys are unreachable: its authentication fails,
		// which is the client's problem, not a server error. The answer
		// is the same as for a bad signature, so that error texts do not
		// tell a caller what is listening where.
		err = errAssertionUnverified(fmt.Errorf("%w: %w", errJWKSUnavailable, err))
	}
	c.entry = jwksEntry{set: set, err: err, fetchedAt: f.now()}
	f.mu.Lock()
	if len(f.cache) >= jwksCacheMax {
		clear(f.cache)
	}
	f.cache[key] = c.entry
	delete(f.inflight, key)
	f.mu.Unlock()
	close(c.done)
}

func fetchJWKS(ctx context.Context, client *http.Client, location string) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri: %w", err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks_uri: status %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, jwksMaxBytes)).Decode(&set); err != nil {
		return nil, fmt.Errorf("jwks_uri: decode: %w", err)
	}
	return fositestore.SigningKeySet(&set), nil
}
