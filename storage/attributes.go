package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// AttributeType is the kind of value an attribute holds. Values are
// stored as strings whatever the type; the type decides which strings
// are valid (Check) and how forms show them.
type AttributeType string

const (
	AttrString  AttributeType = "string"
	AttrNumber  AttributeType = "number"  // a decimal number, e.g. "-1.5"
	AttrBoolean AttributeType = "boolean" // "true" or "false"
	AttrDate    AttributeType = "date"    // a calendar date, "2006-01-02"
	AttrEmail   AttributeType = "email"   // an address ValidEmail accepts
	AttrURL     AttributeType = "url"     // an absolute http or https URL
	AttrPhone   AttributeType = "phone"   // E.164, as ValidPhone
	AttrEnum    AttributeType = "enum"    // one of Options
)

// AttributeTypes lists every type, in the order forms offer them.
var AttributeTypes = []AttributeType{AttrString, AttrNumber, AttrBoolean, AttrDate,
	AttrEmail, AttrURL, AttrPhone, AttrEnum}

// Limits of the attribute schema.
const (
	// DefaultAttributeMaxLength bounds a value when the schema sets no
	// MaxLength, and MaxAttributeMaxLength bounds the MaxLength it sets.
	DefaultAttributeMaxLength = 256
	MaxAttributeMaxLength     = 4096
	maxAttributes             = 100
	maxAttributeLabel         = 100
	maxAttributePattern       = 500
	maxAttributeOptions       = 200
	maxAttributeOption        = 100
)

// AttributeDef is one attribute of an identity store's schema.
//
// Visible and Editable apply to the self-service pages (registration and
// the account portal); AdminVisible and AdminEditable to the admin
// console's account pages. A schema stored before the admin flags existed
// reads them as true: the console saw and changed every attribute then.
type AttributeDef struct {
	Name     string        `json:"name"`
	Label    string        `json:"label,omitempty"` // shown on forms; Name when empty
	Type     AttributeType `json:"type,omitempty"`  // empty reads as AttrString
	Required bool          `json:"required"`
	Visible  bool          `json:"visible"`
	Editable bool          `json:"editable"`
	// AdminVisible and AdminEditable are the console's flags.
	AdminVisible  bool `json:"admin_visible"`
	AdminEditable bool `json:"admin_editable"`
	// MaxLength bounds a value in characters; 0 means
	// DefaultAttributeMaxLength.
	MaxLength int `json:"max_length,omitempty"`
	// Pattern is an RE2 expression the whole value must match.
	Pattern string `json:"pattern,omitempty"`
	// Options are an enum's allowed values.
	Options []string `json:"options,omitempty"`
}

// UnmarshalJSON reads a schema entry, defaulting absent admin flags to
// true (schemas stored before they existed).
func (d *AttributeDef) UnmarshalJSON(b []byte) error {
	type plain AttributeDef
	var v struct {
		plain
		AdminVisible  *bool `json:"admin_visible"`
		AdminEditable *bool `json:"admin_editable"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = AttributeDef(v.plain)
	d.AdminVisible = v.AdminVisible == nil || *v.AdminVisible
	d.AdminEditable = v.AdminEditable == nil || *v.AdminEditable
	return nil
}

// TypeOrDefault is the attribute's type, AttrString when unset.
func (d AttributeDef) TypeOrDefault() AttributeType {
	if d.Type == "" {
		return AttrString
	}
	return d.Type
}

// LabelOrName is what a form shows for the attribute.
func (d AttributeDef) LabelOrName() string {
	if d.Label == "" {
		return d.Name
	}
	return d.Label
}

// ErrInvalidAttribute is what Check's errors wrap; their text is the
// message to show next to the field.
var ErrInvalidAttribute = errors.New("invalid attribute value")

type attrError string

func (e attrError) Error() string { return string(e) }
func (e attrError) Unwrap() error { return ErrInvalidAttribute }

// Check validates one value against the definition: required, type,
// length, pattern and options. An empty value of an optional attribute is
// valid (it is unset).
func (d AttributeDef) Check(value string) error {
	if value == "" {
		if d.Required {
			return attrError("is required")
		}
		return nil
	}
	if !utf8.ValidString(value) || strings.IndexFunc(value, unicode.IsControl) >= 0 {
		return attrError("contains characters that are not allowed")
	}
	limit := d.MaxLength
	if limit <= 0 {
		limit = DefaultAttributeMaxLength
	}
	if utf8.RuneCountInString(value) > limit {
		return attrError(fmt.Sprintf("must be at most %d characters", limit))
	}
	if msg := checkType(d, value); msg != "" {
		return attrError(msg)
	}
	if d.Pattern != "" {
		re, err := compilePattern(d.Pattern)
		if err != nil || !re.MatchString(value) {
			return attrError("does not have the required format")
		}
	}
	return nil
}

// checkType is the message for a value its type refuses, "" when valid.
func checkType(d AttributeDef, v string) string {
	switch d.TypeOrDefault() {
	case AttrNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "must be a number"
		}
	case AttrBoolean:
		if v != "true" && v != "false" {
			return `must be "true" or "false"`
		}
	case AttrDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "must be a date (YYYY-MM-DD)"
		}
	case AttrEmail:
		if !ValidEmail(v) {
			return "must be an e-mail address"
		}
	case AttrURL:
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "must be an http or https URL"
		}
	case AttrPhone:
		if !ValidPhone(v) {
			return "must be a phone number in international format (+15551234567)"
		}
	case AttrEnum:
		if !slices.Contains(d.Options, v) {
			return "must be one of the offered options"
		}
	}
	return ""
}

// compilePattern anchors the expression: the whole value must match.
func compilePattern(p string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + p + `)$`)
}

// CheckAttributes validates submitted values against a schema: each
// definition's Check (so a missing required attribute is reported) and
// every value naming no attribute of the schema. The result maps an
// attribute's name to its message; it is empty when all is valid.
// Registration, the account portal and the admin console's account pages
// all validate through it.
func CheckAttributes(schema []AttributeDef, values map[string]string) map[string]string {
	errs := map[string]string{}
	known := make(map[string]bool, len(schema))
	for _, d := range schema {
		known[d.Name] = true
		if err := d.Check(values[d.Name]); err != nil {
			errs[d.Name] = err.Error()
		}
	}
	for name := range values {
		if !known[name] {
			errs[name] = "is not an attribute of this identity store"
		}
	}
	return errs
}
