package authz

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"foyer/storage"
)

// ClientLister lists every registered client (the CORS origin set is built
// from their redirect URIs).
type ClientLister interface {
	ListClients(ctx context.Context) ([]storage.Client, error)
}

// CORSOriginsTTL is how long a node trusts its set of allowed origins: a
// newly registered redirect URI's origin is allowed within this time.
const CORSOriginsTTL = 5 * time.Second

// corsMaxAge is how long browsers may cache a preflight answer (seconds).
const corsMaxAge = "600"

// CORS lets browser clients (single-page apps) call the endpoints they use
// directly: token, UserInfo, revocation, JWKS and discovery. Only origins
// (scheme://host[:port]) of some client's registered redirect URIs are
// allowed, on every one of these endpoints: a preflight carries no
// client_id, and the token and revocation endpoints authenticate the client
// themselves (secret, or PKCE for public clients), so the origin check
// decides only which sites' scripts may read the answers. Credentials
// (cookies) are never allowed. Other origins get no CORS headers at all.
//
// The origin set is loaded with one query and kept CORSOriginsTTL; it is
// consulted only for requests carrying an Origin header, so server-side
// relying parties cost nothing.
type CORS struct {
	clients ClientLister
	now     func() time.Time
	log     *slog.Logger

	set        atomic.Pointer[originSet]
	refreshing sync.Mutex // one reload at a time per node
}

type originSet struct {
	origins  map[string]bool
	loadedAt time.Time
}

// NewCORS returns the CORS middleware over clients.
func NewCORS(clients ClientLister, now func() time.Time, log *slog.Logger) *CORS {
	if now == nil {
		now = time.Now
	}
	return &CORS{clients: clients, now: now, log: log}
}

// corsMethods is what a path allows cross-origin, "" where CORS does not
// apply.
func corsMethods(path string) string {
	switch path {
	case TokenPath, RevocationPath:
		return "POST"
	case UserInfoPath:
		return "GET, POST"
	case JWKSPath, DiscoveryPath:
		return "GET"
	}
	return ""
}

// Middleware answers preflights and adds CORS headers for allowed origins
// on the CORS endpoints; every other request passes through untouched.
func (c *CORS) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		methods := corsMethods(r.URL.Path)
		if methods == "" {
			next.ServeHTTP(w, r)
			return
		}
		// Caches must keep answers for different origins apart.
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		allowed := origin != "" && c.allowed(r.Context(), origin)
		h := w.Header()
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if preflight {
			if allowed {
				h.Set("Access-Control-Allow-Methods", methods)
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", corsMaxAge)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			// UserInfo's errors explain themselves in this header.
			h.Set("Access-Control-Expose-Headers", "WWW-Authenticate")
		}
		next.ServeHTTP(w, r)
	})
}

// allowed reports whether origin is one of the registered origins. A failed
// reload keeps using the previous set (and logs), so a database hiccup does
// not strip CORS from every browser client.
func (c *CORS) allowed(ctx context.Context, origin string) bool {
	key, ok := normalizeOrigin(origin)
	if !ok {
		return false
	}
	s := c.set.Load()
	if s == nil || c.now().Sub(s.loadedAt) >= CORSOriginsTTL {
		fresh, err := c.reload(ctx)
		if err != nil {
			c.log.WarnContext(ctx, "cors: load client origins", "err", err)
		} else {
			s = fresh
		}
	}
	return s != nil && s.origins[key]
}

func (c *CORS) reload(ctx context.Context) (*originSet, error) {
	c.refreshing.Lock()
	defer c.refreshing.Unlock()
	if s := c.set.Load(); s != nil && c.now().Sub(s.loadedAt) < CORSOriginsTTL {
		return s, nil // another request reloaded while this one waited
	}
	loadedAt := c.now()
	clients, err := c.clients.ListClients(ctx)
	if err != nil {
		return nil, errorf("list clients: %w", err)
	}
	s := &originSet{origins: map[string]bool{}, loadedAt: loadedAt}
	for _, cl := range clients {
		for _, u := range cl.RedirectURIs {
			if o, ok := normalizeOrigin(u); ok {
				s.origins[o] = true
			}
		}
	}
	c.set.Store(s)
	return s, nil
}

// normalizeOrigin is the web origin of an http(s) URL or Origin header
// value: lower-case scheme and host, the port only when not the scheme's
// default (browsers omit it). Private-use schemes have no web origin.
func normalizeOrigin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return scheme + "://" + host, true
	}
	return scheme + "://" + host + ":" + port, true
}
