package regulate_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/selfservice/regulate"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestKeysMatchTheFlowsBefore: each rule's key is the digest the flow
// wrote by hand before the regulator, so counts in flight at an upgrade
// carry over.
func TestKeysMatchTheFlowsBefore(t *testing.T) {
	for _, tt := range []struct {
		name string
		got  regulate.Key
		want string
	}{
		{"sign-in", regulate.SignIn.Key("store-1", "Alice@Example.com"), digest("store-1\x00" + strings.ToLower("Alice@Example.com"))},
		{"second factor", regulate.SecondFactor.Key("acct-1", "totp"), digest("mfa\x00acct-1\x00totp")},
		{"one-time code", regulate.OneTimeCode.Key("sec-1"), digest("reset-code\x00sec-1")},
		{"account reset codes", regulate.AccountResetCodes.Key("acct-1"), digest("reset-code-account\x00acct-1")},
		{"signup notice", regulate.SignupNotice.Key("Bob@Example.com"), digest("signup-identifier-taken\x00bob@example.com")},
		{"contact code", regulate.ContactCode.Key("sec-2"), digest("portal-contact-code\x00sec-2")},
		{"portal password", regulate.PortalPassword.Key("acct-1"), digest("portal-password\x00acct-1")},
	} {
		if tt.got.String() != tt.want {
			t.Errorf("%s: key %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestRulesAreDistinct: no two rules share a key space, and every rule
// has a limit.
func TestRulesAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, r := range regulate.Rules() {
		if len(r.Tiers) == 0 || r.Tiers[0].Max < 1 {
			t.Errorf("%s: no limit", r.Name)
		}
		k := r.Key("same-subject", "x").String()
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s share keys", r.Name, other)
		}
		seen[k] = r.Name
	}
}

func TestRegulator(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		st := newStore(t)
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, g *regulate.Regulator)
		}{
			{"window limit", testWindowLimit},
			{"window slides", testWindowSlides},
			{"code life", testCodeLife},
			{"tiers", testTiers},
			{"clear", testClear},
			{"wrong operation", testWrongOperation},
			{"parallel", testParallel},
			{"peek", testPeek},
			{"peek tiers", testPeekTiers},
			{"several keys", testSeveralKeys},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, regulate.New(st)) })
		}
	})
}

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func attempt(t *testing.T, g *regulate.Regulator, k regulate.Key, at time.Time) regulate.Verdict {
	t.Helper()
	v, err := g.Attempt(context.Background(), k, at)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// testWindowLimit: the limit's attempts pass, the last of them reaches
// it, the next exceeds it; Alice and alice share one count.
func testWindowLimit(t *testing.T, g *regulate.Regulator) {
	for i := 1; i <= 10; i++ {
		typed := "alice@example.com"
		if i%2 == 0 {
			typed = "Alice@Example.com"
		}
		v := attempt(t, g, regulate.SignIn.Key("s-limit", typed), t0.Add(time.Duration(i)*time.Second))
		if v.Exceeded() || v.Reached() != (i == 10) || v.Count != int64(i) {
			t.Fatalf("attempt %d: %+v exceeded=%v reached=%v", i, v, v.Exceeded(), v.Reached())
		}
	}
	if v := attempt(t, g, regulate.SignIn.Key("s-limit", "ALICE@example.com"), t0.Add(11*time.Second)); !v.Exceeded() {
		t.Fatalf("11th attempt passed: %+v", v)
	}
	if v := attempt(t, g, regulate.SignIn.Key("s-other", "alice@example.com"), t0); v.Exceeded() || v.Count != 1 {
		t.Fatalf("another store's identifier shares the count: %+v", v)
	}
}

// testWindowSlides: attempts older than the window no longer count.
func testWindowSlides(t *testing.T, g *regulate.Regulator) {
	k := regulate.PortalPassword.Key("acct-slide")
	for i := range 6 {
		attempt(t, g, k, t0.Add(time.Duration(i)*time.Second))
	}
	// Retry when the third try (at 2 s) leaves the window: then four
	// remain, and the next is the fifth.
	if v := attempt(t, g, k, t0.Add(10*time.Second)); !v.Exceeded() || v.RetryAfter != 15*time.Minute-8*time.Second {
		t.Fatalf("7th attempt within the window: %+v", v)
	}
	if v := attempt(t, g, k, t0.Add(15*time.Minute+5*time.Second)); v.Exceeded() {
		t.Fatalf("attempt after the window refused: %+v", v)
	}
}

// testCodeLife: a code's tries count from its creation, however long ago.
func testCodeLife(t *testing.T, g *regulate.Regulator) {
	ctx := context.Background()
	k := regulate.OneTimeCode.Key("sec-life")
	created := t0.Add(-48 * time.Hour)
	for i := 1; i <= 6; i++ {
		v, err := g.AttemptSince(ctx, k, created.Add(time.Duration(i)*time.Hour), created)
		if err != nil {
			t.Fatal(err)
		}
		if v.Exceeded() != (i > 5) || v.Reached() != (i >= 5) {
			t.Fatalf("try %d: %+v exceeded=%v reached=%v", i, v, v.Exceeded(), v.Reached())
		}
	}
}

// testTiers: the second factor's lock grows: six quick misses lock it, six
// misses spread over more than five minutes do not, eleven within the
// hour do.
func testTiers(t *testing.T, g *regulate.Regulator) {
	quick := regulate.SecondFactor.Key("acct-tiers", "quick")
	for i := 1; i <= 6; i++ {
		if v := attempt(t, g, quick, t0.Add(time.Duration(i)*time.Second)); v.Exceeded() != (i == 6) {
			t.Fatalf("quick try %d: exceeded=%v", i, v.Exceeded())
		}
	}
	slow := regulate.SecondFactor.Key("acct-tiers", "slow")
	for i := 1; i <= 11; i++ {
		if v := attempt(t, g, slow, t0.Add(time.Duration(i)*4*time.Minute)); v.Exceeded() != (i == 11) {
			t.Fatalf("slow try %d (%v in): exceeded=%v", i, time.Duration(i)*4*time.Minute, v.Exceeded())
		}
	}
}

// testClear: a success forgets the count.
func testClear(t *testing.T, g *regulate.Regulator) {
	k := regulate.SecondFactor.Key("acct-clear", "totp")
	for i := range 6 {
		attempt(t, g, k, t0.Add(time.Duration(i)*time.Second))
	}
	if err := g.Clear(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if v := attempt(t, g, k, t0.Add(10*time.Second)); v.Exceeded() || v.Count != 1 {
		t.Fatalf("after clearing: %+v", v)
	}
}

// testWrongOperation: a code's rule has no window of its own and a tiered
// rule no single "since"; asking either the wrong way is an error, not a
// silent limit.
func testWrongOperation(t *testing.T, g *regulate.Regulator) {
	if _, err := g.Attempt(context.Background(), regulate.OneTimeCode.Key("sec-x"), t0); err == nil {
		t.Error("Attempt on a code's rule succeeded")
	}
	if _, err := g.AttemptSince(context.Background(), regulate.SecondFactor.Key("a", "m"), t0, t0); err == nil {
		t.Error("AttemptSince on a tiered rule succeeded")
	}
}

// testParallel: of parallel attempts at one key, no more than the limit
// pass, on any database.
func testParallel(t *testing.T, g *regulate.Regulator) {
	for _, k := range []regulate.Key{regulate.PortalPassword.Key("acct-par"), regulate.SecondFactor.Key("acct-par", "totp")} {
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			passed int
		)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := g.Attempt(context.Background(), k, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if !v.Exceeded() {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if passed > 5 {
			t.Errorf("%s: %d of 16 parallel attempts passed a limit of 5", k, passed)
		}
	}
}

// testPeek: peeking records nothing, holds once the limit is used, says
// when the hold lifts, and lifts then.
func testPeek(t *testing.T, g *regulate.Regulator) {
	ctx := context.Background()
	k := regulate.SignInSource.Key("s-peek", "192.0.2.1", "alice@example.com")
	for i := range 10 {
		if err := g.Record(ctx, k, t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		h, err := g.Peek(ctx, k, t0.Add(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if !h.Held || h.Count != 10 || h.RetryAfter != 15*time.Minute-10*time.Second {
			t.Fatalf("after ten tries: %+v", h)
		}
	}
	if h, _ := g.Peek(ctx, k, t0.Add(15*time.Minute+time.Second)); h.Held || h.Count != 9 {
		t.Fatalf("once the first try left the window: %+v", h)
	}
	if h, _ := g.Peek(ctx, regulate.SignInSource.Key("s-peek", "192.0.2.2", "alice@example.com"), t0); h.Held || h.Count != 0 {
		t.Fatalf("another address shares the count: %+v", h)
	}
	if _, err := g.Peek(ctx, regulate.OneTimeCode.Key("sec-peek"), t0); err == nil {
		t.Error("peeking at a code's rule succeeded")
	}
}

// testPeekTiers: a longer tier holds after the first has emptied, until
// its own window lets go; WithTiers keeps the rule's key space.
func testPeekTiers(t *testing.T, g *regulate.Regulator) {
	ctx := context.Background()
	rule := regulate.SignInAddress.WithTiers(regulate.Tier{Max: 2, Window: time.Minute}, regulate.Tier{Max: 3, Window: time.Hour})
	k := rule.Key("192.0.2.9")
	if k.String() != regulate.SignInAddress.Key("192.0.2.9").String() {
		t.Fatal("WithTiers changed the key")
	}
	for _, at := range []time.Duration{0, 2 * time.Minute, 4 * time.Minute} {
		if err := g.Record(ctx, k, t0.Add(at)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := g.Peek(ctx, k, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !h.Held || h.Count != 0 || h.RetryAfter != 50*time.Minute {
		t.Fatalf("hourly tier: %+v", h)
	}
	if h, _ := g.Peek(ctx, k, t0.Add(time.Hour+time.Second)); h.Held {
		t.Fatalf("after the hour: %+v", h)
	}
}

// testSeveralKeys: PeekAll sees each key as Peek alone does, in the keys'
// order, across rules with one tier and several; RecordAll records each
// key once; Clear forgets every key it names and no other.
func testSeveralKeys(t *testing.T, g *regulate.Regulator) {
	ctx := context.Background()
	address := regulate.SignInAddress.WithTiers(regulate.Tier{Max: 2, Window: time.Minute}, regulate.Tier{Max: 3, Window: time.Hour}).Key("192.0.2.50")
	source := regulate.SignInSource.Key("s-all", "192.0.2.50", "alice@example.com")
	ident := regulate.SignIn.Key("s-all", "alice@example.com")
	for _, at := range []time.Duration{0, 2 * time.Minute, 4 * time.Minute} {
		if err := g.RecordAll(ctx, t0.Add(at), address, ident); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Record(ctx, source, t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(10 * time.Minute)
	keys := []regulate.Key{ident, address, source}
	all, err := g.PeekAll(ctx, now, keys...)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		alone, err := g.Peek(ctx, k, now)
		if err != nil {
			t.Fatal(err)
		}
		if all[i] != alone {
			t.Errorf("key %d: PeekAll saw %+v, Peek %+v", i, all[i], alone)
		}
	}
	if all[0].Count != 3 || all[0].Held || !all[1].Held || all[1].RetryAfter != 50*time.Minute || all[2].Count != 1 {
		t.Fatalf("PeekAll = %+v; want the identifier's 3 (not held), the address held for 50 minutes, the source's 1", all)
	}
	if err := g.Clear(ctx, ident, source); err != nil {
		t.Fatal(err)
	}
	all, err = g.PeekAll(ctx, now, keys...)
	if err != nil {
		t.Fatal(err)
	}
	if all[0].Count != 0 || all[2].Count != 0 || !all[1].Held {
		t.Fatalf("after clearing the identifier and the source: %+v; want both empty, the address still held", all)
	}
	if _, err := g.PeekAll(ctx, now, ident, regulate.OneTimeCode.Key("sec-all")); err == nil {
		t.Error("peeking at a code's rule among others succeeded")
	}
}
