package storage

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// attributeName is an attribute's identifier: it names form fields
// ("attr.NAME"), JSON keys and claims, so it stays plain.
var attributeName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// reservedAttributes are the account's own fields: an attribute of the
// same name would shadow them on forms and in exports.
var reservedAttributes = []string{"email", "username", "phone", "password", "language", "id", "status"}

// ValidateSchema checks a whole attribute schema as an administrator
// submits it and returns a message per bad field, keyed as the admin API
// spells it ("attributes[2].pattern"); empty when the schema is valid.
// Names must be identifiers, unique and not an account field's; types
// known; a pattern must compile (RE2) and suit a text type; an enum needs
// distinct, non-empty options, which other types may not have.
func ValidateSchema(defs []AttributeDef) map[string]string {
	errs := map[string]string{}
	if len(defs) > maxAttributes {
		errs["attributes"] = fmt.Sprintf("at most %d attributes", maxAttributes)
		return errs
	}
	seen := map[string]bool{}
	for i, d := range defs {
		key := func(field string) string { return fmt.Sprintf("attributes[%d].%s", i, field) }
		add := func(field, msg string) {
			if _, ok := errs[key(field)]; !ok {
				errs[key(field)] = msg
			}
		}
		switch {
		case !attributeName.MatchString(d.Name):
			add("name", "use 1 to 64 lower-case letters, digits and '_', starting with a letter")
		case slices.Contains(reservedAttributes, d.Name):
			add("name", "is an account field, not an attribute")
		case seen[d.Name]:
			add("name", "is used by another attribute")
		}
		seen[d.Name] = true
		if !plainText(d.Label, maxAttributeLabel) {
			add("label", fmt.Sprintf("use at most %d characters, no control characters", maxAttributeLabel))
		}
		if d.Type != "" && !slices.Contains(AttributeTypes, d.Type) {
			add("type", "is not a known type")
		}
		if d.MaxLength < 0 || d.MaxLength > MaxAttributeMaxLength {
			add("max_length", fmt.Sprintf("must be between 0 and %d", MaxAttributeMaxLength))
		}
		if msg := patternProblem(d); msg != "" {
			add("pattern", msg)
		}
		if msg := optionsProblem(d); msg != "" {
			add("options", msg)
		}
	}
	return errs
}

func patternProblem(d AttributeDef) string {
	if d.Pattern == "" {
		return ""
	}
	switch d.TypeOrDefault() {
	case AttrString, AttrEmail, AttrURL, AttrPhone:
	default:
		return "applies only to string, email, url and phone attributes"
	}
	if len(d.Pattern) > maxAttributePattern {
		return fmt.Sprintf("use at most %d characters", maxAttributePattern)
	}
	if _, err := compilePattern(d.Pattern); err != nil {
		return "is not a valid regular expression (RE2 syntax)"
	}
	return ""
}

func optionsProblem(d AttributeDef) string {
	if d.TypeOrDefault() != AttrEnum {
		if len(d.Options) > 0 {
			return "apply only to enum attributes"
		}
		return ""
	}
	if len(d.Options) == 0 {
		return "an enum needs at least one option"
	}
	if len(d.Options) > maxAttributeOptions {
		return fmt.Sprintf("at most %d options", maxAttributeOptions)
	}
	seen := map[string]bool{}
	for _, o := range d.Options {
		if o == "" || strings.TrimSpace(o) != o || !plainText(o, maxAttributeOption) {
			return fmt.Sprintf("each option needs 1 to %d characters, no surrounding spaces", maxAttributeOption)
		}
		if seen[o] {
			return fmt.Sprintf("%q is listed twice", o)
		}
		seen[o] = true
	}
	return ""
}

// plainText: valid UTF-8 of at most max characters without control
// characters.
func plainText(s string, max int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max && strings.IndexFunc(s, unicode.IsControl) < 0
}
