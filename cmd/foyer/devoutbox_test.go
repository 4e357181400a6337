package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// With FOYER_DEV_OUTBOX in dev mode (no SMTP server, loopback issuer)
// queued messages are listed with their links at /admin/dev/outbox — to
// direct loopback callers only.
func TestDevOutboxPageInDevMode(t *testing.T) {
	t.Parallel()
	ts := httptest.NewUnstartedServer(nil)
	cfg := defaultConfig()
	cfg.Issuer, cfg.DevOutbox = "http://"+ts.Listener.Addr().String(), true
	store := sqltest.SQLite(t)
	srv, err := newServer(context.Background(), cfg, store, []byte(testSecret), newLogger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.handler
	ts.Start()
	defer ts.Close()
	const link = "http://127.0.0.1/activate?token=dev-token"
	if _, err := srv.notifications.Email(t.Context(), "dev@example.com", "", "activation", "en",
		themes.Branding{AppName: "Dev App"}, map[string]any{"Link": link}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ts.URL + "/admin/dev/outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "dev@example.com") ||
		!strings.Contains(string(body), "Activate your Dev App account") || !strings.Contains(string(body), link) {
		t.Errorf("dev outbox: %d\n%s", resp.StatusCode, body)
	}
	// through a proxy (even one on this machine) or from another host: no
	for name, mod := range map[string]func(*http.Request){
		"proxied":     func(r *http.Request) { r.Header.Set("X-Forwarded-For", "203.0.113.7") },
		"remote peer": func(r *http.Request) { r.RemoteAddr = "203.0.113.7:4711" },
	} {
		req := httptest.NewRequest(http.MethodGet, "/admin/dev/outbox", nil)
		req.RemoteAddr = "127.0.0.1:4711"
		mod(req)
		rec := httptest.NewRecorder()
		srv.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), link) {
			t.Errorf("%s: status %d, want 404 without the messages", name, rec.Code)
		}
	}
}

// Anywhere else the page does not exist: messages hold live links.
func TestDevOutboxPageOtherwise404(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]func(*Config){
		"not asked for":   func(*Config) {},
		"public issuer":   func(c *Config) { c.Issuer, c.DevOutbox = "https://id.example.com", true },
		"smtp configured": func(c *Config) { c.SMTPURL, c.DevOutbox = "smtp://127.0.0.1:2525", true },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := defaultConfig()
			mod(&cfg)
			srv, err := newServer(context.Background(), cfg, sqltest.SQLite(t), []byte(testSecret), newLogger(cfg, io.Discard))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin/dev/outbox", nil))
			if rec.Code != http.StatusNotFound {
				t.Errorf("status %d, want 404", rec.Code)
			}
		})
	}
}
