package storagetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// newIdentityStore creates an identity store for a test's accounts.
func newIdentityStore(t *testing.T, s storage.Store) *storage.IdentityStore {
	t.Helper()
	is := &storage.IdentityStore{Name: unique("store"),
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}
	must(t, "CreateIdentityStore", s.CreateIdentityStore(t.Context(), is))
	return is
}

func newAccount(t *testing.T, s storage.Store, storeID string) *storage.Account {
	t.Helper()
	a := &storage.Account{StoreID: storeID, Status: storage.AccountEnabled, Email: unique("user") + "@example.com"}
	must(t, "CreateAccount", s.CreateAccount(t.Context(), a))
	return a
}

func testIdentityStores(t *testing.T, s storage.Store) {
	ctx := t.Context()
	want := &storage.IdentityStore{
		ID:              unique("is"),
		Name:            "Customers",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername, storage.IdentifierPhone},
		Attributes: []storage.AttributeDef{
			{Name: "given_name", Required: true, Visible: true, Editable: true},
			{Name: "tier", Visible: false},
		},
		CreatedAt: at(123456789 * time.Nanosecond),
	}
	must(t, "CreateIdentityStore", s.CreateIdentityStore(ctx, want))
	got, err := s.GetIdentityStore(ctx, want.ID)
	must(t, "GetIdentityStore", err)
	if got.Name != want.Name || !equalStrings(got.IdentifierTypes, want.IdentifierTypes) ||
		!reflect.DeepEqual(got.Attributes, want.Attributes) {
		t.Errorf("GetIdentityStore = %+v, want %+v", got, want)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)

	generated := &storage.IdentityStore{Name: "generated id"}
	must(t, "CreateIdentityStore without ID", s.CreateIdentityStore(ctx, generated))
	if generated.ID == "" || generated.CreatedAt.IsZero() {
		t.Errorf("CreateIdentityStore left ID %q, CreatedAt %v unset", generated.ID, generated.CreatedAt)
	}
	wantErr(t, "CreateIdentityStore duplicate id",
		s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: want.ID, Name: "again"}), storage.ErrConflict)
	_, err = s.GetIdentityStore(ctx, "missing")
	wantErr(t, "GetIdentityStore missing", err, storage.ErrNotFound)

	list, err := s.ListIdentityStores(ctx)
	must(t, "ListIdentityStores", err)
	if len(list) != 2 {
		t.Errorf("ListIdentityStores returned %d stores, want 2", len(list))
	}
}

func testAccounts(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	want := &storage.Account{
		ID: unique("acct"), StoreID: is.ID, Status: storage.AccountEnabled,
		Username: "Alice", Email: "Alice@Example.com", EmailConfirmed: true, EmailUnproven: true,
		Phone: "+15551234567", PhoneConfirmed: false, Language: "fr-CA",
		Attributes: map[string]string{"given_name": "Alice", "note": `quote " and ünïcode`},
		CreatedAt:  at(-time.Hour + 987654321), UpdatedAt: at(-time.Minute + 5),
	}
	must(t, "CreateAccount", s.CreateAccount(ctx, want))
	got, err := s.GetAccount(ctx, want.ID)
	must(t, "GetAccount", err)
	if got.StoreID != want.StoreID || got.Status != want.Status || got.Username != "Alice" ||
		got.Email != "Alice@Example.com" || !got.EmailConfirmed || !got.EmailUnproven || got.Phone != want.Phone ||
		got.PhoneConfirmed || got.Language != "fr-CA" || !equalMaps(got.Attributes, want.Attributes) ||
		got.LastLoginAt != nil {
		t.Errorf("GetAccount = %+v, want %+v", got, want)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	_, err = s.GetAccount(ctx, "missing")
	wantErr(t, "GetAccount missing", err, storage.ErrNotFound)

	must(t, "SetAccountStatus", s.SetAccountStatus(ctx, want.ID, storage.AccountDisabled))
	login := at(42 * time.Millisecond)
	must(t, "TouchLastLogin", s.TouchLastLogin(ctx, want.ID, login))
	got, err = s.GetAccount(ctx, want.ID)
	must(t, "GetAccount after updates", err)
	if got.Status != storage.AccountDisabled {
		t.Errorf("Status = %q after SetAccountStatus, want disabled", got.Status)
	}
	if got.LastLoginAt == nil {
		t.Fatalf("LastLoginAt = nil after TouchLastLogin")
	}
	sameTime(t, "LastLoginAt", *got.LastLoginAt, login)
	wantErr(t, "SetAccountStatus missing", s.SetAccountStatus(ctx, "missing", storage.AccountEnabled), storage.ErrNotFound)
	wantErr(t, "TouchLastLogin missing", s.TouchLastLogin(ctx, "missing", login), storage.ErrNotFound)

	generated := &storage.Account{StoreID: is.ID, Status: storage.AccountEnabled}
	must(t, "CreateAccount without ID or identifiers", s.CreateAccount(ctx, generated))
	if generated.ID == "" || generated.CreatedAt.IsZero() {
		t.Errorf("CreateAccount left ID %q, CreatedAt %v unset", generated.ID, generated.CreatedAt)
	}
	other := newIdentityStore(t, s)
	newAccount(t, s, other.ID)
	for _, c := range []struct {
		storeID string
		want    int64
	}{{is.ID, 2}, {other.ID, 1}, {"missing", 0}} {
		n, err := s.CountAccounts(ctx, c.storeID)
		if err != nil || n != c.want {
			t.Errorf("CountAccounts(%s) = %d, %v; want %d", c.storeID, n, err, c.want)
		}
	}
}

func testAccountIdentifiers(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	base := &storage.Account{StoreID: is.ID, Status: storage.AccountEnabled,
		Username: "Bob.Smith", Email: "Bob@Example.com", Phone: "+15550001111"}
	must(t, "CreateAccount", s.CreateAccount(ctx, base))

	conflicts := []struct {
		name    string
		account storage.Account
		want    error
	}{
		{"email differing only in case", storage.Account{StoreID: is.ID, Email: "bob@EXAMPLE.COM"}, storage.ErrConflict},
		{"username differing only in case", storage.Account{StoreID: is.ID, Username: "bob.smith"}, storage.ErrConflict},
		{"same phone", storage.Account{StoreID: is.ID, Phone: "+15550001111"}, storage.ErrConflict},
		{"same id", storage.Account{ID: base.ID, StoreID: is.ID}, storage.ErrConflict},
		{"same email in another store", storage.Account{StoreID: other.ID, Email: "bob@example.com",
			Username: "bob.smith", Phone: "+15550001111"}, nil},
		{"no identifiers, twice (1)", storage.Account{StoreID: is.ID}, nil},
		{"no identifiers, twice (2)", storage.Account{StoreID: is.ID}, nil},
	}
	for _, c := range conflicts {
		t.Run("create "+c.name, func(t *testing.T) {
			a := c.account
			a.Status = storage.AccountEnabled
			err := s.CreateAccount(ctx, &a)
			if c.want == nil {
				must(t, "CreateAccount", err)
				return
			}
			wantErr(t, "CreateAccount", err, c.want)
		})
	}
	checkLookups(t, s, is.ID, base.ID)
}

// checkLookups finds the account created as Bob.Smith / Bob@Example.com /
// +15550001111 in storeID by each identifier, in any case.
func checkLookups(t *testing.T, s storage.Store, storeID, wantID string) {
	ctx := t.Context()
	lookups := []struct {
		name    string
		storeID string
		kind    storage.IdentifierType
		value   string
		found   bool
	}{
		{"email as stored", storeID, storage.IdentifierEmail, "Bob@Example.com", true},
		{"email lower case", storeID, storage.IdentifierEmail, "bob@example.com", true},
		{"email upper case", storeID, storage.IdentifierEmail, "BOB@EXAMPLE.COM", true},
		{"username other case", storeID, storage.IdentifierUsername, "BOB.SMITH", true},
		{"phone", storeID, storage.IdentifierPhone, "+15550001111", true},
		{"email in wrong store", "other-store", storage.IdentifierEmail, "bob@example.com", false},
		{"unknown email", storeID, storage.IdentifierEmail, "nobody@example.com", false},
		{"email given as username", storeID, storage.IdentifierUsername, "bob@example.com", false},
		{"empty email", storeID, storage.IdentifierEmail, "", false},
		{"empty username", storeID, storage.IdentifierUsername, "", false},
		{"empty phone", storeID, storage.IdentifierPhone, "", false},
	}
	for _, c := range lookups {
		t.Run("find "+c.name, func(t *testing.T) {
			got, err := s.FindAccountByIdentifier(ctx, c.storeID, c.kind, c.value)
			if !c.found {
				wantErr(t, "FindAccountByIdentifier", err, storage.ErrNotFound)
				return
			}
			must(t, "FindAccountByIdentifier", err)
			if got.ID != wantID || got.Email != "Bob@Example.com" {
				t.Errorf("FindAccountByIdentifier = %+v, want account %s as stored", got, wantID)
			}
		})
	}
}

func testPasswords(t *testing.T, s storage.Store) {
	ctx := t.Context()
	a := newAccount(t, s, newIdentityStore(t, s).ID)
	_, err := s.GetPassword(ctx, a.ID)
	wantErr(t, "GetPassword before SetPassword", err, storage.ErrNotFound)
	// FindAccountPassword: the account (by its address, in any case)
	// without a password, then with each.
	want, err := s.GetAccount(ctx, a.ID)
	must(t, "GetAccount", err)
	found, cred, err := s.FindAccountPassword(ctx, a.StoreID, storage.IdentifierEmail, strings.ToUpper(a.Email))
	must(t, "FindAccountPassword", err)
	if !reflect.DeepEqual(found, want) || cred != nil {
		t.Errorf("FindAccountPassword before SetPassword = %+v, %+v; want %+v and no password", found, cred, want)
	}
	for _, hash := range []string{"$argon2id$v=19$m=65536,t=3,p=4$first", "$argon2id$v=19$m=65536,t=3,p=4$second"} {
		before := time.Now()
		must(t, "SetPassword", s.SetPassword(ctx, a.ID, hash))
		got, err := s.GetPassword(ctx, a.ID)
		must(t, "GetPassword", err)
		if got.AccountID != a.ID || got.Hash != hash {
			t.Errorf("GetPassword = %+v, want hash %q", got, hash)
		}
		if got.UpdatedAt.Before(before.Add(-time.Second)) {
			t.Errorf("UpdatedAt = %v, want about %v", got.UpdatedAt, before)
		}
		found, cred, err := s.FindAccountPassword(ctx, a.StoreID, storage.IdentifierEmail, a.Email)
		must(t, "FindAccountPassword", err)
		if found.ID != a.ID || cred == nil || cred.AccountID != a.ID || cred.Hash != hash || !cred.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("FindAccountPassword = %+v, %+v; want the account and %+v", found, cred, got)
		}
	}
	for _, c := range []struct {
		storeID string
		kind    storage.IdentifierType
		value   string
	}{{a.StoreID, storage.IdentifierEmail, "nobody@example.com"}, {"other-store", storage.IdentifierEmail, a.Email},
		{a.StoreID, storage.IdentifierUsername, ""}, {a.StoreID, "fax", a.Email}} {
		_, _, err := s.FindAccountPassword(ctx, c.storeID, c.kind, c.value)
		wantErr(t, fmt.Sprintf("FindAccountPassword(%s, %s %q)", c.storeID, c.kind, c.value), err, storage.ErrNotFound)
	}
	if err := s.SetPassword(ctx, "missing", "hash"); err == nil {
		t.Errorf("SetPassword for a missing account succeeded")
	}
}
