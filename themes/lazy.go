package themes

import (
	"fmt"
	"runtime"
	"sync"
)

// binding is what a copy's t translates into: a language and the
// translation packages of a scope ("" for none).
type binding struct{ scope, lang string }

// copies holds the idle copies of one page's or e-mail's templates. A
// render takes one (made on demand when none is idle), binds its t to the
// language and scope it renders in, and gives it back when done. So the
// number of copies follows how many renders of the page ran at once, not
// how many languages and scopes it was rendered in (a copy per language
// and scope, each a deep copy of the page's parse trees, was most of the
// server's heap), and each copy's escaping runs once. t cannot be bound
// per render any other way: a template function sees only its arguments,
// and html/template refuses to clone a template once it has executed.
type copies[T any] struct {
	mu   sync.Mutex
	idle []T
	made int
}

// take returns an idle copy, or one made with mk when none is. mk runs
// outside the lock: copying and escaping a page takes about a millisecond,
// which another render of the page need not wait for.
func (c *copies[T]) take(mk func() (T, error)) (T, error) {
	c.mu.Lock()
	if n := len(c.idle); n > 0 {
		v := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return v, nil
	}
	c.made++
	c.mu.Unlock()
	v, err := mk()
	if err != nil {
		var zero T
		return zero, fmt.Errorf("themes: copy: %w", err)
	}
	return v, nil
}

// give returns a copy taken with take. At most one idle copy per CPU is
// kept: a render holds one only while it executes into a buffer, so about
// that many run at once; a burst beyond it leaves garbage, not heap.
func (c *copies[T]) give(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.idle) < runtime.GOMAXPROCS(0) {
		c.idle = append(c.idle, v)
	}
}

// count is the number of copies made, for tests.
func (c *copies[T]) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.made
}

// translate is the template function t of a copy bound to k: key looked
// up in k's scope's packages (read from the cache the render refreshed)
// and k's language's catalogs, formatted with args when given.
func (r *Renderer) translate(k binding, key string, args ...any) string {
	var overlay map[string]map[string]string
	if k.scope != "" {
		overlay = r.cachedOverlay(k.scope)
	}
	format, ok := r.lookupIn(overlay, k.lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return format // a literal "%" must survive when nothing is formatted
	}
	return fmt.Sprintf(format, args...)
}

// bindScope is the scope a copy is bound to: pages of a scope without
// packages translate as the unscoped ones.
func bindScope(scope string, overlay map[string]map[string]string) string {
	if len(overlay) == 0 {
		return ""
	}
	return scope
}
