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

// In dev mode (no SMTP server, loopback issuer) queued messages are listed
// with their links at /admin/dev/outbox.
func TestDevOutboxPageInDevMode(t *testing.T) {
	ts := startServer(t, sqltest.SQLite(t))
	const link = "http://127.0.0.1/activate?token=dev-token"
	if _, err := ts.notifications.Email(t.Context(), "dev@example.com", "", "activation", "en",
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
}

// Anywhere else the page does not exist: messages hold live links.
func TestDevOutboxPageOtherwise404(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"public issuer":   func(c *Config) { c.Issuer = "https://id.example.com" },
		"smtp configured": func(c *Config) { c.SMTPURL = "smtp://127.0.0.1:2525" },
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
