package attrform

import (
	"testing"

	"foyer/storage"
)

func TestAutocomplete(t *testing.T) {
	for name, want := range map[string]string{
		"given_name": "given-name", "Family-Name": "family-name", "full name": "name", "nickname": "nickname",
		"birthdate": "bday", "middle_name": "additional-name", "company": "organization",
		"loyalty_id": "", "": "", "tier": "",
	} {
		if got := Autocomplete(name); got != want {
			t.Errorf("Autocomplete(%q) = %q, want %q", name, got, want)
		}
	}
}

// Only forms where people enter their own data get the tokens.
func TestForPerson(t *testing.T) {
	defs := []storage.AttributeDef{{Name: "given_name", Visible: true, Editable: true}, {Name: "loyalty_id", Visible: true, Editable: true}}
	naming := func(a string) (string, string) { return "attr." + a, "attr-" + a }
	if in := Inputs(defs, nil, naming); in[0].Autocomplete != "" {
		t.Errorf("Inputs sets autocomplete %q; the console and organization forms must not get one", in[0].Autocomplete)
	}
	in := ForPerson(Inputs(defs, nil, naming))
	if in[0].Autocomplete != "given-name" || in[1].Autocomplete != "" {
		t.Errorf("ForPerson = %q, %q; want given-name and none", in[0].Autocomplete, in[1].Autocomplete)
	}
}
