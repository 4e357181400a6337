package attrform

import (
	"unicode/utf8"

	"foyer/storage"
)

// Check validates values against defs through storage.CheckAttributes
// and returns, per refused attribute, the message key of the rule that
// refused it; empty when all is valid.
func Check(defs []storage.AttributeDef, values map[string]string) map[string]string {
	problems := storage.CheckAttributes(defs, values)
	if len(problems) == 0 {
		return nil
	}
	byName := make(map[string]storage.AttributeDef, len(defs))
	for _, d := range defs {
		byName[d.Name] = d
	}
	keys := make(map[string]string, len(problems))
	for name := range problems {
		d, ok := byName[name]
		if !ok {
			keys[name] = "attribute_error.unknown"
			continue
		}
		keys[name] = MessageKey(d, values[name])
	}
	return keys
}

// MessageKey names, for a value d.Check refuses, which rule refused it,
// by asking Check again of the definition with fewer rules: the value
// alone (characters, length), then its type without the pattern; what
// is left is the pattern.
func MessageKey(d storage.AttributeDef, value string) string {
	if value == "" {
		return "attribute_error.required"
	}
	limit := d.MaxLength
	if limit <= 0 {
		limit = storage.DefaultAttributeMaxLength
	}
	plain := storage.AttributeDef{Name: d.Name, MaxLength: limit}
	if plain.Check(value) != nil {
		if utf8.RuneCountInString(value) > limit {
			return "attribute_error.too_long"
		}
		return "attribute_error.invalid_characters"
	}
	typed := d
	typed.Pattern = ""
	if typed.Check(value) != nil {
		return "attribute_error." + string(d.TypeOrDefault())
	}
	return "attribute_error.pattern"
}
