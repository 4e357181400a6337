package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/storage/sqlstore/sqltest"
)

// TestMetricsExposure: a production (https) issuer does not show /metrics
// to the internet unless a token is configured, and then only to its
// bearer; with a separate listener the public one has no /metrics.
func TestMetricsExposure(t *testing.T) {
	t.Parallel()
	const token = "metrics-token-0123456789abcdef"
	get := func(t *testing.T, srv *testServer, bearer string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	production := func(c *Config) { c.Issuer = "https://" + strings.TrimPrefix(c.Issuer, "http://") }

	t.Run("production without configuration", func(t *testing.T) {
		srv := startServerWith(t, sqltest.SQLite(t), production)
		if status, _ := get(t, srv, ""); status != http.StatusNotFound {
			t.Fatalf("GET /metrics = %d, want 404", status)
		}
	})
	t.Run("token", func(t *testing.T) {
		srv := startServerWith(t, sqltest.SQLite(t), func(c *Config) { production(c); c.MetricsToken = token })
		for _, bad := range []string{"", "wrong-token-0123456789abcdef", token + "x"} {
			if status, _ := get(t, srv, bad); status != http.StatusUnauthorized {
				t.Errorf("GET /metrics with bearer %q = %d, want 401", bad, status)
			}
		}
		if status, body := get(t, srv, token); status != http.StatusOK || !strings.Contains(body, "foyer_http_requests_total") {
			t.Fatalf("GET /metrics with the token = %d:\n%.200s", status, body)
		}
	})
	t.Run("separate listener", func(t *testing.T) {
		srv := startServerWith(t, sqltest.SQLite(t), func(c *Config) { c.MetricsListen = "127.0.0.1:0"; c.MetricsToken = token })
		if status, _ := get(t, srv, token); status != http.StatusNotFound {
			t.Fatalf("public GET /metrics with a separate listener = %d, want 404", status)
		}
	})
	t.Run("the separate listener serves only /metrics", func(t *testing.T) {
		h := metricsOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "metrics") }))
		for path, want := range map[string]int{"/metrics": http.StatusOK, "/": http.StatusNotFound, "/debug/pprof/": http.StatusNotFound} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != want {
				t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
			}
		}
	})
	t.Run("short token refused", func(t *testing.T) {
		cfg := defaultConfig()
		cfg.MetricsToken = "short"
		if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "FOYER_METRICS_TOKEN") {
			t.Fatalf("validate = %v, want a FOYER_METRICS_TOKEN error", err)
		}
	})
}
