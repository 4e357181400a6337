package storagetest

import (
	"reflect"
	"testing"

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
