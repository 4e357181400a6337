package selfservice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"foyer/selfservice/session"
	"foyer/storage"
)

// AuthorizeLimits are the budgets on new interactions (README,
// "Authorization request limits"): an anonymous authorization request
// stores nothing, but the first submit of its sign-in page stores it as
// an interaction, and without budgets anyone could fill the database that
// way. A zero field keeps its default.
type AuthorizeLimits struct {
	// PerAddress: new interactions per client address per minute; ten
	// minutes allow ten times as many.
	PerAddress int
	// Global: new interactions across the installation per minute.
	Global int
}

const (
	defaultAuthorizePerAddress = 300
	defaultAuthorizeGlobal     = 10000
	authorizeWindow            = time.Minute
	// authorizeLongWindow's budget is authorizeLongTiers times the
	// minute's: a browser may start a sign-in every second for a while,
	// not for ten minutes on end.
	authorizeLongWindow = 10 * time.Minute
	authorizeLongTiers  = 10
)

func (l AuthorizeLimits) withDefaults() AuthorizeLimits {
	if l.PerAddress <= 0 {
		l.PerAddress = defaultAuthorizePerAddress
	}
	if l.Global <= 0 {
		l.Global = defaultAuthorizeGlobal
	}
	return l
}

// authorizeBucket is the width of the counters' buckets (storage
// AttemptCounters): a window counts the buckets that begin at or after
// the one holding its start, so it reaches back up to one bucket further
// than its span, never less. The budgets so err towards holding: a
// minute's budget counts between 60 and 70 seconds of submits, and a
// hold lasts up to one bucket longer than exact. In exchange a check
// reads at most span / width + 1 rows per key (7 for a minute, 61 for ten
// minutes) however many submits there were.
const authorizeBucket = 10 * time.Second

// bucketOf is the bucket an instant counts in.
func bucketOf(t time.Time) time.Time { return t.Truncate(authorizeBucket) }

// windowStart is the first bucket a window of span ending at now counts.
func windowStart(now time.Time, span time.Duration) time.Time { return bucketOf(now.Add(-span)) }

// leavesAt is when a bucket stops counting in windows of span: once the
// bucket holding now - span is a later one.
func leavesAt(bucket time.Time, span time.Duration) time.Time {
	return bucket.Add(authorizeBucket + span)
}

// Keys of the budgets' counters: digests, so the table holds no
// addresses. The same keys as when the budgets were counted in the
// attempt table (their counts are not carried over: README).
func authorizeAddressKey(r *http.Request) string {
	return attemptDigest("authorize-address\x00" + session.ClientNetwork(r))
}

func authorizeGlobalKey() string { return attemptDigest("authorize-global") }

func attemptDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// interactionHeld is the refusal of a new interaction by its budgets:
// serve answers it with 429 and Retry-After.
type interactionHeld struct{ wait time.Duration }

func (e *interactionHeld) Error() string {
	return "selfservice: new interactions held for " + e.wait.String()
}

// admitInteraction judges the budgets before an interaction is stored
// and, when they allow it, counts it; otherwise it returns how long the
// browser should wait. An admitted request costs two statements over at
// most 7 + 61 + 7 counter rows: one sum of every window, one upsert of
// the address's and the global bucket that returns both minutes' sums. A
// refused one is not counted (knocking does not extend a hold), except
// when parallel requests overtook it between the two: then it is refused
// all the same.
func (h *Handler) admitInteraction(ctx context.Context, r *http.Request) (time.Duration, error) {
	now := h.cfg.Now().UTC()
	limits := h.cfg.AuthorizeLimits.withDefaults()
	address, global := authorizeAddressKey(r), authorizeGlobalKey()
	minute := windowStart(now, authorizeWindow)
	n, err := h.store.SumCounters(ctx,
		storage.CounterWindow{Key: address, Since: minute},
		storage.CounterWindow{Key: address, Since: windowStart(now, authorizeLongWindow)},
		storage.CounterWindow{Key: global, Since: minute})
	if err != nil {
		return 0, err
	}
	if n[0] >= int64(limits.PerAddress) || n[1] >= int64(limits.PerAddress*authorizeLongTiers) {
		return h.addressWait(ctx, address, limits.PerAddress, now)
	}
	// Listing the global budget's buckets to find when enough of them
	// leave would cost a statement more per refusal of a flood: the wait
	// is until every bucket counted now has left the window.
	if n[2] >= int64(limits.Global) {
		return leavesAt(bucketOf(now), authorizeWindow).Sub(now), nil
	}
	n, err = h.store.AddToCounters(ctx, bucketOf(now), minute, address, global)
	if err != nil {
		return 0, err
	}
	if n[0] > int64(limits.PerAddress) || n[1] > int64(limits.Global) {
		return leavesAt(bucketOf(now), authorizeWindow).Sub(now), nil
	}
	return 0, nil
}

// addressWait is how long a held address waits: only a refusal pays for
// listing its buckets, at most 61.
func (h *Handler) addressWait(ctx context.Context, address string, perMinute int, now time.Time) (time.Duration, error) {
	buckets, err := h.store.ListCounterBuckets(ctx, address, windowStart(now, authorizeLongWindow))
	if err != nil {
		return 0, err
	}
	return max(waitFor(buckets, perMinute, now), time.Second), nil
}

// window is one tier of the address budget: at most max within span.
type window struct {
	span time.Duration
	max  int
}

// waitFor is how long until an address with buckets (oldest first) is
// within both of its tiers again; zero when it is. Buckets leave whole,
// the oldest first.
func waitFor(buckets []storage.CounterBucket, perMinute int, now time.Time) time.Duration {
	var wait time.Duration
	for _, tier := range []window{{authorizeWindow, perMinute}, {authorizeLongWindow, perMinute * authorizeLongTiers}} {
		since := windowStart(now, tier.span)
		var in []storage.CounterBucket
		var total int64
		for _, b := range buckets {
			if !b.Bucket.Before(since) {
				in = append(in, b)
				total += b.N
			}
		}
		// Held until enough buckets have left that fewer than max remain.
		for _, b := range in {
			if total < int64(tier.max) {
				break
			}
			total -= b.N
			wait = max(wait, leavesAt(b.Bucket, tier.span).Sub(now))
		}
	}
	return wait
}

// tooManyInteractions shows the themed error page with 429 and
// Retry-After.
func (h *Handler) tooManyInteractions(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((wait+time.Second-1)/time.Second)), 10))
	w.Header().Set("Cache-Control", "no-store")
	h.errorPage(w, r, http.StatusTooManyRequests, "error.too_many_requests")
}
