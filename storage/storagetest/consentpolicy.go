package storagetest

import (
	"reflect"
	"testing"
	"time"

	"foyer/storage"
)

func testConsentPolicy(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := &storage.IdentityStore{Name: unique("consent")}
	must(t, "CreateIdentityStore", s.CreateIdentityStore(ctx, is))
	app := &storage.Application{StoreID: is.ID, Name: "Consent app"}
	must(t, "CreateApplication", s.CreateApplication(ctx, app))
	read := func() []storage.ConsentDocument {
		t.Helper()
		got, err := s.GetApplication(ctx, app.ID)
		must(t, "GetApplication", err)
		return got.Consents
	}
	if got := read(); got != nil || !reflect.DeepEqual(storage.ConsentPolicyOf(&storage.Application{}), storage.DefaultConsentPolicy()) {
		t.Errorf("an application without a policy reads %+v, want nil (the default)", got)
	}
	docs := []storage.ConsentDocument{{Name: "terms_of_service", Version: "2", Title: "Terms", URL: "https://shop.example/terms", Required: true}}
	must(t, "SetConsentPolicy", s.SetConsentPolicy(ctx, app.ID, docs))
	if got := read(); !reflect.DeepEqual(got, docs) {
		t.Errorf("consent policy reads %+v, want %+v", got, docs)
	}
	must(t, "SetConsentPolicy empty", s.SetConsentPolicy(ctx, app.ID, []storage.ConsentDocument{}))
	if got := read(); got == nil || len(got) != 0 {
		t.Errorf("an empty policy reads %+v, want an empty list (not the default)", got)
	}
	must(t, "SetConsentPolicy nil", s.SetConsentPolicy(ctx, app.ID, nil))
	if got := read(); got != nil {
		t.Errorf("a reset policy reads %+v, want nil", got)
	}
	wantErr(t, "unknown application", s.SetConsentPolicy(ctx, "nope", docs), storage.ErrNotFound)
}

// testOutdateConsents: publishing version 2 ends the active version-1
// records of the store's accounts at that time, and only those: not the
// current version, not a withdrawn record, not another document, not
// another store's accounts. A renewed acceptance clears it, and a later
// withdrawal leaves an outdated record's end time alone.
func testOutdateConsents(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	a, b, c, outsider := newAccount(t, s, is.ID), newAccount(t, s, is.ID), newAccount(t, s, is.ID), newAccount(t, s, other.ID)
	granted, published := at(-time.Hour), at(-time.Minute)
	record := func(acct *storage.Account, consent, version string, revoked *time.Time) {
		t.Helper()
		must(t, "RecordConsent", s.RecordConsent(ctx, &storage.ConsentRecord{AccountID: acct.ID, Consent: consent,
			Version: version, GrantedAt: granted, RevokedAt: revoked}))
	}
	withdrawn := granted.Add(time.Minute)
	record(a, "terms_of_service", "1", nil)
	record(a, "privacy_policy", "1", nil)
	record(b, "terms_of_service", "1", &withdrawn)
	record(c, "terms_of_service", "2", nil)
	record(outsider, "terms_of_service", "1", nil)

	n, err := s.OutdateConsents(ctx, is.ID, "terms_of_service", []string{"2"}, published)
	must(t, "OutdateConsents", err)
	if n != 1 {
		t.Errorf("OutdateConsents = %d, want 1 (a's version 1 only)", n)
	}
	n, err = s.OutdateConsents(ctx, is.ID, "terms_of_service", []string{"2"}, published.Add(time.Second))
	must(t, "OutdateConsents again", err)
	if n != 0 {
		t.Errorf("OutdateConsents again = %d, want 0 (the end time stays)", n)
	}
	byKey := func(acct *storage.Account) map[string]storage.ConsentRecord {
		t.Helper()
		list, err := s.ListConsents(ctx, acct.ID)
		must(t, "ListConsents", err)
		out := map[string]storage.ConsentRecord{}
		for _, r := range list {
			out[r.Consent+"@"+r.Version] = r
		}
		return out
	}
	ra := byKey(a)
	if r := ra["terms_of_service@1"]; r.OutdatedAt == nil || r.RevokedAt != nil || r.Active() {
		t.Fatalf("a's outdated record = %+v", r)
	}
	sameTime(t, "outdated at", *ra["terms_of_service@1"].OutdatedAt, published)
	for what, r := range map[string]storage.ConsentRecord{
		"another document": ra["privacy_policy@1"], "the current version": byKey(c)["terms_of_service@2"],
		"another store": byKey(outsider)["terms_of_service@1"], "a withdrawn record": byKey(b)["terms_of_service@1"],
	} {
		if r.OutdatedAt != nil {
			t.Errorf("%s was outdated: %+v", what, r)
		}
	}
	n, err = s.RevokeConsent(ctx, a.ID, "terms_of_service", published.Add(time.Minute))
	must(t, "RevokeConsent", err)
	if n != 0 {
		t.Errorf("RevokeConsent touched %d outdated records, want 0", n)
	}
	record(a, "terms_of_service", "1", nil)
	if r := byKey(a)["terms_of_service@1"]; !r.Active() {
		t.Errorf("accepting the version again leaves %+v, want active", r)
	}
}
