package storage

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one set of rules for identifiers: registration, the account portal,
// the CLI and the sign-in, reset and reminder pages all use these, so an
// address one of them accepts is never refused by another (and an
// invitation, when it comes, takes the same rules).
const (
	// MaxEmailLength is the longest address SMTP can carry (RFC 5321's
	// 256-octet path minus the angle brackets).
	MaxEmailLength = 254
	// MaxUsernameLength bounds usernames, in characters.
	MaxUsernameLength = 64
)

// e164 is an international phone number: "+", a country code that does not
// start with 0, and at most 15 digits in all (ITU-T E.164).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ValidEmail reports whether s is an address Foyer can send to: a bare
// addr-spec (no display name, no quoting that changes it), at most
// MaxEmailLength bytes, whose domain is a dotted name. "a@localhost" and
// domain literals reach no customer's inbox.
func ValidEmail(s string) bool {
	if s == "" || len(s) > MaxEmailLength || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	domain := s[strings.LastIndex(s, "@")+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, "[")
}

// ValidPhone reports whether s is an E.164 number, as CleanIdentifier
// leaves it.
func ValidPhone(s string) bool { return e164.MatchString(s) }

// ValidUsername refuses what the sign-in page would read as another
// identifier type ("@" is an address, "+" starts a phone number), spaces
// and control characters, which nobody can type back reliably.
func ValidUsername(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxUsernameLength || strings.ContainsAny(s, "@+") {
		return false
	}
	return strings.IndexFunc(s, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) < 0
}

// ValidIdentifier applies the rule of the identifier type.
func ValidIdentifier(kind IdentifierType, s string) bool {
	switch kind {
	case IdentifierEmail:
		return ValidEmail(s)
	case IdentifierPhone:
		return ValidPhone(s)
	case IdentifierUsername:
		return ValidUsername(s)
	}
	return false
}

// CleanIdentifier undoes what people add when typing an identifier:
// surrounding spaces, and the spaces they group a phone number's digits
// with ("+41 79 123 45 67").
func CleanIdentifier(kind IdentifierType, s string) string {
	if kind == IdentifierPhone {
		return strings.Join(strings.Fields(s), "")
	}
	return strings.TrimSpace(s)
}

// ParseIdentifier tells which identifier type a sign-in, reset or reminder
// form's single field holds, by the same marks ValidUsername keeps out of
// usernames, and returns it cleaned. It does not validate: an account an
// operator created under older rules must still be found.
func ParseIdentifier(typed string) (IdentifierType, string) {
	typed = strings.TrimSpace(typed)
	switch phone := CleanIdentifier(IdentifierPhone, typed); {
	case strings.Contains(typed, "@"):
		return IdentifierEmail, typed
	case len(phone) > 1 && phone[0] == '+' && strings.Trim(phone[1:], "0123456789") == "":
		return IdentifierPhone, phone
	default:
		return IdentifierUsername, typed
	}
}
