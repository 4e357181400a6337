package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// A client holding admin grants is as powerful as its roles: whoever
// rotates its secret, repoints it or deletes it acts with them (or takes
// them away). Only an unlimited owner may; an admin of its store and an
// admin of every store are refused, and nothing changes.
func TestClientWithAdminGrantsIsOwners(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		st := newStore(t)
		e := newAPIEnv(t, st)
		e.must(st.CreateClient(ctx, &storage.Client{ID: "ci-b", ApplicationID: appB, Name: "CI of B", SecretHash: []byte{1}}))
		e.must(st.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: "ci-b",
			Role: storage.RoleSupport, StoreIDs: []string{storeB}}))
		path := "/clients/ci-b"
		before := e.auditCount()
		for _, who := range []string{"admin-b", "admin", "robot"} {
			e.do(who, http.MethodGet, path, nil).expect(t, who+" reads ci-b", http.StatusOK)
			rot := e.do(who, http.MethodPost, path+"/secret", nil).expect(t, who+" rotates ci-b", http.StatusForbidden)
			if rot.str("client_secret") != "" {
				t.Fatalf("%s got a secret: %s", who, rot.raw)
			}
			e.do(who, http.MethodPut, path, map[string]any{"client_name": "CI of B", "application_id": appB,
				"redirect_uris": []string{"https://evil.example/cb"}}, "If-Match", `"1"`).expect(t, who+" updates ci-b", http.StatusForbidden)
			e.do(who, http.MethodDelete, path, nil, "If-Match", `"1"`).expect(t, who+" deletes ci-b", http.StatusForbidden)
		}
		if c, err := st.GetClient(ctx, "ci-b"); err != nil || c.Version != 1 || string(c.SecretHash) != "\x01" {
			t.Fatalf("ci-b now %+v (%v)", c, err)
		}
		if e.auditCount() != before {
			t.Fatal("refused changes wrote audit entries")
		}

		e.do("owner", http.MethodPost, path+"/secret", nil).expect(t, "owner rotates ci-b", http.StatusOK)
		e.do("owner", http.MethodPut, path, map[string]any{"client_name": "CI", "application_id": appB}, "If-Match", `"2"`).
			expect(t, "owner updates ci-b", http.StatusOK)
		e.do("owner", http.MethodDelete, path, nil, "If-Match", `"3"`).expect(t, "owner deletes ci-b", http.StatusNoContent)

		// A client without grants stays the store admin's to change.
		mine := e.do("admin-b", http.MethodPost, "/clients", map[string]any{"client_name": "Plain", "application_id": appB}).
			expect(t, "admin-b creates a client", http.StatusCreated)
		e.do("admin-b", http.MethodPost, "/clients/"+mine.str("client_id")+"/secret", nil).expect(t, "admin-b rotates its client", http.StatusOK)
	})
}

// Deleting a client deletes its admin grants in the same transaction, and
// its audit entry shows them: a client registered later under the same id
// acts with no role.
func TestDeletingAClientDeletesItsGrants(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		st := newStore(t)
		e := newAPIEnv(t, st)
		e.must(st.CreateClient(ctx, &storage.Client{ID: "ci", ApplicationID: appA, Name: "CI", SecretHash: []byte{1}}))
		e.must(st.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: "ci", Role: storage.RoleAuditor}))
		e.do("owner", http.MethodDelete, "/clients/ci", nil, "If-Match", `"7"`).expect(t, "stale delete", http.StatusPreconditionFailed)
		if g, err := st.ListAdminGrants(ctx, storage.PrincipalClient, "ci"); err != nil || len(g) != 1 {
			t.Fatalf("a refused delete took the grants: %+v (%v)", g, err)
		}
		e.do("owner", http.MethodDelete, "/clients/ci", nil, "If-Match", `"1"`).expect(t, "delete", http.StatusNoContent)
		if g, err := st.ListAdminGrants(ctx, storage.PrincipalClient, "ci"); err != nil || len(g) != 0 {
			t.Fatalf("grants left after the delete: %+v (%v)", g, err)
		}
		entry := e.lastAudit()
		if entry.Action != "client.deleted" || !strings.Contains(entry.Before, `"admin_grants":[{"role":"auditor"`) {
			t.Fatalf("audit entry %+v", entry)
		}
		e.must(st.CreateClient(ctx, &storage.Client{ID: "ci", ApplicationID: appA, Name: "CI again", SecretHash: []byte{2}}))
		if _, err := manage.NewCore(st, nil).Client(ctx, "ci", "", "", ""); !errors.Is(err, manage.ErrForbidden) {
			t.Fatalf("the new client with the old id acts with a role: %v", err)
		}
	})
}
