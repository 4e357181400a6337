package admin

import (
	"context"
	"net/http"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// A client moved to another store's application is audited in both
// stores: the old store's auditors see it leave, the new one's arrive;
// an update within one store writes one entry.
func TestClientMoveIsAuditedInBothStores(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		e := newAPIEnv(t, newStore(t))
		id := e.do("admin", http.MethodPost, "/clients", map[string]any{"client_name": "Shop", "application_id": appA}).
			expect(t, "create", http.StatusCreated).str("client_id")
		before := e.auditCount()
		e.do("admin", http.MethodPut, "/clients/"+id, map[string]any{"client_name": "Shop", "application_id": appA}, "If-Match", `"1"`).
			expect(t, "update in place", http.StatusOK)
		if e.auditCount() != before+1 {
			t.Fatalf("an update in place wrote %d entries", e.auditCount()-before)
		}
		e.do("admin", http.MethodPut, "/clients/"+id, map[string]any{"client_name": "Shop", "application_id": appB}, "If-Match", `"2"`).
			expect(t, "move", http.StatusOK)
		for storeID, action := range map[string]string{storeA: "client.moved_out", storeB: "client.updated"} {
			entries, err := e.store.ListAuditEntries(ctx, storage.AuditFilter{StoreID: storeID, TargetID: id, Limit: 1})
			if err != nil || len(entries) != 1 || entries[0].Action != action || entries[0].Role != storage.RoleAdmin {
				t.Fatalf("newest entry of %s: %+v (%v); want %s", storeID, entries, err, action)
			}
		}
		if _, err := manage.VerifyAudit(ctx, e.store, nil); err != nil {
			t.Fatal(err)
		}
	})
}
