package main

import (
	"net/http"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// The running server answers the store endpoints for a real
// client-credentials token of an admin client: a store with a schema, its
// ETag and a rename under If-Match, a group in it, and no administrators
// store in the admin's list.
func TestAdminAPIStoresThroughTheServer(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		api, _ := newAdminAPI(t, srv)
		created := api.do(http.MethodPost, "/stores", map[string]any{"id": "eu", "name": "EU customers",
			"identifier_types": []string{"email"},
			"attributes":       []map[string]any{{"name": "tier", "type": "enum", "options": []string{"gold"}, "visible": true}},
		}).expect(t, "create store", http.StatusCreated, "")
		if created.etag() != `"1"` || created.header.Get("Location") == "" {
			t.Fatalf("create: ETag %q, Location %q", created.etag(), created.header.Get("Location"))
		}
		api.do(http.MethodPost, "/stores", map[string]any{"name": "", "identifier_types": []string{"fax"}}).
			expect(t, "invalid store", http.StatusUnprocessableEntity, "identifier_types[0]")
		renamed := map[string]any{"name": "Europe", "identifier_types": []string{"email"}, "attributes": created.body["attributes"]}
		api.do(http.MethodPut, "/stores/eu", renamed).expect(t, "rename without If-Match", http.StatusPreconditionRequired, "")
		api.do(http.MethodPut, "/stores/eu", renamed, "If-Match", `"1"`).expect(t, "rename", http.StatusOK, "")
		api.do(http.MethodPut, "/stores/eu", renamed, "If-Match", `"1"`).expect(t, "stale rename", http.StatusPreconditionFailed, "")
		api.do(http.MethodPost, "/stores/eu/groups", map[string]any{"name": "gold"}).expect(t, "group", http.StatusCreated, "")
		list := api.do(http.MethodGet, "/stores", nil).expect(t, "list", http.StatusOK, "")
		items, _ := list.body["items"].([]any)
		for _, it := range items {
			if m, _ := it.(map[string]any); m["id"] == storage.AdministratorsStoreID {
				t.Errorf("an admin's list shows the administrators store")
			}
		}
		if len(items) < 2 {
			t.Errorf("list = %s; want the default store and eu", list.raw)
		}
	})
}
