package selfservicetest

import (
	"sync"
	"time"
)

// Clock is a clock the test moves; it starts at the real time (cookies
// the handler sets expire relative to it, and the cookie jar judges them
// by the real clock) and stands still until Advance.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at the current second.
func NewClock() *Clock { return &Clock{t: time.Now().Truncate(time.Second)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
