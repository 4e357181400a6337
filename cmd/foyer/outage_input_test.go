package main

import (
	"net/http"
	"net/url"
	"testing"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestUnstorableInputIsNoOutage: an identifier PostgreSQL cannot hold (a
// NUL byte, invalid UTF-8) matches no row, as on SQLite. It is an
// unknown client (401 invalid_client), not a storage failure: anyone
// could otherwise make the token endpoint answer 503 and log "storage
// failure" at will, and a relying party would be told to retry.
func TestUnstorableInputIsNoOutage(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.Postgres(t))
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	for _, id := range []string{"shop\x00", "shop\xff"} {
		status, body := postForm(t, srv.issuer+authz.TokenPath, form, id, "secret")
		if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Errorf("client id %q: %d %v; want 401 invalid_client", id, status, body)
		}
	}
}
