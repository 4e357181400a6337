package storage

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestAttributeCheck(t *testing.T) {
	t.Parallel()
	enum := AttributeDef{Name: "tier", Type: AttrEnum, Options: []string{"gold", "silver"}}
	cases := []struct {
		name  string
		def   AttributeDef
		value string
		ok    bool
	}{
		{"optional empty", AttributeDef{Name: "a"}, "", true},
		{"required empty", AttributeDef{Name: "a", Required: true}, "", false},
		{"untyped text", AttributeDef{Name: "a"}, "anything at all", true},
		{"control character", AttributeDef{Name: "a"}, "line\nbreak", false},
		{"invalid UTF-8", AttributeDef{Name: "a"}, "\xff", false},
		{"default length", AttributeDef{Name: "a"}, strings.Repeat("é", DefaultAttributeMaxLength), true},
		{"over default length", AttributeDef{Name: "a"}, strings.Repeat("é", DefaultAttributeMaxLength+1), false},
		{"max length in characters", AttributeDef{Name: "a", MaxLength: 3}, "äöü", true},
		{"over max length", AttributeDef{Name: "a", MaxLength: 3}, "abcd", false},
		{"number", AttributeDef{Name: "n", Type: AttrNumber}, "-12.5e3", true},
		{"not a number", AttributeDef{Name: "n", Type: AttrNumber}, "12a", false},
		{"infinite number", AttributeDef{Name: "n", Type: AttrNumber}, "Inf", false},
		{"boolean true", AttributeDef{Name: "b", Type: AttrBoolean}, "true", true},
		{"boolean other", AttributeDef{Name: "b", Type: AttrBoolean}, "yes", false},
		{"date", AttributeDef{Name: "d", Type: AttrDate}, "2024-02-29", true},
		{"no such date", AttributeDef{Name: "d", Type: AttrDate}, "2023-02-29", false},
		{"date with time", AttributeDef{Name: "d", Type: AttrDate}, "2024-02-01T10:00:00Z", false},
		{"email", AttributeDef{Name: "e", Type: AttrEmail}, "a@example.com", true},
		{"not an email", AttributeDef{Name: "e", Type: AttrEmail}, "Ann <a@example.com>", false},
		{"url", AttributeDef{Name: "u", Type: AttrURL}, "https://example.com/x", true},
		{"url without host", AttributeDef{Name: "u", Type: AttrURL}, "https:///x", false},
		{"javascript url", AttributeDef{Name: "u", Type: AttrURL}, "javascript:alert(1)", false},
		{"phone", AttributeDef{Name: "p", Type: AttrPhone}, "+15551234567", true},
		{"local phone", AttributeDef{Name: "p", Type: AttrPhone}, "0301234567", false},
		{"enum option", enum, "gold", true},
		{"enum other", enum, "bronze", false},
		{"enum case", enum, "Gold", false},
		{"pattern matches whole value", AttributeDef{Name: "c", Pattern: "[A-Z]{2}"}, "DE", true},
		{"pattern matches a part only", AttributeDef{Name: "c", Pattern: "[A-Z]{2}"}, "xDEx", false},
		{"pattern alternation anchored", AttributeDef{Name: "c", Pattern: "a|b"}, "ab", false},
		{"pattern not compiling refuses", AttributeDef{Name: "c", Pattern: "("}, "x", false},
	}
	for _, c := range cases {
		err := c.def.Check(c.value)
		if (err == nil) != c.ok {
			t.Errorf("%s: Check(%q) = %v, want ok %v", c.name, c.value, err, c.ok)
		}
		if err != nil && (!errors.Is(err, ErrInvalidAttribute) || err.Error() == "") {
			t.Errorf("%s: error %v does not wrap ErrInvalidAttribute with a message", c.name, err)
		}
	}
}

func TestCheckAttributes(t *testing.T) {
	t.Parallel()
	schema := []AttributeDef{
		{Name: "given_name", Required: true},
		{Name: "age", Type: AttrNumber},
		{Name: "newsletter", Type: AttrBoolean},
	}
	got := CheckAttributes(schema, map[string]string{"age": "old", "newsletter": "true", "shoe": "42"})
	want := map[string]string{"given_name": "is required", "age": "must be a number",
		"shoe": "is not an attribute of this identity store"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CheckAttributes = %v, want %v", got, want)
	}
	if got := CheckAttributes(schema, map[string]string{"given_name": "Ann", "age": "41"}); len(got) != 0 {
		t.Errorf("valid values: %v", got)
	}
}

func TestValidateSchema(t *testing.T) {
	t.Parallel()
	valid := []AttributeDef{
		{Name: "given_name", Label: "Given name", Required: true, Visible: true, Editable: true, AdminVisible: true},
		{Name: "tier", Type: AttrEnum, Options: []string{"gold", "silver"}},
		{Name: "code", Type: AttrString, Pattern: `[A-Z]{2}\d+`, MaxLength: 12},
	}
	if got := ValidateSchema(valid); len(got) != 0 {
		t.Fatalf("valid schema: %v", got)
	}
	cases := []struct {
		name string
		def  AttributeDef
		key  string
	}{
		{"empty name", AttributeDef{}, "attributes[1].name"},
		{"upper-case name", AttributeDef{Name: "Given"}, "attributes[1].name"},
		{"name with a dot", AttributeDef{Name: "a.b"}, "attributes[1].name"},
		{"account field", AttributeDef{Name: "email"}, "attributes[1].name"},
		{"duplicate name", AttributeDef{Name: "given_name"}, "attributes[1].name"},
		{"unknown type", AttributeDef{Name: "x", Type: "money"}, "attributes[1].type"},
		{"negative length", AttributeDef{Name: "x", MaxLength: -1}, "attributes[1].max_length"},
		{"huge length", AttributeDef{Name: "x", MaxLength: MaxAttributeMaxLength + 1}, "attributes[1].max_length"},
		{"bad pattern", AttributeDef{Name: "x", Pattern: "(a"}, "attributes[1].pattern"},
		{"backreference (not RE2)", AttributeDef{Name: "x", Pattern: `(a)\1`}, "attributes[1].pattern"},
		{"pattern on a number", AttributeDef{Name: "x", Type: AttrNumber, Pattern: "1"}, "attributes[1].pattern"},
		{"enum without options", AttributeDef{Name: "x", Type: AttrEnum}, "attributes[1].options"},
		{"enum with an empty option", AttributeDef{Name: "x", Type: AttrEnum, Options: []string{"a", ""}}, "attributes[1].options"},
		{"enum with a repeated option", AttributeDef{Name: "x", Type: AttrEnum, Options: []string{"a", "a"}}, "attributes[1].options"},
		{"options on a string", AttributeDef{Name: "x", Options: []string{"a"}}, "attributes[1].options"},
		{"label with a newline", AttributeDef{Name: "x", Label: "a\nb"}, "attributes[1].label"},
	}
	for _, c := range cases {
		got := ValidateSchema([]AttributeDef{valid[0], c.def})
		if len(got) != 1 || got[c.key] == "" {
			t.Errorf("%s: ValidateSchema = %v, want one message for %s", c.name, got, c.key)
		}
	}
	got := ValidateSchema([]AttributeDef{{Name: "Bad", Type: "x"}, {Name: "ok", Type: AttrEnum}})
	if len(got) != 3 {
		t.Errorf("every bad field is named: %v", got)
	}
}

// Schemas stored before the console's flags existed read them as true;
// the self-service flags keep their JSON names.
func TestAttributeDefJSON(t *testing.T) {
	t.Parallel()
	var old []AttributeDef
	if err := json.Unmarshal([]byte(`[{"name":"tier","required":true,"visible":true,"editable":false}]`), &old); err != nil {
		t.Fatal(err)
	}
	want := AttributeDef{Name: "tier", Required: true, Visible: true, AdminVisible: true, AdminEditable: true}
	if len(old) != 1 || !reflect.DeepEqual(old[0], want) {
		t.Errorf("legacy entry = %+v, want %+v", old, want)
	}
	hidden := AttributeDef{Name: "x", Type: AttrEnum, Options: []string{"a"}, Label: "X", MaxLength: 5, Pattern: "a"}
	b, err := json.Marshal(hidden)
	if err != nil {
		t.Fatal(err)
	}
	var back AttributeDef
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, hidden) {
		t.Errorf("round trip of %s = %+v, %v; want %+v", b, back, err, hidden)
	}
	if old[0].TypeOrDefault() != AttrString || old[0].LabelOrName() != "tier" {
		t.Errorf("defaults: type %q, label %q", old[0].TypeOrDefault(), old[0].LabelOrName())
	}
}
