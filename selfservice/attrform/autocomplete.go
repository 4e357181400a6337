package attrform

import "strings"

// autofill maps the attribute names stores use for personal data (the
// OpenID Connect standard claims, and common spellings of them) to the
// HTML autofill tokens, so browsers and assistive tools can fill and
// label them (WCAG 1.3.5, identify input purpose).
var autofill = map[string]string{
	"name":             "name",
	"full_name":        "name",
	"fullname":         "name",
	"display_name":     "name",
	"given_name":       "given-name",
	"first_name":       "given-name",
	"firstname":        "given-name",
	"family_name":      "family-name",
	"last_name":        "family-name",
	"lastname":         "family-name",
	"surname":          "family-name",
	"middle_name":      "additional-name",
	"nickname":         "nickname",
	"honorific_prefix": "honorific-prefix",
	"honorific_suffix": "honorific-suffix",
	"birthdate":        "bday",
	"birthday":         "bday",
	"date_of_birth":    "bday",
	"gender":           "sex",
	"website":          "url",
	"picture":          "photo",
	"phone_number":     "tel",
	"mobile":           "tel",
	"email":            "email",
	"locale":           "language",
	"language":         "language",
	"organization":     "organization",
	"organisation":     "organization",
	"company":          "organization",
	"job_title":        "organization-title",
	"street_address":   "street-address",
	"address":          "street-address",
	"postal_code":      "postal-code",
	"zip":              "postal-code",
	"city":             "address-level2",
	"locality":         "address-level2",
	"region":           "address-level1",
	"country":          "country-name",
}

// Autocomplete is the autofill token of an attribute named name, or ""
// when the name is not a well-known piece of personal data: an unknown
// attribute gets no token rather than a wrong one. Names match without
// regard to case, hyphens or spaces.
func Autocomplete(name string) string {
	n := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(name)))
	return autofill[n]
}

// ForPerson sets the autofill token of each input, for a form where people
// enter their own data (registration, the portal). The console, where
// staff edit someone else's account, and an organization's attributes
// leave it unset: the browser would offer the wrong person's details.
func ForPerson(inputs []Input) []Input {
	for i := range inputs {
		inputs[i].Autocomplete = Autocomplete(inputs[i].Name)
	}
	return inputs
}
