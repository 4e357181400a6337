package storage_test

import (
	"slices"
	"testing"

	"foyer/storage"
)

func TestRepublishedConsents(t *testing.T) {
	v := func(name, version string) storage.ConsentDocument {
		return storage.ConsentDocument{Name: name, Version: version}
	}
	tests := []struct {
		name       string
		old, fresh []storage.ConsentDocument
		want       []string
	}{
		{"new version", []storage.ConsentDocument{v("terms", "1"), v("privacy", "1")}, []storage.ConsentDocument{v("terms", "2"), v("privacy", "1")}, []string{"terms"}},
		{"unchanged", []storage.ConsentDocument{v("terms", "1")}, []storage.ConsentDocument{v("terms", "1")}, nil},
		{"dropped document", []storage.ConsentDocument{v("terms", "1")}, nil, nil},
		{"added document", nil, []storage.ConsentDocument{v("terms", "1")}, nil},
		{"back to an older version", []storage.ConsentDocument{v("terms", "2")}, []storage.ConsentDocument{v("terms", "1")}, []string{"terms"}},
	}
	for _, tt := range tests {
		if got := storage.RepublishedConsents(tt.old, tt.fresh); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVersionsInUse(t *testing.T) {
	apps := []storage.Application{
		{StoreID: "s", Consents: []storage.ConsentDocument{{Name: "terms_of_service", Version: "2"}}},
		{StoreID: "s"}, // the default policy: version 1 of everything
		{StoreID: "other", Consents: []storage.ConsentDocument{{Name: "terms_of_service", Version: "9"}}},
		{StoreID: "s", Consents: []storage.ConsentDocument{{Name: "terms_of_service", Version: "2"}}},
	}
	if got := storage.VersionsInUse(apps, "s", "terms_of_service"); !slices.Equal(got, []string{"2", "1"}) {
		t.Errorf("in use = %v, want [2 1]", got)
	}
	if got := storage.VersionsInUse(apps[:1], "s", "marketing"); len(got) != 0 {
		t.Errorf("a document no policy names: %v", got)
	}
}
