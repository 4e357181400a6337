package notify

import (
	"regexp"
	"slices"
	"strings"

	"foyer/storage"
)

// An administrator's message template (storage.MessageTemplate) is text
// with placeholders, {{link}} or {{ code }}: never a Go template, so what
// an administrator writes cannot run code or read anything it is not
// handed. Each template kind declares the placeholders it may use and the
// ones it must (the link of a link message, the code of a code message).

// TemplateKind is one message that an application may override on one
// channel.
type TemplateKind struct {
	Kind    string // the e-mail kind (themes/default/email/KIND.*) or the SMS kind
	Channel string // storage.TemplateEmail or storage.TemplateSMS
	// Allowed are the placeholders it may use, Required those it must
	// (in the text part and, when there is one, the HTML part).
	Allowed  []string
	Required []string
}

// Placeholders every template may use: the application's (or
// organization's) name and the message's language tag. E-mails may also
// use {{email}}, the recipient's address.
var commonPlaceholders = []string{"app_name", "language"}

func email(kind string, required []string, allowed ...string) TemplateKind {
	return TemplateKind{Kind: kind, Channel: storage.TemplateEmail, Allowed: append(append(allowed, "email"), required...), Required: required}
}

func sms(kind string, required []string, allowed ...string) TemplateKind {
	return TemplateKind{Kind: kind, Channel: storage.TemplateSMS, Allowed: append(allowed, required...), Required: required}
}

var (
	needLink = []string{"link"}
	needCode = []string{"code"}
)

// templateKinds are the overridable messages. magic_link is sign_in_code
// sent with a link and no code (the e-mail link and SMS link methods):
// its template must hold the link, sign_in_code's the code.
var templateKinds = []TemplateKind{
	email("activation", needLink, "minutes"),
	email("organization_signup", needLink, "minutes"),
	email("signup_attempt_existing", nil, "link"),
	email("password_reset", needLink, "minutes"),
	email("password_changed", nil, "link"),
	email("sign_in_code", needCode, "link", "minutes"),
	email("magic_link", needLink, "minutes"),
	email("username_reminder", []string{"username"}, "link"),
	email("invitation", needLink, "organization", "inviter", "days"),
	email("failed_sign_ins", nil, "link"),
	email("account_code", needCode, "minutes"),
	email("account_contact_changed", nil),
	email("support_status_changed", nil, "status", "link"),
	email("support_password_set", nil, "link"),
	email("support_authenticator_removed", nil, "method", "link"),
	email("support_contact_added", nil, "contact", "link"),
	email("support_profile_changed", nil, "fields", "link"),
	// Notices sent with the generic notice e-mail (NoticeEmail.Template).
	email("factor_added", nil),
	email("factor_removed", nil),
	email("external_linked", nil),
	email("external_unlinked", nil),
	email("external_removed", nil),
	email("signup_identifier_taken", nil),
	sms("password_reset_code", needCode, "minutes"),
	sms("sign_in_code", needCode, "link", "minutes"),
	sms("magic_link", needLink),
	sms("password_changed", nil),
	sms("account_code", needCode, "minutes"),
	sms("account_contact_changed", nil),
	sms("username_reminder", []string{"username"}),
	sms("factor_added", nil),
	sms("factor_removed", nil),
	sms("external_linked", nil),
	sms("external_unlinked", nil),
	sms("support_status_changed", nil, "status", "link"),
	sms("support_password_set", nil, "link"),
	sms("support_authenticator_removed", nil, "method", "link"),
	sms("support_contact_added", nil, "contact", "link"),
	sms("support_profile_changed", nil, "fields", "link"),
}

// TemplateKinds returns the overridable messages, e-mails first.
func TemplateKinds() []TemplateKind {
	return slices.Clone(templateKinds)
}

// LookupTemplateKind finds the declaration of kind on channel.
func LookupTemplateKind(kind, channel string) (TemplateKind, bool) {
	for _, k := range templateKinds {
		if k.Kind == kind && k.Channel == channel {
			return k, true
		}
	}
	return TemplateKind{}, false
}

// Placeholders is everything the kind's templates may use, common ones
// included, sorted.
func (k TemplateKind) Placeholders() []string {
	out := append(slices.Clone(k.Allowed), commonPlaceholders...)
	slices.Sort(out)
	return slices.Compact(out)
}

// placeholderRE is one placeholder; anything else between {{ and }} is
// refused on save, so nothing that looks like template syntax survives.
var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// fill replaces each placeholder of s by its value passed through esc.
// Unknown names (possible only for rows saved before a kind lost one)
// become empty.
func fill(s string, values map[string]string, esc func(string) string) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		return esc(values[placeholderRE.FindStringSubmatch(m)[1]])
	})
}

// usedPlaceholders lists the names used in s and reports text that looks
// like a placeholder but is not one ("{{ link", "{{.Link}}").
func usedPlaceholders(s string) (names []string, malformed bool) {
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	rest := placeholderRE.ReplaceAllString(s, "")
	return names, strings.Contains(rest, "{{") || strings.Contains(rest, "}}")
}

// sampleValues are what a preview or a test send fills in.
var sampleValues = map[string]string{
	"link": "https://id.example.com/sample-link?token=SAMPLE", "code": "123456", "minutes": "15", "days": "7",
	"username": "jane.doe", "organization": "Example Ltd", "inviter": "Alex Admin", "status": "disabled",
	"method": "passkey", "contact": "phone", "fields": "given_name, family_name",
}

// SampleValues are the kind's placeholders filled with sample values, for
// previews and test sends: appName, the recipient to and lang are the
// real ones.
func (k TemplateKind) SampleValues(appName, to, lang string) map[string]string {
	v := map[string]string{"app_name": appName, "language": lang}
	if k.Channel == storage.TemplateEmail {
		v["email"] = to
	}
	for _, p := range k.Allowed {
		if s, ok := sampleValues[p]; ok {
			v[p] = s
		}
	}
	return v
}
