package regulate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"foyer/storage"
)

// Store is the attempt table (storage.LoginAttempts).
type Store interface {
	RecordLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, error)
	RecordAttempts(ctx context.Context, at, since time.Time, keys ...string) ([]int64, error)
	ClearLoginAttempts(ctx context.Context, keys ...string) error
	ListLoginAttempts(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	TallyAttemptWindows(ctx context.Context, windows ...storage.AttemptLimit) ([]storage.AttemptTally, error)
}

// Tier allows Max attempts within Window. A zero Window means the life of
// the subject (a code): the caller says when it began (AttemptSince).
type Tier struct {
	Max    int
	Window time.Duration
}

// Rule is one attempt limit: its key space and its tiers. An attempt is
// refused when any tier holds more than its Max.
type Rule struct {
	Name  string
	Tiers []Tier
	// prefix separates the rule's keys from every other rule's.
	prefix string
	// foldLast: the subject's last part is a typed identifier, compared
	// case-insensitively, so "Alice" and "alice" share one count.
	foldLast bool
}

// Window is the first tier's window: the span a rule holds a subject back.
func (r Rule) Window() time.Duration { return r.Tiers[0].Window }

// Key is one counter of a rule.
type Key struct {
	rule   Rule
	digest string
}

// Key names the rule's counter for the subject: a digest, so the table
// holds no identifiers.
func (r Rule) Key(subject ...string) Key {
	parts := subject
	if r.foldLast && len(parts) > 0 {
		parts = append([]string(nil), subject...)
		parts[len(parts)-1] = strings.ToLower(parts[len(parts)-1])
	}
	if r.prefix != "" {
		parts = append([]string{r.prefix}, parts...)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return Key{rule: r, digest: hex.EncodeToString(sum[:])}
}

// String is the key's digest, as stored.
func (k Key) String() string { return k.digest }

// Verdict is the count an attempt saw.
type Verdict struct {
	// Count is the attempts in the (first) tier's window, this one included.
	Count int64
	// RetryAfter, for a refused attempt of a windowed rule, is when the
	// next attempt can pass (if none is made meanwhile); zero otherwise.
	RetryAfter time.Duration
	max        int
	over       bool
}

// Exceeded reports whether the attempt is past the limit: refuse it.
func (v Verdict) Exceeded() bool { return v.over }

// Reached reports whether the attempt used the last try the first tier
// allows: whatever it was aimed at (a code) should be spent.
func (v Verdict) Reached() bool { return v.Count >= int64(v.max) }

// Regulator records attempts and judges them by their rules.
type Regulator struct{ store Store }

// New returns a regulator over the attempt table.
func New(store Store) *Regulator { return &Regulator{store: store} }

// Attempt records an attempt at now and counts the key's attempts within
// each of its rule's windows; a refused one says when to retry.
func (g *Regulator) Attempt(ctx context.Context, k Key, now time.Time) (Verdict, error) {
	var (
		v   Verdict
		err error
	)
	if len(k.rule.Tiers) == 1 {
		if k.rule.Tiers[0].Window <= 0 {
			return Verdict{}, fmt.Errorf("regulate: %s counts over a code's life: use AttemptSince", k.rule.Name)
		}
		v, err = g.AttemptSince(ctx, k, now, now.Add(-k.rule.Tiers[0].Window))
	} else {
		v, err = g.attemptTiers(ctx, k, now)
	}
	if err != nil || !v.over {
		return v, err
	}
	// Only refusals pay for the second look. The attempt just stored
	// counts, as the next one will see it.
	hold, err := g.Peek(ctx, k, now)
	if err != nil {
		return Verdict{}, err
	}
	v.RetryAfter = hold.RetryAfter
	return v, nil
}

// AttemptSince records an attempt at now and counts the key's attempts at
// or after since (a code's creation), for single-tier rules: one
// statement pair that stores before it counts.
func (g *Regulator) AttemptSince(ctx context.Context, k Key, now, since time.Time) (Verdict, error) {
	if len(k.rule.Tiers) != 1 {
		return Verdict{}, fmt.Errorf("regulate: %s has %d tiers: use Attempt", k.rule.Name, len(k.rule.Tiers))
	}
	n, err := g.store.RecordLoginAttempt(ctx, k.digest, now, since)
	if err != nil {
		return Verdict{}, fmt.Errorf("regulate: record %s attempt: %w", k.rule.Name, err)
	}
	limit := k.rule.Tiers[0].Max
	return Verdict{Count: n, max: limit, over: n > int64(limit)}, nil
}

// attemptTiers stores the attempt, then lists the key's attempts within
// the longest window (tiers are ordered by window) and counts each tier.
func (g *Regulator) attemptTiers(ctx context.Context, k Key, now time.Time) (Verdict, error) {
	if _, err := g.store.RecordLoginAttempt(ctx, k.digest, now, now); err != nil {
		return Verdict{}, fmt.Errorf("regulate: record %s attempt: %w", k.rule.Name, err)
	}
	longest := k.rule.Tiers[len(k.rule.Tiers)-1].Window
	tries, err := g.store.ListLoginAttempts(ctx, k.digest, now.Add(-longest))
	if err != nil {
		return Verdict{}, fmt.Errorf("regulate: list %s attempts: %w", k.rule.Name, err)
	}
	v := Verdict{max: k.rule.Tiers[0].Max}
	for i, tier := range k.rule.Tiers {
		n := int64(0)
		for _, at := range tries {
			if !at.Before(now.Add(-tier.Window)) {
				n++
			}
		}
		if i == 0 {
			v.Count = n
		}
		v.over = v.over || n > int64(tier.Max)
	}
	return v, nil
}

// Clear forgets the keys' attempts (after a success), in one statement.
func (g *Regulator) Clear(ctx context.Context, keys ...Key) error {
	if err := g.store.ClearLoginAttempts(ctx, digests(keys)...); err != nil {
		return fmt.Errorf("regulate: clear %s attempts: %w", names(keys), err)
	}
	return nil
}

func digests(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.digest
	}
	return out
}

// names are the keys' rules, for errors.
func names(keys []Key) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.rule.Name
	}
	return strings.Join(out, ", ")
}
