package admin

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// consoleClientEnv is the API environment with the console's application
// and client, as bootstrap makes them.
func consoleClientEnv(t *testing.T, st storage.Store) *apiEnv {
	t.Helper()
	ctx := context.Background()
	e := newAPIEnv(t, st)
	e.must(st.CreateApplication(ctx, &storage.Application{ID: manage.ConsoleApplicationID, StoreID: storage.AdministratorsStoreID, Name: "Admin console"}))
	e.must(st.CreateClient(ctx, &storage.Client{ID: manage.ConsoleClientID, ApplicationID: manage.ConsoleApplicationID,
		Name: "Admin console", Public: true, FirstParty: true, RedirectURIs: []string{"https://id.example/admin/callback"}}))
	return e
}

// Only owners see or change the administrators store's clients: an admin
// of every store can neither read, repoint nor delete the console's
// client, nor create a client in the console's application or move one
// there (each a way to phish an owner's console token).
func TestClientsOfAdministratorsStoreAreOwners(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		e := consoleClientEnv(t, newStore(t))
		path := "/clients/" + manage.ConsoleClientID
		for _, who := range []string{"admin", "auditor", "support", "admin-b", "robot"} {
			e.do(who, http.MethodGet, path, nil).expect(t, who+" reads the console client", http.StatusNotFound)
		}
		evil := map[string]any{"client_name": "Admin console", "application_id": manage.ConsoleApplicationID,
			"redirect_uris": []string{"https://evil.example/cb"}}
		e.do("admin", http.MethodPut, path, evil, "If-Match", `"1"`).expect(t, "admin repoints the console client", http.StatusNotFound)
		e.do("admin", http.MethodDelete, path, nil, "If-Match", `"1"`).expect(t, "admin deletes the console client", http.StatusNotFound)
		e.do("admin", http.MethodPost, path+"/secret", nil).expect(t, "admin rotates the console client", http.StatusNotFound)
		e.do("admin", http.MethodPost, "/clients", map[string]any{"client_name": "Evil", "application_id": manage.ConsoleApplicationID}).
			expect(t, "admin creates a client in the console application", http.StatusForbidden)
		e.do("robot", http.MethodPost, "/clients", map[string]any{"client_name": "Evil", "application_id": manage.ConsoleApplicationID}).
			expect(t, "an admin client creates a client in the console application", http.StatusForbidden)

		mine := e.do("admin", http.MethodPost, "/clients", map[string]any{"client_name": "Mine", "application_id": appA}).
			expect(t, "admin creates a client of store A", http.StatusCreated)
		e.do("admin", http.MethodPut, "/clients/"+mine.str("client_id"), map[string]any{"client_name": "Mine",
			"application_id": manage.ConsoleApplicationID, "redirect_uris": []string{"https://evil.example/cb"}}, "If-Match", `"1"`).
			expect(t, "admin moves a client into the console application", http.StatusForbidden)

		list := e.do("admin", http.MethodGet, "/clients?limit=200", nil).expect(t, "admin lists clients", http.StatusOK)
		if strings.Contains(string(list.raw), manage.ConsoleClientID) {
			t.Fatalf("admin's list shows the console client: %s", list.raw)
		}
		c, err := e.store.GetClient(ctx, manage.ConsoleClientID)
		if err != nil || c.Version != 1 || !slices.Equal(c.RedirectURIs, []string{"https://id.example/admin/callback"}) {
			t.Fatalf("console client now %+v (%v)", c, err)
		}

		// An owner may: see it, create a client there, move one there.
		e.do("owner", http.MethodGet, path, nil).expect(t, "owner reads the console client", http.StatusOK)
		e.do("owner", http.MethodPost, "/clients", map[string]any{"client_name": "Tool", "application_id": manage.ConsoleApplicationID}).
			expect(t, "owner creates a client in the console application", http.StatusCreated)
		e.do("owner", http.MethodPut, "/clients/"+mine.str("client_id"), map[string]any{"client_name": "Mine",
			"application_id": manage.ConsoleApplicationID}, "If-Match", `"1"`).expect(t, "owner moves a client there", http.StatusOK)
		e.do("admin", http.MethodGet, "/clients/"+mine.str("client_id"), nil).expect(t, "admin reads the moved client", http.StatusNotFound)
	})
}

// The console's client cannot be changed, rotated or deleted through the
// service by anyone, owners and the CLI's system actor included.
func TestConsoleClientIsImmutable(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := context.Background()
		e := consoleClientEnv(t, newStore(t))
		path := "/clients/" + manage.ConsoleClientID
		before := e.auditCount()
		body := map[string]any{"client_name": "Admin console", "application_id": manage.ConsoleApplicationID,
			"redirect_uris": []string{"https://id.example/admin/callback", "https://evil.example/cb"}}
		for what, r := range map[string]response{
			"update": e.do("owner", http.MethodPut, path, body, "If-Match", `"1"`),
			"move":   e.do("owner", http.MethodPut, path, map[string]any{"client_name": "Admin console", "application_id": appA}, "If-Match", `"1"`),
			"rotate": e.do("owner", http.MethodPost, path+"/secret", nil),
			"delete": e.do("owner", http.MethodDelete, path, nil, "If-Match", `"1"`),
		} {
			r.expect(t, "owner's "+what+" of the console client", http.StatusConflict)
			if !strings.Contains(r.str("detail"), "managed by Foyer") {
				t.Fatalf("%s: detail %q", what, r.str("detail"))
			}
		}
		svc := manage.NewClients(manage.NewCore(e.store, nil), e.store, testRegistry{})
		if _, err := svc.Update(ctx, manage.System(), manage.ConsoleClientID, 0, manage.ClientInput{ClientName: "x"}); !errorsIsConflict(err) {
			t.Fatalf("system update: %v", err)
		}
		if err := svc.Delete(ctx, manage.System(), manage.ConsoleClientID, 0); !errorsIsConflict(err) {
			t.Fatalf("system delete: %v", err)
		}
		c, err := e.store.GetClient(ctx, manage.ConsoleClientID)
		if err != nil || c.Version != 1 || len(c.RedirectURIs) != 1 || c.ApplicationID != manage.ConsoleApplicationID {
			t.Fatalf("console client now %+v (%v)", c, err)
		}
		if e.auditCount() != before {
			t.Fatal("refused changes wrote audit entries")
		}
	})
}

func errorsIsConflict(err error) bool {
	var ce *manage.ConflictError
	return errors.As(err, &ce)
}
