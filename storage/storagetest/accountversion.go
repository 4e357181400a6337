package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

// testAccountVersion: every write of an account's row but the sign-in
// time moves its version on, and a versioned profile update refuses a
// stale version without changing anything.
func testAccountVersion(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	a := &storage.Account{StoreID: is.ID, Status: storage.AccountPending, Email: unique("v") + "@example.com"}
	must(t, "CreateAccount", s.CreateAccount(ctx, a))
	version := func() int64 {
		t.Helper()
		got, err := s.GetAccount(ctx, a.ID)
		must(t, "GetAccount", err)
		return got.Version
	}
	if a.Version != 1 || version() != 1 {
		t.Fatalf("new account version = %d, stored %d; want 1", a.Version, version())
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"ActivateAccount", func() error { return s.ActivateAccount(ctx, a.ID) }},
		{"SetAccountStatus", func() error { return s.SetAccountStatus(ctx, a.ID, storage.AccountDisabled) }},
		{"UpdateAccountProfile", func() error { return s.UpdateAccountProfile(ctx, a) }},
		{"ConfirmContact", func() error { return s.ConfirmContact(ctx, a.ID, storage.IdentifierPhone, "+4915112345678") }},
	}
	want := int64(1)
	for _, st := range steps {
		must(t, st.name, st.do())
		want++
		if got := version(); got != want {
			t.Errorf("after %s: version %d, want %d", st.name, got, want)
		}
	}
	must(t, "TouchLastLogin", s.TouchLastLogin(ctx, a.ID, time.Now()))
	if got := version(); got != want {
		t.Errorf("after TouchLastLogin: version %d, want %d (a sign-in is no edit)", got, want)
	}

	edit := *a
	edit.Attributes = map[string]string{"nickname": "stale"}
	wantErr(t, "UpdateAccountProfileAt stale", s.UpdateAccountProfileAt(ctx, &edit, want-1), storage.ErrStale)
	got, err := s.GetAccount(ctx, a.ID)
	must(t, "GetAccount", err)
	if got.Attributes["nickname"] != "" || got.Version != want {
		t.Errorf("a stale update changed the account: %+v", got)
	}
	edit.Attributes = map[string]string{"nickname": "fresh"}
	must(t, "UpdateAccountProfileAt", s.UpdateAccountProfileAt(ctx, &edit, want))
	got, err = s.GetAccount(ctx, a.ID)
	must(t, "GetAccount", err)
	if got.Attributes["nickname"] != "fresh" || got.Version != want+1 || edit.Version != want+1 {
		t.Errorf("after UpdateAccountProfileAt: %v version %d (returned %d), want fresh at %d", got.Attributes, got.Version, edit.Version, want+1)
	}
	ghost := edit
	ghost.ID = "no-such-account"
	wantErr(t, "UpdateAccountProfileAt unknown", s.UpdateAccountProfileAt(ctx, &ghost, 1), storage.ErrNotFound)
}
