package manage_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestLoadAccount: an account is reached only through its own store, by
// an actor with the permission on that store; the administrators' store
// is never reachable through account management.
func TestLoadAccount(t *testing.T) {
	t.Parallel()
	s := sqltest.SQLite(t)
	ctx := context.Background()
	for _, id := range []string{storage.AdministratorsStoreID, "eu", "us"} {
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id, IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
	}
	customer := &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "c@example.com"}
	owner := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: "o@example.com"}
	for _, a := range []*storage.Account{customer, owner} {
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	support := actorWith(storage.AdminGrant{Role: storage.RoleSupport, StoreIDs: []string{"eu"}})
	auditor := actorWith(storage.AdminGrant{Role: storage.RoleAuditor})
	admin := actorWith(storage.AdminGrant{Role: storage.RoleAdmin})
	usSupport := actorWith(storage.AdminGrant{Role: storage.RoleSupport, StoreIDs: []string{"us"}})
	cases := []struct {
		name    string
		a       manage.Actor
		p       manage.Permission
		store   string
		id      string
		wantErr error
	}{
		{"support writes", support, manage.WriteAccounts, "eu", customer.ID, nil},
		{"admin writes", admin, manage.WriteAccounts, "eu", customer.ID, nil},
		{"auditor reads", auditor, manage.ReadAccounts, "eu", customer.ID, nil},
		{"auditor may not write", auditor, manage.WriteAccounts, "eu", customer.ID, manage.ErrForbidden},
		{"other store's support", usSupport, manage.ReadAccounts, "eu", customer.ID, manage.ErrForbidden},
		{"named through another store", usSupport, manage.ReadAccounts, "us", customer.ID, manage.ErrNotFound},
		{"unknown account", support, manage.ReadAccounts, "eu", "nobody", manage.ErrNotFound},
		{"administrators store", manage.System(), manage.WriteAccounts, storage.AdministratorsStoreID, owner.ID, manage.ErrNotFound},
	}
	for _, c := range cases {
		acct, err := manage.LoadAccount(ctx, s, c.a, c.p, c.store, c.id)
		if !errors.Is(err, c.wantErr) || (err == nil && acct.ID != c.id) {
			t.Errorf("%s: account %v, err %v; want err %v", c.name, acct, err, c.wantErr)
		}
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		acct     storage.Account
		external bool
		want     []manage.Label
	}{
		{storage.Account{Status: storage.AccountEnabled, Email: "a@x", EmailConfirmed: true}, false,
			[]manage.Label{manage.LabelEnabled, manage.LabelEmailVerified}},
		// registered without an activation step: verified, per the seed
		{storage.Account{Status: storage.AccountEnabled, Email: "a@x", EmailConfirmed: true, EmailUnproven: true}, false,
			[]manage.Label{manage.LabelEnabled, manage.LabelEmailVerified}},
		{storage.Account{Status: storage.AccountPending, Email: "a@x"}, false,
			[]manage.Label{manage.LabelPending, manage.LabelEmailUnverified}},
		{storage.Account{Status: storage.AccountDisabled, Phone: "+4915112345678"}, true,
			[]manage.Label{manage.LabelDisabled, manage.LabelExternal}},
	}
	for _, c := range cases {
		if got := manage.Labels(&c.acct, c.external); !slices.Equal(got, c.want) {
			t.Errorf("Labels(%+v, %v) = %v, want %v", c.acct, c.external, got, c.want)
		}
	}
}
