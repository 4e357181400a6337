package selfservice

import (
	"context"
	"fmt"
	"time"

	"foyer/selfservice/regulate"
)

// SignInLimits are the password-guessing budgets (README, "Sign-in
// limits"); a zero field keeps the default of its regulate rule.
type SignInLimits struct {
	// PerSource: wrong passwords for one identifier from one client
	// address per 15 minutes (regulate.SignInSource).
	PerSource int
	// PerIdentifier: wrong passwords for one identifier from anywhere per
	// 15 minutes before it is guarded (regulate.SignIn).
	PerIdentifier int
	// PerAddress: wrong passwords from one client address across every
	// identifier per 5 minutes (regulate.SignInAddress; its hourly tier
	// keeps its ratio to this one).
	PerAddress int
	// Global: wrong passwords across the installation per minute
	// (regulate.SignInGlobal).
	Global int
}

// guardRules are the rules the password step applies, with the settings.
type guardRules struct {
	identifier, source, address, global regulate.Rule
}

func (l SignInLimits) rules() guardRules {
	with := func(r regulate.Rule, n int) regulate.Rule {
		if n <= 0 {
			return r
		}
		tiers := make([]regulate.Tier, len(r.Tiers))
		for i, t := range r.Tiers {
			// Longer tiers keep their ratio to the first.
			tiers[i] = regulate.Tier{Max: n * t.Max / r.Tiers[0].Max, Window: t.Window}
		}
		return r.WithTiers(tiers...)
	}
	return guardRules{
		identifier: with(regulate.SignIn, l.PerIdentifier),
		source:     with(regulate.SignInSource, l.PerSource),
		address:    with(regulate.SignInAddress, l.PerAddress),
		global:     with(regulate.SignInGlobal, l.Global),
	}
}

// signInGuard decides, before any password is hashed, whether a try is
// checked at all. It locks out the attacker rather than the customer:
//
//   - the lock is per identifier and client address (source), and per
//     address across identifiers (credential stuffing), plus a global
//     budget;
//   - a refused try is not recorded, so knocking on a lock never extends it;
//   - the identifier's count from everywhere never refuses a source that
//     has not failed for it: once full, the identifier is guarded, and each
//     other source gets its own first try only, so a customer on a clean
//     network still signs in with the right password while guessers are
//     held to one guess per address (and per-address and global budgets).
//
// Passkeys, reset links and e-mailed codes do not pass through here.
type signInGuard struct {
	limits *regulate.Regulator
	rules  guardRules
	now    func() time.Time
}

// guardTry is one password try the guard let through.
type guardTry struct {
	source, identifier regulate.Key
	ip                 string
	// guarded: the identifier's count was full when the try was let
	// through, so its failure is not counted under the identifier.
	guarded bool
}

// refusal is why a try was not checked: a message and when to retry.
type refusal struct {
	message    string
	retryAfter time.Duration
}

// admit peeks at every budget in one read (cheapest refusal first,
// nothing recorded) and, when the try may go on, records it under its
// source. The identifier's count takes the try once it failed (failed):
// a right password clears that count anyway, so a sign-in costs no insert
// for it; it only decides whether other sources are guarded, while the
// source's count, stored before the password is checked, is the one that
// holds against parallel guesses.
func (g signInGuard) admit(ctx context.Context, storeID, typed, ip string) (*guardTry, *refusal, error) {
	now := g.now().UTC()
	subject := limitSubject(typed)
	try := &guardTry{ip: ip, source: g.rules.source.Key(storeID, ip, subject), identifier: g.rules.identifier.Key(storeID, subject)}
	holds, err := g.limits.PeekAll(ctx, now, g.rules.global.Key(), g.rules.address.Key(ip), try.source, try.identifier)
	if err != nil {
		return nil, nil, fmt.Errorf("selfservice: %w", err)
	}
	for _, hold := range holds[:3] { // global, address, source
		if hold.Held {
			return nil, &refusal{"login.too_many_attempts", hold.RetryAfter}, nil
		}
	}
	source, ident := holds[2], holds[3]
	if ident.Held && source.Count > 0 {
		// Guarded, and this source already failed for the identifier.
		return nil, &refusal{"login.identifier_guarded", ident.RetryAfter}, nil
	}
	// Stored before the password is checked, so parallel guesses from one
	// source get no extra tries.
	attempt, err := g.limits.Attempt(ctx, try.source, now)
	if err != nil {
		return nil, nil, fmt.Errorf("selfservice: %w", err)
	}
	switch {
	case attempt.Exceeded():
		return nil, &refusal{"login.too_many_attempts", attempt.RetryAfter}, nil
	case ident.Held && attempt.Count > 1:
		// Guarded: a source's one try, even when it sends several at once.
		return nil, &refusal{"login.identifier_guarded", ident.RetryAfter}, nil
	}
	try.guarded = ident.Held
	return try, nil, nil
}

// failed charges a wrong password to the identifier (unless it was
// guarded: tries made then are not counted, so guessers cannot keep it
// full) and to the address and global budgets, in one statement.
func (g signInGuard) failed(ctx context.Context, try *guardTry) error {
	keys := []regulate.Key{g.rules.address.Key(try.ip), g.rules.global.Key()}
	if !try.guarded {
		keys = append(keys, try.identifier)
	}
	if err := g.limits.RecordAll(ctx, g.now().UTC(), keys...); err != nil {
		return fmt.Errorf("selfservice: %w", err)
	}
	return nil
}

// succeeded forgets the identifier's and the source's tries, in one
// statement.
func (g signInGuard) succeeded(ctx context.Context, try *guardTry) error {
	if err := g.limits.Clear(ctx, try.source, try.identifier); err != nil {
		return fmt.Errorf("selfservice: %w", err)
	}
	return nil
}
