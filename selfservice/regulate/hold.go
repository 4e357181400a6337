package regulate

import (
	"context"
	"fmt"
	"time"

	"foyer/storage"
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
	holds, err := g.PeekAll(ctx, now, k)
	if err != nil {
		return Hold{}, err
	}
	return holds[0], nil
}

// PeekAll is Peek for several keys, in the keys' order, in one statement
// over every tier of each.
func (g *Regulator) PeekAll(ctx context.Context, now time.Time, keys ...Key) ([]Hold, error) {
	var windows []storage.AttemptLimit
	for _, k := range keys {
		for _, tier := range k.rule.Tiers {
			if tier.Window <= 0 {
				return nil, fmt.Errorf("regulate: %s counts over a code's life: it cannot be peeked", k.rule.Name)
			}
			windows = append(windows, storage.AttemptLimit{Key: k.digest, Since: now.Add(-tier.Window), Max: tier.Max})
		}
	}
	tallies, err := g.store.TallyAttemptWindows(ctx, windows...)
	if err != nil {
		return nil, fmt.Errorf("regulate: peek at %s attempts: %w", names(keys), err)
	}
	holds := make([]Hold, len(keys))
	for i, k := range keys {
		holds[i] = hold(k.rule, tallies[:len(k.rule.Tiers)], now)
		tallies = tallies[len(k.rule.Tiers):]
	}
	return holds, nil
}

// hold judges a rule's tallies, one per tier.
func hold(r Rule, tallies []storage.AttemptTally, now time.Time) Hold {
	h := Hold{Count: tallies[0].Count}
	for i, tier := range r.Tiers {
		if tallies[i].Count < int64(tier.Max) {
			continue
		}
		// The hold lifts once all but Max-1 of the tier's attempts have
		// aged out: when the Max-th newest leaves the window.
		h.Held = true
		h.RetryAfter = max(h.RetryAfter, tallies[i].HeldBy.Add(tier.Window).Sub(now))
	}
	if h.Held && h.RetryAfter <= 0 {
		h.RetryAfter = time.Second
	}
	return h
}

// Record stores an attempt at now without judging it (the caller peeked).
func (g *Regulator) Record(ctx context.Context, k Key, now time.Time) error {
	return g.RecordAll(ctx, now, k)
}

// RecordAll is Record for several keys (distinct), in one statement.
func (g *Regulator) RecordAll(ctx context.Context, now time.Time, keys ...Key) error {
	if _, err := g.store.RecordAttempts(ctx, now, now, digests(keys)...); err != nil {
		return fmt.Errorf("regulate: record %s attempts: %w", names(keys), err)
	}
	return nil
}

// WithTiers is the rule with other limits (an operator's settings), in
// the same key space.
func (r Rule) WithTiers(tiers ...Tier) Rule {
	r.Tiers = tiers
	return r
}
