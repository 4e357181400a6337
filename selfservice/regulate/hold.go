package regulate

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Hold is what Peek saw: whether the key is held back now, and for how
// long at most.
type Hold struct {
	// Count is the attempts within the first tier's window.
	Count int64
	// Held: one more attempt would pass a tier's limit.
	Held bool
	// RetryAfter is when the oldest attempt holding the key back leaves
	// its window: the earliest a new attempt can pass (if no other is
	// recorded meanwhile). Zero when not held.
	RetryAfter time.Duration
}

// Peek counts the key's attempts within each window without recording
// one. Limits that must not be extended by refused attempts peek first
// and record (Record) only what they let through: an attacker who keeps
// knocking while held back adds nothing, so the hold ends on time.
func (g *Regulator) Peek(ctx context.Context, k Key, now time.Time) (Hold, error) {
	longest := k.rule.Tiers[len(k.rule.Tiers)-1].Window
	if longest <= 0 {
		return Hold{}, fmt.Errorf("regulate: %s counts over a code's life: it cannot be peeked", k.rule.Name)
	}
	tries, err := g.store.ListLoginAttempts(ctx, k.digest, now.Add(-longest))
	if err != nil {
		return Hold{}, fmt.Errorf("regulate: list %s attempts: %w", k.rule.Name, err)
	}
	slices.SortFunc(tries, func(a, b time.Time) int { return a.Compare(b) })
	var h Hold
	for i, tier := range k.rule.Tiers {
		start := now.Add(-tier.Window)
		first, _ := slices.BinarySearchFunc(tries, start, func(a, b time.Time) int { return a.Compare(b) })
		within := tries[first:]
		if i == 0 {
			h.Count = int64(len(within))
		}
		if len(within) < tier.Max {
			continue
		}
		// The hold lifts once all but Max-1 of these have aged out.
		until := within[len(within)-tier.Max].Add(tier.Window)
		h.Held = true
		h.RetryAfter = max(h.RetryAfter, until.Sub(now))
	}
	if h.Held && h.RetryAfter <= 0 {
		h.RetryAfter = time.Second
	}
	return h, nil
}

// Record stores an attempt at now without judging it (the caller peeked).
func (g *Regulator) Record(ctx context.Context, k Key, now time.Time) error {
	if _, err := g.store.RecordLoginAttempt(ctx, k.digest, now, now); err != nil {
		return fmt.Errorf("regulate: record %s attempt: %w", k.rule.Name, err)
	}
	return nil
}

// WithTiers is the rule with other limits (an operator's settings), in
// the same key space.
func (r Rule) WithTiers(tiers ...Tier) Rule {
	r.Tiers = tiers
	return r
}
