package authz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ory/fosite"

	"foyer/selfservice/session"
	"foyer/storage"
)

// The token endpoint's budget for failed client authentication: per
// client and client address, so a guesser of one client's secret is held
// back while the client itself, calling from its own address, is not (a
// budget per client alone would let anyone who knows a client_id, which
// is public, lock its token endpoint). Counted in the attempt table, so it
// holds across nodes; judged before the client is authenticated, and a
// refused request is not counted, so knocking does not extend the hold.
//
// The budget is read from the database only for keys this node saw fail
// within the window: a client that authenticates well (every client's
// every token request, the hot path) costs no query. A guesser spread
// over N nodes gets at most N more tries than the budget before every
// node holds it.
const (
	clientAuthFailures = 20
	clientAuthWindow   = 5 * time.Minute
)

// clientAttempts is the attempt table (storage.LoginAttempts).
type clientAttempts interface {
	RecordLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, error)
	ListLoginAttempts(ctx context.Context, key string, since time.Time) ([]time.Time, error)
}

// clientAuthKey is the counter of the request's client (as named by Basic
// authentication or the form's client_id) and address: a digest, so the
// table holds neither. The Basic client id is decoded as fosite decodes
// it: each way of percent-encoding one id must count as that id.
func clientAuthKey(r *http.Request) string {
	id := r.PostForm.Get("client_id")
	if _, _, basic := r.BasicAuth(); basic {
		id, _ = basicClientID(r) // "" when undecodable: fosite refuses it
	}
	sum := sha256.Sum256([]byte("token-client-auth\x00" + id + "\x00" + session.ClientNetwork(r)))
	return hex.EncodeToString(sum[:])
}

// clientAuthHeld answers 429 with Retry-After, and reports it did, when
// the request's client and address used their budget. A storage failure
// holds nothing back: the request goes on to meet it (and its 503).
func (h *Handler) clientAuthHeld(w http.ResponseWriter, r *http.Request) bool {
	now := h.cfg.Now().UTC()
	key := clientAuthKey(r)
	if !h.authFailures.seen(key, now.Add(-clientAuthWindow)) {
		return false
	}
	tries, err := h.store.ListLoginAttempts(r.Context(), key, now.Add(-clientAuthWindow))
	if err != nil || len(tries) < clientAuthFailures {
		return false
	}
	slices.SortFunc(tries, func(a, b time.Time) int { return a.Compare(b) })
	// Held until all but clientAuthFailures-1 have left the window.
	retry := tries[len(tries)-clientAuthFailures].Add(clientAuthWindow).Sub(now)
	w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((retry+time.Second-1)/time.Second)), 10))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	// Not invalid_client: the credentials were not judged, and a client
	// that throws them away on invalid_client must not.
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "temporarily_unavailable",
		"error_description": "Too many failed client authentications from this address. Try again later."})
	return true
}

// clientAuthFailed counts a failed client authentication (never a
// storage failure, which is no answer about the client).
func (h *Handler) clientAuthFailed(r *http.Request, err error) {
	if !errors.Is(err, fosite.ErrInvalidClient) || storage.Failure(r.Context()) != nil {
		return
	}
	now := h.cfg.Now().UTC()
	key := clientAuthKey(r)
	h.authFailures.note(key, now)
	if _, rerr := h.store.RecordLoginAttempt(r.Context(), key, now, now); rerr != nil {
		h.logServerError(r, "token endpoint: count a failed client authentication", rerr, "")
	}
}

// recentFailuresCap bounds the keys a node remembers: past it the oldest
// half is forgotten, which only means a database read is skipped for them
// until they fail again.
const recentFailuresCap = 10000

// recentFailures remembers, per counter key, when this node last saw it
// fail: whether the database is worth asking.
type recentFailures struct {
	mu   sync.Mutex
	last map[string]time.Time
	cap  int
}

func newRecentFailures(capacity int) *recentFailures {
	return &recentFailures{last: map[string]time.Time{}, cap: capacity}
}

// seen reports whether key failed on this node after since.
func (f *recentFailures) seen(key string, since time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.last[key]
	return ok && t.After(since)
}

// note records a failure of key at t.
func (f *recentFailures) note(key string, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.last) >= f.cap {
		f.forgetOldest()
	}
	f.last[key] = t
}

// forgetOldest drops the older half of the keys.
func (f *recentFailures) forgetOldest() {
	times := make([]time.Time, 0, len(f.last))
	for _, t := range f.last {
		times = append(times, t)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	cut := times[len(times)/2]
	for k, t := range f.last {
		if t.Before(cut) {
			delete(f.last, k)
		}
	}
	if len(f.last) >= f.cap { // all at one instant: start afresh
		clear(f.last)
	}
}
