package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// A conflict storage reports (a unique constraint) is answered 409 with a
// generic detail: the driver's message, naming tables and columns, does
// not reach the caller.
func TestConflictProblemHidesDriverText(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		st := newStore(t)
		e := newAPIEnv(t, st)
		e.must(st.CreateAccount(ctx, &storage.Account{StoreID: storeA, Status: storage.AccountEnabled, Email: "dup@example.com"}))
		dupAccount := st.CreateAccount(ctx, &storage.Account{StoreID: storeA, Status: storage.AccountEnabled, Email: "dup@example.com"})
		dupGrant := st.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: "robot", Role: storage.RoleAdmin})
		for name, err := range map[string]error{"account": dupAccount, "grant": dupGrant} {
			if err == nil {
				t.Fatalf("%s: no conflict", name)
			}
			w := httptest.NewRecorder()
			if err := writeServiceError(w, httptest.NewRequest(http.MethodPost, "/admin/api/v1/administrators", nil), err); err != nil {
				t.Fatalf("%s: not answered: %v", name, err)
			}
			p := decodeProblem(t, w)
			if w.Code != http.StatusConflict || !strings.HasPrefix(p.Detail, "The change conflicts") {
				t.Fatalf("%s: %d %s", name, w.Code, w.Body)
			}
			for _, leak := range []string{"sqlstore", "constraint", "duplicate", "UNIQUE", "admin_grants", "accounts"} {
				if strings.Contains(w.Body.String(), leak) {
					t.Fatalf("%s: the answer shows %q: %s", name, leak, w.Body)
				}
			}
		}
		// The service's own conflicts keep their message.
		inv := e.do("owner", http.MethodPost, "/administrators", map[string]any{"email": "owner@admins.example",
			"grants": []map[string]any{{"role": "auditor"}}}).expect(t, "invite an existing administrator", http.StatusConflict)
		if inv.str("detail") != "an administrator with this e-mail address exists" {
			t.Fatalf("invite detail %q", inv.str("detail"))
		}
		r := e.do("owner", http.MethodDelete, "/administrators/"+e.ids["owner"], nil, "If-Match", `"1"`)
		if r.status != http.StatusConflict || !strings.Contains(r.str("detail"), "themself") {
			t.Fatalf("owner removes themself: %d %s", r.status, r.raw)
		}
	})
}
