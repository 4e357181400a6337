package notify

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"foyer/themes"
)

// TestTrialRenderCatchesMissingFields: TrialRender fails on a theme whose
// e-mail template reads, in a branch only the zero sample takes, a field
// its struct lacks, naming the kind and the field; the default theme
// passes.
func TestTrialRenderCatchesMissingFields(t *testing.T) {
	t.Parallel()
	def, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := TrialRender(def); err != nil {
		t.Fatalf("default theme: %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "email"), 0o750); err != nil {
		t.Fatal(err)
	}
	body := `{{template "layout" .}}{{define "content"}}{{with str .Data.Link}}{{.}}{{else}}{{$.Data.Cod}}{{end}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "email", "sign_in_code.html"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	custom, err := themes.New(themes.Options{OverrideDir: dir})
	if err != nil {
		t.Fatalf("the theme's own dry run takes a map, which has every key: %v", err)
	}
	err = TrialRender(custom)
	if err == nil || !strings.Contains(err.Error(), "sign_in_code") || !strings.Contains(err.Error(), "Cod") {
		t.Fatalf("trial render of a template reading a missing field: %v", err)
	}
}

// TestEmailSamplesCoverTheTheme: every kind of the default theme has
// samples, and every field of every struct is set by one of them, so a
// template reading it is tried at start-up.
func TestEmailSamplesCoverTheTheme(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	samples := emailSamples()
	for _, kind := range r.Emails() {
		if _, ok := samples[kind]; !ok {
			t.Errorf("e-mail %s has no samples", kind)
		}
	}
	for kind, list := range samples {
		if !slices.Contains(r.Emails(), kind) {
			t.Errorf("the theme has no e-mail %s", kind)
		}
		typ := reflect.TypeOf(list[0])
		for i := range typ.NumField() {
			set := false
			for _, s := range list {
				set = set || !reflect.ValueOf(s).Field(i).IsZero()
			}
			if !set {
				t.Errorf("%s.%s: no sample sets it", typ.Name(), typ.Field(i).Name)
			}
		}
	}
}
