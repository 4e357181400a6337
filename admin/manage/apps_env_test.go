package manage_test

import (
	"errors"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// appsEnv is the applications' and policies' services over a fresh store
// with the identity stores "eu" (e-mail), "us" (e-mail) and "names"
// (usernames only, so no activation), and actors of each kind.
type appsEnv struct {
	s        storage.Store
	apps     *manage.Applications
	policies *manage.Policies
}

func newAppsEnv(t *testing.T, s storage.Store) *appsEnv {
	t.Helper()
	for _, st := range []storage.IdentityStore{
		{ID: "eu", Name: "EU", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
		{ID: "us", Name: "US", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}},
		{ID: "names", Name: "Names", IdentifierTypes: []storage.IdentifierType{storage.IdentifierUsername}},
	} {
		if err := s.CreateIdentityStore(t.Context(), &st); err != nil {
			t.Fatal(err)
		}
	}
	core := manage.NewCore(s, nil)
	return &appsEnv{s: s, apps: manage.NewApplications(core, s), policies: manage.NewPolicies(core, s)}
}

func (e *appsEnv) now() time.Time { return time.Now().UTC() }

// lastAudit is the newest audit entry.
func (e *appsEnv) lastAudit(t *testing.T) storage.AuditEntry {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListAuditEntries = %v, %v", got, err)
	}
	return got[0]
}

func (e *appsEnv) auditCount(t *testing.T) int {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

// admin is an administrator with the role, limited to the stores (none:
// every store).
func appAdmin(role storage.AdminRole, stores ...string) manage.Actor {
	return manage.Actor{Kind: storage.PrincipalAdministrator, ID: "adm-" + string(role), Name: string(role) + "@example.com",
		Grants: []storage.AdminGrant{{PrincipalKind: storage.PrincipalAdministrator, Role: role, StoreIDs: stores}}}
}

func bothApps(t *testing.T, fn func(t *testing.T, e *appsEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newAppsEnv(t, newStore(t)))
	})
}

// fields returns a validation error's fields, failing the test for any
// other error.
func appFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *manage.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *ValidationError", err)
	}
	return ve.Fields
}

func appWantIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want %v", what, err, target)
	}
}

func appCreate(t *testing.T, e *appsEnv, store, name string) manage.ApplicationView {
	t.Helper()
	v, err := e.apps.Create(t.Context(), manage.System(), manage.ApplicationInput{StoreID: store, Name: name})
	if err != nil {
		t.Fatalf("Create %s: %v", name, err)
	}
	return v
}
