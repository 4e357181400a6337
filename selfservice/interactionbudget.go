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

// Keys of the budgets in the attempt table: digests, so it holds no
// addresses. The same keys as when authz judged these budgets at
// /oauth2/auth, so counts carry over an upgrade.
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
// browser should wait. An admitted request costs two statements: one
// count of every window, one insert that records and counts. A refused
// one is not counted (knocking does not extend a hold), except when
// parallel requests overtook it between the two: then it is refused all
// the same.
func (h *Handler) admitInteraction(ctx context.Context, r *http.Request) (time.Duration, error) {
	now := h.cfg.Now().UTC()
	limits := h.cfg.AuthorizeLimits.withDefaults()
	address, global := authorizeAddressKey(r), authorizeGlobalKey()
	n, err := h.store.CountAttemptWindows(ctx,
		storage.AttemptWindow{Key: address, Since: now.Add(-authorizeWindow)},
		storage.AttemptWindow{Key: address, Since: now.Add(-authorizeLongWindow)},
		storage.AttemptWindow{Key: global, Since: now.Add(-authorizeWindow)})
	if err != nil {
		return 0, err
	}
	if n[0] >= int64(limits.PerAddress) || n[1] >= int64(limits.PerAddress*authorizeLongTiers) {
		return h.addressWait(ctx, address, limits.PerAddress, now)
	}
	// Listing the global budget's thousands of times to find when the
	// next slot frees would cost more than a flood's refusals are worth:
	// its window is the wait.
	if n[2] >= int64(limits.Global) {
		return authorizeWindow, nil
	}
	n, err = h.store.RecordAttempts(ctx, now, now.Add(-authorizeWindow), address, global)
	if err != nil {
		return 0, err
	}
	if n[0] > int64(limits.PerAddress) || n[1] > int64(limits.Global) {
		return authorizeWindow, nil
	}
	return 0, nil
}

// addressWait is how long a held address waits: only a refusal pays for
// listing the times. The list is short, as refused requests are not
// counted.
func (h *Handler) addressWait(ctx context.Context, address string, perMinute int, now time.Time) (time.Duration, error) {
	tries, err := h.store.ListLoginAttempts(ctx, address, now.Add(-authorizeLongWindow))
	if err != nil {
		return 0, err
	}
	return max(waitFor(tries, perMinute, now), time.Second), nil
}

// window is one tier of the address budget: at most max tries within
// span.
type window struct {
	span time.Duration
	max  int
}

// waitFor is how long until an address with tries (oldest first) is
// within both of its tiers again; zero when it is.
func waitFor(tries []time.Time, perMinute int, now time.Time) time.Duration {
	var wait time.Duration
	for _, tier := range []window{{authorizeWindow, perMinute}, {authorizeLongWindow, perMinute * authorizeLongTiers}} {
		var in []time.Time
		for _, at := range tries {
			if !at.Before(now.Add(-tier.span)) {
				in = append(in, at)
			}
		}
		if len(in) < tier.max {
			continue
		}
		// Held until all but max-1 have left the window.
		wait = max(wait, in[len(in)-tier.max].Add(tier.span).Sub(now))
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
