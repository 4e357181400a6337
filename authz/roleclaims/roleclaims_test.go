package roleclaims_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/ory/fosite"

	"foyer/authz/roleclaims"
	"foyer/storage"
)

type fakeStore struct {
	pairs []storage.AccountRole
	err   error
	calls int
}

func (f *fakeStore) ListAccountRoles(_ context.Context, _ string) ([]storage.AccountRole, error) {
	f.calls++
	return f.pairs, f.err
}

func TestClaims(t *testing.T) {
	store := &fakeStore{pairs: []storage.AccountRole{
		{OrganizationID: "o1", OrganizationName: "Acme", RoleID: "r1", RoleName: "admin"},
		{OrganizationID: "o1", OrganizationName: "Acme", RoleID: "r2", RoleName: "viewer"},
		{OrganizationID: "o2", OrganizationName: "Globex", RoleID: "r2", RoleName: "viewer"},
	}}
	src := roleclaims.New(store)
	acct := &storage.Account{ID: "a1"}
	got, err := src.Claims(t.Context(), acct, "shop", fosite.Arguments{"openid", "roles"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"roles": map[string]roleclaims.Organization{
		"o1": {Name: "Acme", Roles: []string{"admin", "viewer"}},
		"o2": {Name: "Globex", Roles: []string{"viewer"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Claims = %#v, want %#v", got, want)
	}

	store.calls = 0
	if got, err := src.Claims(t.Context(), acct, "shop", fosite.Arguments{"openid", "profile"}); got != nil || err != nil || store.calls != 0 {
		t.Errorf("without the scope: %v, %v after %d reads; want nothing, unread", got, err, store.calls)
	}
	store.pairs = nil
	if got, err := src.Claims(t.Context(), acct, "shop", fosite.Arguments{"roles"}); got != nil || err != nil {
		t.Errorf("no roles: %v, %v; want no claim", got, err)
	}
	store.err = errors.New("database down")
	if _, err := src.Claims(t.Context(), acct, "shop", fosite.Arguments{"roles"}); !errors.Is(err, store.err) {
		t.Errorf("a failed read = %v, want it passed on", err)
	}
}
