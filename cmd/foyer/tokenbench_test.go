package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/authz"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// BenchmarkClientCredentials serves client-credentials token requests
// through the whole handler chain, one at a time, to count the allocations
// and CPU of one token (go test ./cmd/foyer -run '^$' -bench ClientCredentials
// -benchmem). foyer-bench measures the rate over the network.
func BenchmarkClientCredentials(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"sqlite", sqltest.SQLite}, {"postgres", sqltest.Postgres}} {
		b.Run(backend.name, func(b *testing.B) {
			srv := startServer(b, backend.open(b))
			id, secret := srv.client(b, authz.ClientSpec{Name: "Bench", GrantTypes: []string{"client_credentials"}})
			handler := srv.Config.Handler
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, srv.issuer+authz.TokenPath, strings.NewReader("grant_type=client_credentials"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(id, secret)
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("token: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
