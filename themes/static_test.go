package themes

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serveStatic(t *testing.T, r *Renderer, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.StaticHandler().ServeHTTP(w, req)
	return w
}

func TestBrandCSS(t *testing.T) {
	r := newTestRenderer(t, Options{})
	tests := []struct {
		query    string
		wantCode int
		wantBody string
	}{
		{"c=1d4ed8", 200, ":root{--primary:#1d4ed8;--primary-contrast:#ffffff}\n"},
		// White on this blue is 4.49:1, black 4.68:1: the ratio decides.
		{"c=1a73e8", 200, ":root{--primary:#1a73e8;--primary-contrast:#000000}\n"},
		{"c=FFEB3B", 200, ":root{--primary:#ffeb3b;--primary-contrast:#000000}\n"},
		{"c=000000", 200, ":root{--primary:#000000;--primary-contrast:#ffffff}\n"},
		{"c=ffffff", 200, ":root{--primary:#ffffff;--primary-contrast:#000000}\n"},
		{"", 400, ""},
		{"c=fff", 400, ""},
		{"c=%231a73e8", 400, ""},
		{"c=red;}body{x", 400, ""},
		{"c=1a73e8;}", 400, ""},
		{"c=1a73e8%0A", 400, ""},
		{"c=gggggg", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			w := serveStatic(t, r, http.MethodGet, "/static/brand.css?"+tt.query, nil)
			if w.Code != tt.wantCode {
				t.Fatalf("code = %d, want %d", w.Code, tt.wantCode)
			}
			if tt.wantCode != 200 {
				if strings.Contains(w.Body.String(), "{") {
					t.Errorf("error body echoes CSS: %q", w.Body)
				}
				return
			}
			if w.Body.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", w.Body, tt.wantBody)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/css; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("Cache-Control = %q", cc)
			}
		})
	}
}

func TestStaticHandler(t *testing.T) {
	r := newTestRenderer(t, Options{})
	w := serveStatic(t, r, http.MethodGet, "/static/app.css", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("app.css: code %d type %q", w.Code, w.Header().Get("Content-Type"))
	}
	if !strings.Contains(w.Body.String(), "var(--primary)") {
		t.Error("app.css does not use --primary")
	}
	h := w.Header()
	if !strings.Contains(h.Get("Cache-Control"), "immutable") || h.Get("ETag") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers = %v", h)
	}

	w = serveStatic(t, r, http.MethodGet, "/static/app.css", map[string]string{"If-None-Match": h.Get("ETag")})
	if w.Code != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", w.Code)
	}
	if w = serveStatic(t, r, http.MethodHead, "/static/app.css", nil); w.Code != 200 {
		t.Errorf("HEAD = %d", w.Code)
	}
	for _, p := range []string{"/static/missing.css", "/static/../themes.go", "/static/", "/static/templates/layout.html", "/static/%2e%2e/locales/en.json"} {
		if w := serveStatic(t, r, http.MethodGet, p, nil); w.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", p, w.Code)
		}
	}
	if w := serveStatic(t, r, http.MethodPost, "/static/app.css", nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d", w.Code)
	}
}

func TestAssetURLIsVersioned(t *testing.T) {
	r := newTestRenderer(t, Options{})
	u := r.assetURL("app.css")
	if !strings.HasPrefix(u, "/static/app.css?v=") {
		t.Fatalf("assetURL = %q", u)
	}
	if w := serveStatic(t, r, http.MethodGet, u, nil); w.Code != 200 {
		t.Errorf("GET %s = %d", u, w.Code)
	}
}
