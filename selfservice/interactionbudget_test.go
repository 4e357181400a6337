package selfservice

import (
	"testing"
	"time"
)

// TestInteractionWait: an address is held until its oldest counted tries
// leave the tier they fill, the longer of the two when both are full.
func TestInteractionWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	every := func(n int, from time.Time, step time.Duration) []time.Time {
		out := make([]time.Time, n)
		for i := range out {
			out[i] = from.Add(time.Duration(i) * step)
		}
		return out
	}
	for name, tc := range map[string]struct {
		tries []time.Time
		want  time.Duration
	}{
		"within both tiers":   {every(2, now.Add(-10*time.Second), time.Second), 0},
		"the minute's full":   {every(3, now.Add(-20*time.Second), time.Second), 40 * time.Second},
		"one left the minute": {every(3, now.Add(-61*time.Second), 30*time.Second), 0},
		"ten minutes' full":   {every(30, now.Add(-9*time.Minute), 15*time.Second), time.Minute},
		"both full, the longer one": {append(every(27, now.Add(-9*time.Minute-55*time.Second), 20*time.Second),
			every(3, now.Add(-5*time.Second), time.Second)...), 55 * time.Second},
	} {
		if got := waitFor(tc.tries, 3, now); got != tc.want {
			t.Errorf("%s: wait %v, want %v", name, got, tc.want)
		}
	}
}
