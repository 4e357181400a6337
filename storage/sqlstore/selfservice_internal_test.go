package sqlstore

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"foyer/storage"
)

// Rows written before migration 0007, or by hand with only some keys,
// read as the defaults for whatever they lack.
func TestSelfServicePolicyOfExistingRows(t *testing.T) {
	s, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "foyer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	// The column is left out: the row gets the migration's default.
	if err := s.gdb.Exec(`INSERT INTO applications (id, store_id, name, logo_url, primary_color, organizational, login_steps, created_at)
		VALUES ('old', '', 'Old', '', '', FALSE, '[]', ?)`, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.gdb.Exec(`INSERT INTO applications (id, store_id, name, logo_url, primary_color, organizational, login_steps, created_at, self_service_policy)
		VALUES ('partial', '', 'Partial', '', '', FALSE, '[]', ?, ?), ('broken', '', 'Broken', '', '', FALSE, '[]', ?, 'not json')`,
		now, `{"registration_enabled":false,"reset_link_lifetime_seconds":0,"password_policy":{"min_length":10}}`, now).Error; err != nil {
		t.Fatal(err)
	}

	got, err := s.GetApplication(t.Context(), "old")
	if err != nil {
		t.Fatal(err)
	}
	if want := storage.DefaultSelfServicePolicy(); !reflect.DeepEqual(got.SelfService, want) {
		t.Errorf("policy of a row without one = %+v, want %+v", got.SelfService, want)
	}

	got, err = s.GetApplication(t.Context(), "partial")
	if err != nil {
		t.Fatal(err)
	}
	want := storage.DefaultSelfServicePolicy()
	want.RegistrationEnabled = false
	want.PasswordPolicy.MinLength = 10
	if !reflect.DeepEqual(got.SelfService, want) {
		t.Errorf("partial policy = %+v, want %+v", got.SelfService, want)
	}

	if _, err := s.GetApplication(t.Context(), "broken"); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a row holding a malformed policy read as %v, want a decode error", err)
	}
}
