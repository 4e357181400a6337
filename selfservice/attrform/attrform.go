package attrform

import (
	"strings"

	"foyer/storage"
)

// Input is one attribute's form control.
type Input struct {
	Name      string // the attribute's name
	Field     string // the form field's name
	ID        string // the element's id, which <label for> names
	Label     string // in words; empty when LabelKey is set
	LabelKey  string // a message key to show instead of Label
	Kind      string // text, number, date, email, url, tel, checkbox or select
	Options   []string
	MaxLength int // of a text-like input; 0 for checkbox, select, number and date
	Value     string
	Required  bool
	ReadOnly  bool
	Error     string // message key of the value's problem
	// Autocomplete is the HTML autofill token of a well-known attribute
	// of the person filling the form (given-name, bday, ...); see
	// ForPerson.
	Autocomplete string
}

// Checked reports whether a checkbox is ticked.
func (i Input) Checked() bool { return i.Value == "true" }

// WithErrors sets each input's Error from errs, keyed by form field.
func WithErrors(inputs []Input, errs map[string]string) []Input {
	for i := range inputs {
		inputs[i].Error = errs[inputs[i].Field]
	}
	return inputs
}

// Visible is the part of the schema the self-service pages show.
func Visible(schema []storage.AttributeDef) []storage.AttributeDef {
	var out []storage.AttributeDef
	for _, d := range schema {
		if d.Visible {
			out = append(out, d)
		}
	}
	return out
}

// Askable is the part of the schema registration asks for: visible and
// editable in self-service.
func Askable(schema []storage.AttributeDef) []storage.AttributeDef {
	var out []storage.AttributeDef
	for _, d := range schema {
		if d.Visible && d.Editable {
			out = append(out, d)
		}
	}
	return out
}

// Naming gives an attribute's form field name and element id.
type Naming func(attribute string) (field, id string)

// Inputs are the controls of defs with their current values; an
// attribute not Editable is read-only.
func Inputs(defs []storage.AttributeDef, values map[string]string, name Naming) []Input {
	out := make([]Input, 0, len(defs))
	for _, d := range defs {
		field, id := name(d.Name)
		in := Input{Name: d.Name, Field: field, ID: id, Label: d.LabelOrName(), Kind: kind(d.TypeOrDefault()),
			Value: values[d.Name], Required: d.Required, ReadOnly: !d.Editable}
		switch in.Kind {
		case "select":
			in.Options = d.Options
		case "checkbox", "number", "date":
			// maxlength applies to text-like inputs only (HTML).
		default:
			in.MaxLength = d.MaxLength
			if in.MaxLength <= 0 {
				in.MaxLength = storage.DefaultAttributeMaxLength
			}
		}
		out = append(out, in)
	}
	return out
}

// kind is the HTML control of a type.
func kind(t storage.AttributeType) string {
	switch t {
	case storage.AttrNumber:
		return "number"
	case storage.AttrDate:
		return "date"
	case storage.AttrEmail:
		return "email"
	case storage.AttrURL:
		return "url"
	case storage.AttrPhone:
		return "tel"
	case storage.AttrBoolean:
		return "checkbox"
	case storage.AttrEnum:
		return "select"
	}
	return "text"
}

// Read takes the values of the editable attributes among defs from a
// post (get is r.PostFormValue); others are not read, so a crafted post
// cannot set them. Values are trimmed and empty ones left out. A
// checkbox posts "true" when ticked and nothing otherwise, which reads
// as "false": the customer answered. Any other value of a boolean is
// kept as posted, for the check to refuse. A phone number loses its
// spaces, as the phone identifier does (storage.CleanIdentifier).
func Read(defs []storage.AttributeDef, get func(field string) string, name Naming) map[string]string {
	values := map[string]string{}
	for _, d := range defs {
		if !d.Editable {
			continue
		}
		field, _ := name(d.Name)
		v := strings.TrimSpace(get(field))
		switch d.TypeOrDefault() {
		case storage.AttrPhone:
			v = storage.CleanIdentifier(storage.IdentifierPhone, v)
		case storage.AttrBoolean:
			switch v {
			case "", "false":
				v = "false"
			case "on", "true":
				v = "true"
			}
		}
		if v != "" {
			values[d.Name] = v
		}
	}
	return values
}
