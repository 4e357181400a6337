package devseed

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore"
)

// TokenOptions say what SeedTokens writes: Count stored tokens of one
// client, an ExpiredShare of them expired long enough ago for the cleanup
// to delete, the rest alive for a day.
type TokenOptions struct {
	Count        int
	ClientID     string
	ExpiredShare float64
	// BatchSize is tokens per transaction (default 10,000); Workers the
	// transactions in flight (default 2).
	BatchSize, Workers int
	Progress           io.Writer
	Now                time.Time
}

// TokenResult is what SeedTokens wrote.
type TokenResult struct {
	Tokens, Expired int
	Elapsed         time.Duration
}

// tokenData stands in for a serialized requester: about the size of a
// real access token's (a fosite request with its session, scopes and
// form), so the table and its pages have a realistic width.
var tokenData = []byte(`{"id":"seed","requestedAt":"2026-12-07T00:00:00Z","client":{"id":"seed"},` +
	`"scopes":["openid","profile","email","offline_access"],"grantedScopes":["openid","profile","email","offline_access"],` +
	`"form":{"grant_type":["authorization_code"],"redirect_uri":["https://app.example/callback"]},` +
	`"session":{"subject":"seed","auth_time":"2026-12-07T00:00:00Z","amr":["pwd"],"acr":"urn:foyer:acr:pwd",` +
	`"id_token_claims":{"email":"seed@example.com","email_verified":true,"name":"Seed Account"},` +
	`"expires_at":{"access_token":"2026-12-07T01:00:00Z","refresh_token":"2027-01-06T00:00:00Z"}}}` +
	`                                                                                                    `)

// SeedTokens writes opts.Count tokens (access, refresh and authorization
// codes of the client, for made-up subjects) with BulkInsert, for the
// bench's size mode: a token table of production size around the
// protocol figures. They are records, not usable credentials: their
// signatures are random, so no bearer of any token matches one.
func SeedTokens(ctx context.Context, s *sqlstore.Store, o TokenOptions) (*TokenResult, error) {
	if o.Count <= 0 || o.ClientID == "" || o.ExpiredShare < 0 || o.ExpiredShare > 1 {
		return nil, fmt.Errorf("%w: tokens need a count, a client and an expired share between 0 and 1", ErrBadOptions)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 10000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	start := time.Now()
	expiredEvery := 0
	if o.ExpiredShare > 0 {
		expiredEvery = int(1 / o.ExpiredShare)
	}
	var (
		mu       sync.Mutex
		res      TokenResult
		firstErr error
		wg       sync.WaitGroup
	)
	batches := make(chan int)
	for range o.Workers {
		wg.Go(func() {
			for from := range batches {
				set, expired := tokenBatch(o, from, min(o.BatchSize, o.Count-from), expiredEvery)
				err := s.BulkInsert(ctx, set)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("devseed: tokens from %d: %w", from, err)
				}
				if err == nil {
					res.Tokens += len(set.Rows)
					res.Expired += expired
					if o.Progress != nil && res.Tokens%(o.BatchSize*50) == 0 {
						fmt.Fprintf(o.Progress, "  %d tokens ...\n", res.Tokens)
					}
				}
				mu.Unlock()
			}
		})
	}
	for from := 0; from < o.Count && ctx.Err() == nil; from += o.BatchSize {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		batches <- from
	}
	close(batches)
	wg.Wait()
	res.Elapsed = time.Since(start)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return &res, firstErr
}

// tokenBatch makes n token rows starting at index from; one in
// expiredEvery (none for 0) expired two hours ago, past the cleanup's
// hour of grace.
func tokenBatch(o TokenOptions, from, n, expiredEvery int) (sqlstore.BulkRows, int) {
	set := sqlstore.BulkRows{Table: "oauth2_tokens", Columns: []string{"kind", "signature", "request_id", "client_id",
		"subject", "session_id", "active", "data", "created_at", "expires_at"}}
	now := o.Now.UTC().Truncate(time.Microsecond)
	kinds := []storage.TokenKind{storage.TokenAccess, storage.TokenAccess, storage.TokenAccess, storage.TokenAccess,
		storage.TokenRefresh, storage.TokenRefresh, storage.TokenRefresh, storage.TokenRefresh, storage.TokenAuthorizeCode,
		storage.TokenPKCE}
	expired := 0
	for i := from; i < from+n; i++ {
		created, expires := now.Add(-time.Hour), now.Add(24*time.Hour)
		if expiredEvery > 0 && i%expiredEvery == 0 {
			created, expires = now.Add(-3*time.Hour), now.Add(-2*time.Hour)
			expired++
		}
		set.Rows = append(set.Rows, []any{string(kinds[i%len(kinds)]), randomSignature(), fmt.Sprintf("seed-req-%d", i/2),
			o.ClientID, fmt.Sprintf("seed-subject-%d", i%1000003), "", true, tokenData, created, &expires})
	}
	return set, expired
}

// randomSignature is a token signature's shape: 32 random bytes, base64url.
func randomSignature() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}
