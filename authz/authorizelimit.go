package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"foyer/selfservice/session"
)

// AuthorizeLimits are the budgets on new interactions (README,
// "Authorization request limits"): every anonymous authorization request
// that needs a sign-in makes Foyer store one, so without them anyone could
// fill the database. A zero field keeps its default.
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
// addresses.
func authorizeAddressKey(r *http.Request) string {
	return attemptKey("authorize-address\x00" + session.ClientNetwork(r))
}

func authorizeGlobalKey() string { return attemptKey("authorize-global") }

func attemptKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// admitInteraction judges the budgets before an interaction is stored and,
// when they allow it, counts it; otherwise it returns how long the browser
// should wait. A refused request is not counted (knocking does not extend
// a hold), except when parallel requests overtook it between the look and
// the count: then it is refused all the same, so no more interactions are
// stored than the budgets allow.
func (h *Handler) admitInteraction(ctx context.Context, r *http.Request, now time.Time) (time.Duration, error) {
	now = now.UTC()
	limits := h.cfg.AuthorizeLimits
	address, global := authorizeAddressKey(r), authorizeGlobalKey()
	held, err := h.held(ctx, now, budget{address, authorizeWindow, limits.PerAddress},
		budget{address, authorizeLongWindow, limits.PerAddress * authorizeLongTiers})
	if err != nil || held {
		return h.addressWait(ctx, address, limits.PerAddress, now, err)
	}
	// Listing the global budget's thousands of times to find when the
	// next slot frees would cost more than a flood's refusals are worth:
	// its window is the wait.
	if held, err := h.held(ctx, now, budget{global, authorizeWindow, limits.Global}); err != nil || held {
		return authorizeWindow, err
	}
	for _, b := range []budget{{address, authorizeWindow, limits.PerAddress}, {global, authorizeWindow, limits.Global}} {
		n, err := h.store.RecordLoginAttempt(ctx, b.key, now, now.Add(-b.window))
		if err != nil {
			return 0, errorf("authorize budget: %w", err)
		}
		if n > int64(b.max) {
			return authorizeWindow, nil
		}
	}
	return 0, nil
}

// budget is one tier of a budget: at most max attempts of key within
// window.
type budget struct {
	key    string
	window time.Duration
	max    int
}

// held reports whether any of the budgets is used up, counting in the
// database (no times listed, nothing stored).
func (h *Handler) held(ctx context.Context, now time.Time, budgets ...budget) (bool, error) {
	for _, b := range budgets {
		n, err := h.store.CountLoginAttempts(ctx, b.key, now.Add(-b.window))
		if err != nil {
			return false, errorf("authorize budget: %w", err)
		}
		if n >= int64(b.max) {
			return true, nil
		}
	}
	return false, nil
}

// addressWait is how long a held address waits (err passed through):
// only a refusal pays for listing the times. The list is short, as
// refused requests are not counted.
func (h *Handler) addressWait(ctx context.Context, address string, perMinute int, now time.Time, err error) (time.Duration, error) {
	if err != nil {
		return 0, err
	}
	tries, err := h.store.ListLoginAttempts(ctx, address, now.Add(-authorizeLongWindow))
	if err != nil {
		return 0, errorf("authorize budget: %w", err)
	}
	return max(waitFor(tries, perMinute, now), time.Second), nil
}

// waitFor is how long until an address with tries (oldest first) is
// within both of its tiers again; zero when it is.
func waitFor(tries []time.Time, perMinute int, now time.Time) time.Duration {
	var wait time.Duration
	for _, tier := range []budget{{"", authorizeWindow, perMinute}, {"", authorizeLongWindow, perMinute * authorizeLongTiers}} {
		var in []time.Time
		for _, at := range tries {
			if !at.Before(now.Add(-tier.window)) {
				in = append(in, at)
			}
		}
		if len(in) < tier.max {
			continue
		}
		// Held until all but max-1 have left the window.
		wait = max(wait, in[len(in)-tier.max].Add(tier.window).Sub(now))
	}
	return wait
}

// tooManyInteractions shows the themed error page with 429 and
// Retry-After. Never a redirect to the client: the request is unvouched,
// and an error sent to its redirect URI would let anyone make Foyer
// bounce browsers there.
func (h *Handler) tooManyInteractions(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((wait+time.Second-1)/time.Second)), 10))
	w.Header().Set("Cache-Control", "no-store")
	h.errorPage(w, r, http.StatusTooManyRequests, "error.too_many_requests")
}
