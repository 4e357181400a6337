package themes

import (
	"fmt"
	"sync"
)

// cloneKey names one clone of a page or e-mail: t bound to a language and
// to the translation packages of a scope ("" for none).
type cloneKey struct{ scope, lang string }

// clones holds the clones of one page or e-mail, made on first use: parsing
// every page once per language at start grows start-up with each language,
// and packages uploaded at run time add (scope, language) pairs later.
type clones[T any] struct {
	mu sync.Mutex
	m  map[cloneKey]T
}

// get returns the clone for k, making it with mk the first time. mk runs
// under the lock, so concurrent first renders make one clone, not several.
func (c *clones[T]) get(k cloneKey, mk func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[k]; ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		var zero T
		return zero, fmt.Errorf("themes: clone for %q/%q: %w", k.scope, k.lang, err)
	}
	if c.m == nil {
		c.m = map[cloneKey]T{}
	}
	c.m[k] = v
	return v, nil
}

// size is the number of clones made, for tests.
func (c *clones[T]) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// tFunc is the template function t for a clone: key looked up in scope's
// packages (read from the cache the render refreshed) and lang's catalogs,
// formatted with args when given.
func (r *Renderer) tFunc(k cloneKey) func(string, ...any) string {
	return func(key string, args ...any) string {
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
}

// cloneScope is the scope a clone is keyed by: pages of a scope without
// packages share the unscoped clone.
func cloneScope(scope string, overlay map[string]map[string]string) string {
	if len(overlay) == 0 {
		return ""
	}
	return scope
}
