package authz

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"foyer/storage"
)

// fakeClients counts how often the origin set is loaded.
type fakeClients struct {
	mu      sync.Mutex
	clients []storage.Client
	lists   int
}

func (f *fakeClients) ListClients(context.Context) ([]storage.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	return append([]storage.Client(nil), f.clients...), nil
}

func (f *fakeClients) add(uris ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients = append(f.clients, storage.Client{RedirectURIs: uris})
}

func TestNormalizeOrigin(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"https://app.example.com/callback?x=1", "https://app.example.com", true},
		{"https://App.Example.com:443/cb", "https://app.example.com", true},
		{"http://127.0.0.1:3000/cb", "http://127.0.0.1:3000", true},
		{"http://localhost:80", "http://localhost", true},
		{"http://[::1]:8080/cb", "http://[::1]:8080", true},
		{"com.example.app:/cb", "", false},
		{"null", "", false},
		{"", "", false},
	} {
		got, ok := normalizeOrigin(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("normalizeOrigin(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestCORSMiddleware: registered origins get CORS headers and preflight
// answers, others none; non-CORS paths are untouched; the origin set is
// loaded once per TTL, not per request, and picks up new clients after it.
func TestCORSMiddleware(t *testing.T) {
	clients := &fakeClients{}
	clients.add("https://spa.example.com/callback", "com.example.app:/cb")
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	cors := NewCORS(clients, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := cors.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	do := func(method, path, origin string, preflight bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if preflight {
			r.Header.Set("Access-Control-Request-Method", "POST")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	for _, path := range []string{TokenPath, UserInfoPath, RevocationPath, JWKSPath, DiscoveryPath} {
		w := do(http.MethodGet, path, "https://spa.example.com", false)
		if w.Header().Get("Access-Control-Allow-Origin") != "https://spa.example.com" || w.Header().Get("Vary") != "Origin" {
			t.Fatalf("%s: headers %v", path, w.Header())
		}
		if w.Header().Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("%s allows credentials", path)
		}
		if w := do(http.MethodGet, path, "https://evil.example", false); w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s: unknown origin got %v", path, w.Header())
		}
	}
	w := do(http.MethodOptions, TokenPath, "https://spa.example.com", true)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Methods") != "POST" ||
		w.Header().Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" || w.Header().Get("Access-Control-Max-Age") == "" {
		t.Fatalf("preflight: %d %v", w.Code, w.Header())
	}
	if w := do(http.MethodOptions, TokenPath, "https://evil.example", true); w.Header().Get("Access-Control-Allow-Origin") != "" || w.Header().Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("preflight from an unknown origin: %v", w.Header())
	}
	if w := do(http.MethodGet, "/login", "https://spa.example.com", false); w.Header().Get("Access-Control-Allow-Origin") != "" || w.Header().Get("Vary") != "" {
		t.Fatalf("CORS on a page: %v", w.Header())
	}
	if clients.lists != 1 {
		t.Fatalf("origin set loaded %d times, want once", clients.lists)
	}

	clients.add("https://new.example.com/cb")
	if w := do(http.MethodGet, JWKSPath, "https://new.example.com", false); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("the cached set changed before its TTL")
	}
	mu.Lock()
	now = now.Add(CORSOriginsTTL)
	mu.Unlock()
	if w := do(http.MethodGet, JWKSPath, "https://new.example.com", false); w.Header().Get("Access-Control-Allow-Origin") != "https://new.example.com" {
		t.Fatal("a new client's origin is not allowed after the TTL")
	}
	if clients.lists != 2 {
		t.Fatalf("origin set loaded %d times, want twice", clients.lists)
	}
}
