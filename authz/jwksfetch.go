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
	"github.com/ory/fosite"

	"foyer/authz/fositestore"
)

// Limits on fetching a client's jwks_uri: the URL is the client's choice,
// so a slow or huge answer must not tie up the token endpoint.
const (
	jwksFetchTimeout = 5 * time.Second
	jwksMaxBytes     = 64 << 10
	jwksCacheTTL     = 10 * time.Minute
	// jwksMinRefresh is the least time between two fetches of one URI, so
	// assertions naming unknown key ids cannot make Foyer hammer it.
	jwksMinRefresh = 10 * time.Second
	jwksCacheMax   = 1000
)

// jwksFetcher implements fosite.JWKSFetcherStrategy for private_key_jwt
// clients that registered a jwks_uri. Unlike fosite's default it does not
// retry (the client is waiting), follows no redirects, bounds time and
// size, and rate-limits forced refreshes.
type jwksFetcher struct {
	client *http.Client
	now    func() time.Time
	mu     sync.Mutex
	cache  map[string]jwksEntry
}

type jwksEntry struct {
	set       *jose.JSONWebKeySet
	fetchedAt time.Time
}

func newJWKSFetcher(now func() time.Time) *jwksFetcher {
	return &jwksFetcher{
		client: &http.Client{
			Timeout: jwksFetchTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return errors.New("jwks_uri redirects are not followed")
			},
		},
		now:   now,
		cache: map[string]jwksEntry{},
	}
}

// Resolve returns the key set at location, from the cache unless
// ignoreCache asks for a fresh copy (fosite does when no key matched).
func (f *jwksFetcher) Resolve(ctx context.Context, location string, ignoreCache bool) (*jose.JSONWebKeySet, error) {
	now := f.now()
	f.mu.Lock()
	e, ok := f.cache[location]
	f.mu.Unlock()
	if ok && now.Sub(e.fetchedAt) < jwksCacheTTL && (!ignoreCache || now.Sub(e.fetchedAt) < jwksMinRefresh) {
		return e.set, nil
	}
	set, err := f.fetch(ctx, location)
	if err != nil {
		// The client's keys are unreachable: its authentication fails,
		// which is the client's problem, not a server error.
		return nil, fosite.ErrInvalidClient.WithHint("The client's jwks_uri could not be fetched.").WithWrap(err).WithDebug(err.Error())
	}
	f.mu.Lock()
	if len(f.cache) >= jwksCacheMax {
		clear(f.cache)
	}
	f.cache[location] = jwksEntry{set: set, fetchedAt: now}
	f.mu.Unlock()
	return set, nil
}

func (f *jwksFetcher) fetch(ctx context.Context, location string) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri: %w", err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := f.client.Do(req)
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
