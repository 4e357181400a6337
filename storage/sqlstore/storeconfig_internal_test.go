package sqlstore

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"foyer/storage"
)

// A store written before migration 0019 (no version, no update time, a
// schema with the self-service flags only) reads at version 1, updated
// when it was created, with the console seeing and changing every
// attribute as it did then.
func TestIdentityStoreOfExistingRows(t *testing.T) {
	s, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "foyer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if err := s.gdb.Exec(`INSERT INTO identity_stores (id, name, identifier_types, attributes, created_at, updated_at)
		VALUES ('old', 'Old', '["email"]', ?, ?, ?)`,
		`[{"name":"given_name","required":true,"visible":true,"editable":true},{"name":"tier","required":false,"visible":false,"editable":false}]`,
		created, created).Error; err != nil {
		t.Fatal(err)
	}
	got, err := s.GetIdentityStore(t.Context(), "old")
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.AttributeDef{
		{Name: "given_name", Required: true, Visible: true, Editable: true, AdminVisible: true, AdminEditable: true},
		{Name: "tier", AdminVisible: true, AdminEditable: true},
	}
	if got.Version != 1 || !got.UpdatedAt.Equal(created) || !reflect.DeepEqual(got.Attributes, want) {
		t.Errorf("old store = %+v, want version 1, updated at %v, attributes %+v", got, created, want)
	}
	for _, a := range got.Attributes {
		if a.TypeOrDefault() != storage.AttrString || a.Check("anything") != nil {
			t.Errorf("an untyped attribute %+v refuses text", a)
		}
	}
}
