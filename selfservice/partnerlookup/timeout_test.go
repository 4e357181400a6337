package partnerlookup

import (
	"testing"
	"time"
)

// TestTimeout: an unset timeout is the default and none exceeds the cap,
// whatever a row holds.
func TestTimeout(t *testing.T) {
	for configured, want := range map[time.Duration]time.Duration{
		0:                DefaultTimeout,
		-time.Second:     DefaultTimeout,
		time.Second:      time.Second,
		10 * time.Second: MaxTimeout,
		time.Hour:        MaxTimeout,
	} {
		if got := timeout(configured); got != want {
			t.Errorf("timeout(%v) = %v, want %v", configured, got, want)
		}
	}
}
