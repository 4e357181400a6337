package attrform

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"foyer/storage"
)

func naming(name string) (string, string) { return "f." + name, "id-" + name }

// Every refusal of storage's one validation gets the key of the rule
// behind it, and a valid value none.
func TestCheckKeys(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		def   storage.AttributeDef
		value string
		want  string
	}{
		"required":        {storage.AttributeDef{Required: true}, "", "attribute_error.required"},
		"optional empty":  {storage.AttributeDef{}, "", ""},
		"too long":        {storage.AttributeDef{MaxLength: 3}, "abcd", "attribute_error.too_long"},
		"default limit":   {storage.AttributeDef{}, strings.Repeat("a", 257), "attribute_error.too_long"},
		"control":         {storage.AttributeDef{}, "a\x00b", "attribute_error.invalid_characters"},
		"not utf-8":       {storage.AttributeDef{}, "a\xffb", "attribute_error.invalid_characters"},
		"number":          {storage.AttributeDef{Type: storage.AttrNumber}, "1e999", "attribute_error.number"},
		"number ok":       {storage.AttributeDef{Type: storage.AttrNumber}, "-1.5", ""},
		"boolean":         {storage.AttributeDef{Type: storage.AttrBoolean}, "yes", "attribute_error.boolean"},
		"date":            {storage.AttributeDef{Type: storage.AttrDate}, "2023-02-29", "attribute_error.date"},
		"date ok":         {storage.AttributeDef{Type: storage.AttrDate}, "2024-02-29", ""},
		"email":           {storage.AttributeDef{Type: storage.AttrEmail}, "a@localhost", "attribute_error.email"},
		"url":             {storage.AttributeDef{Type: storage.AttrURL}, "javascript:alert(1)", "attribute_error.url"},
		"phone":           {storage.AttributeDef{Type: storage.AttrPhone}, "+0123", "attribute_error.phone"},
		"enum":            {storage.AttributeDef{Type: storage.AttrEnum, Options: []string{"a"}}, "b", "attribute_error.enum"},
		"enum ok":         {storage.AttributeDef{Type: storage.AttrEnum, Options: []string{"a"}}, "a", ""},
		"pattern":         {storage.AttributeDef{Pattern: `[0-9]+`}, "12a", "attribute_error.pattern"},
		"pattern ok":      {storage.AttributeDef{Pattern: `[0-9]+`}, "12", ""},
		"type before pat": {storage.AttributeDef{Type: storage.AttrEmail, Pattern: `.*@acme\.example`}, "nope", "attribute_error.email"},
		"pattern of type": {storage.AttributeDef{Type: storage.AttrEmail, Pattern: `.*@acme\.example`}, "a@b.example", "attribute_error.pattern"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.def.Name = "x"
			values := map[string]string{}
			if tc.value != "" {
				values["x"] = tc.value
			}
			got := Check([]storage.AttributeDef{tc.def}, values)["x"]
			if got != tc.want {
				t.Errorf("key %q, want %q", got, tc.want)
			}
		})
	}
	if got := Check(nil, map[string]string{"stray": "v"}); got["stray"] != "attribute_error.unknown" {
		t.Errorf("stray value: %v", got)
	}
}

// Every key Check can return is in the default theme's catalogs.
func TestKeysInCatalogs(t *testing.T) {
	t.Parallel()
	keys := []string{"attribute_form.choose", "attribute_error.required", "attribute_error.too_long",
		"attribute_error.invalid_characters", "attribute_error.pattern", "attribute_error.unknown"}
	for _, typ := range storage.AttributeTypes {
		if typ != storage.AttrString {
			keys = append(keys, "attribute_error."+string(typ))
		}
	}
	for _, lang := range []string{"en", "de"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "themes", "default", "locales", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var catalog map[string]string
		if err := json.Unmarshal(b, &catalog); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if catalog[k] == "" {
				t.Errorf("%s.json lacks %s", lang, k)
			}
		}
	}
}

// Inputs follow the types; read-only follows Editable; labels fall back
// to the name.
func TestInputs(t *testing.T) {
	t.Parallel()
	defs := []storage.AttributeDef{
		{Name: "s", Label: "S", Required: true, Editable: true, MaxLength: 9},
		{Name: "n", Type: storage.AttrNumber}, {Name: "b", Type: storage.AttrBoolean},
		{Name: "d", Type: storage.AttrDate}, {Name: "e", Type: storage.AttrEmail}, {Name: "u", Type: storage.AttrURL},
		{Name: "p", Type: storage.AttrPhone}, {Name: "o", Type: storage.AttrEnum, Options: []string{"x", "y"}},
	}
	got := WithErrors(Inputs(defs, map[string]string{"s": "v", "b": "true"}, naming), map[string]string{"f.s": "k"})
	want := []Input{
		{Name: "s", Field: "f.s", ID: "id-s", Label: "S", Kind: "text", MaxLength: 9, Value: "v", Required: true, Error: "k"},
		{Name: "n", Field: "f.n", ID: "id-n", Label: "n", Kind: "number", ReadOnly: true},
		{Name: "b", Field: "f.b", ID: "id-b", Label: "b", Kind: "checkbox", Value: "true", ReadOnly: true},
		{Name: "d", Field: "f.d", ID: "id-d", Label: "d", Kind: "date", ReadOnly: true},
		{Name: "e", Field: "f.e", ID: "id-e", Label: "e", Kind: "email", MaxLength: 256, ReadOnly: true},
		{Name: "u", Field: "f.u", ID: "id-u", Label: "u", Kind: "url", MaxLength: 256, ReadOnly: true},
		{Name: "p", Field: "f.p", ID: "id-p", Label: "p", Kind: "tel", MaxLength: 256, ReadOnly: true},
		{Name: "o", Field: "f.o", ID: "id-o", Label: "o", Kind: "select", Options: []string{"x", "y"}, ReadOnly: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inputs:\n got %+v\nwant %+v", got, want)
	}
	if !got[2].Checked() || got[0].Checked() {
		t.Error("Checked")
	}
}

// Read takes only editable attributes, trims, reads checkboxes as
// true/false and keeps a boolean's odd value for the check.
func TestRead(t *testing.T) {
	t.Parallel()
	defs := []storage.AttributeDef{
		{Name: "s", Editable: true}, {Name: "locked"}, {Name: "empty", Editable: true},
		{Name: "on", Type: storage.AttrBoolean, Editable: true}, {Name: "off", Type: storage.AttrBoolean, Editable: true},
		{Name: "odd", Type: storage.AttrBoolean, Editable: true}, {Name: "tel", Type: storage.AttrPhone, Editable: true},
	}
	post := map[string]string{"f.s": "  hi  ", "f.locked": "crafted", "f.empty": "  ", "f.on": "on",
		"f.odd": "maybe", "f.tel": "+41 79 123 45 67", "f.stray": "x"}
	got := Read(defs, func(f string) string { return post[f] }, naming)
	want := map[string]string{"s": "hi", "on": "true", "off": "false", "odd": "maybe", "tel": "+41791234567"}
	if !maps.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	visible := []storage.AttributeDef{{Name: "a", Visible: true, Editable: true}, {Name: "b", Visible: true}, {Name: "c", Editable: true}}
	if v, a := Visible(visible), Askable(visible); len(v) != 2 || len(a) != 1 || a[0].Name != "a" {
		t.Errorf("Visible %v, Askable %v", v, a)
	}
}
