package themes

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// DefaultCatalogTTL is how long a node trusts the translation packages it
// read: an upload on another node shows there within this delay (the node
// that took the upload forgets its copy at once, see ForgetCatalogs).
const DefaultCatalogTTL = 5 * time.Second

// catalogFetchTimeout bounds a package read, so a slow database delays a
// page by at most this before it renders from the built-in catalogs.
const catalogFetchTimeout = 2 * time.Second

// CatalogSource supplies translation packages uploaded at run time, on top
// of the built-in catalogs. Scopes are opaque strings that Branding.Scope
// carries from the application a page or e-mail belongs to.
type CatalogSource interface {
	// Languages returns every language that has a package in some scope,
	// so negotiation can pick a language no built-in catalog has.
	Languages(ctx context.Context) ([]string, error)
	// Overlay returns the packages that apply to scope, language -> key ->
	// format, with the more specific package's keys already winning (an
	// application's over its identity store's). Missing keys fall back to
	// the built-in catalogs.
	Overlay(ctx context.Context, scope string) (map[string]map[string]string, error)
}

// overlays caches a CatalogSource in memory, so rendering asks the
// database at most once per TTL and scope, never per string.
type overlays struct {
	src CatalogSource
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	langs  *langSet // built-in plus packaged languages; nil until read
	langAt time.Time
	scopes map[string]overlayEntry
}

type overlayEntry struct {
	cats map[string]map[string]string
	at   time.Time
}

func (o *overlays) fresh(at time.Time) bool {
	return !at.IsZero() && o.now().Sub(at) < o.ttl
}

// langSet returns the languages pages may be offered in: the built-in
// catalogs plus every packaged language.
func (r *Renderer) langSet() *langSet {
	o := r.overlays
	if o == nil {
		return r.builtin
	}
	o.mu.Lock()
	set, at := o.langs, o.langAt
	o.mu.Unlock()
	if set != nil && o.fresh(at) {
		return set
	}
	ctx, cancel := context.WithTimeout(context.Background(), catalogFetchTimeout)
	defer cancel()
	packaged, err := o.src.Languages(ctx)
	if err != nil {
		slog.WarnContext(ctx, "themes: reading packaged languages", "err", err)
		if set != nil {
			return set // keep serving what was known
		}
		return r.builtin
	}
	all := slices.Clone(r.builtin.langs)
	for _, l := range packaged {
		if tagPattern.MatchString(l) {
			all = append(all, canonicalTag(l))
		}
	}
	slices.Sort(all)
	set = newLangSet(slices.Compact(all))
	o.mu.Lock()
	o.langs, o.langAt = set, o.now()
	o.mu.Unlock()
	return set
}

// overlay returns the packages of scope ("" has none), read through the
// cache. A failing source costs the packages, not the page.
func (r *Renderer) overlay(ctx context.Context, scope string) map[string]map[string]string {
	o := r.overlays
	if o == nil || scope == "" {
		return nil
	}
	o.mu.Lock()
	e, ok := o.scopes[scope]
	o.mu.Unlock()
	if ok && o.fresh(e.at) {
		return e.cats
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), catalogFetchTimeout)
	defer cancel()
	cats, err := o.src.Overlay(ctx, scope)
	if err != nil {
		slog.WarnContext(ctx, "themes: reading translation packages", "scope", scope, "err", err)
		return e.cats
	}
	canon := make(map[string]map[string]string, len(cats))
	for l, m := range cats {
		if tagPattern.MatchString(l) && len(m) > 0 {
			canon[canonicalTag(l)] = m
		}
	}
	o.mu.Lock()
	o.scopes[scope] = overlayEntry{cats: canon, at: o.now()}
	o.mu.Unlock()
	return canon
}

// cachedOverlay is the last packages read for scope, without asking the
// source: t calls it for every string while the page's render already
// refreshed the cache.
func (r *Renderer) cachedOverlay(scope string) map[string]map[string]string {
	o := r.overlays
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.scopes[scope].cats
}

// ForgetCatalogs drops the cached packages and languages, so the next
// render reads them again. The admin service calls it after an upload or
// a deletion on this node; other nodes see the change within the TTL.
func (r *Renderer) ForgetCatalogs() {
	o := r.overlays
	if o == nil {
		return
	}
	o.mu.Lock()
	o.langs, o.langAt = nil, time.Time{}
	clear(o.scopes)
	o.mu.Unlock()
}

// Offered returns the languages a page of scope offers: the built-in
// catalogs and the scope's packages, sorted.
func (r *Renderer) Offered(ctx context.Context, scope string) []string {
	return offered(r.builtin.langs, r.overlay(ctx, scope))
}

func offered(builtin []string, overlay map[string]map[string]string) []string {
	out := slices.Clone(builtin)
	for _, l := range slices.Sorted(maps.Keys(overlay)) {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// scopedLang is the language to render for scope: lang (already matched)
// when the scope offers it, else the one closest to it among what the scope
// offers, else the default language. A language only another application
// has a package for must not render this one's page half in English under
// that language's name.
func (r *Renderer) scopedLang(lang string, overlay map[string]map[string]string) string {
	if r.catalogs[lang] != nil || overlay[lang] != nil {
		return lang
	}
	if m := newLangSet(offered(r.builtin.langs, overlay)).match(lang); m != "" {
		return m
	}
	return r.defaultLang
}

// BuiltinLanguages returns the tags of the built-in catalogs (embedded and
// override directory), sorted: what every scope offers without packages.
func (r *Renderer) BuiltinLanguages() []string {
	return slices.Clone(r.builtin.langs)
}
