package notify

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"foyer/storage"
	"foyer/themes"
)

// TemplateSource is where Service finds the message templates of an
// application (storage.MessageTemplates).
type TemplateSource interface {
	GetMessageTemplate(ctx context.Context, applicationID, kind, channel, language string) (*storage.MessageTemplate, error)
}

// UseTemplates makes the service send an application's message templates
// in place of the theme's messages (wiring, before the first message).
func (s *Service) UseTemplates(src TemplateSource) {
	s.templates = src
}

// RenderTemplate fills t's placeholders with values: as written in the
// subject and text, HTML-escaped in the HTML part. The HTML part is sent
// as the administrator wrote it, without the theme's layout: it is the
// whole message, so what the console previews is what is sent.
func RenderTemplate(t *storage.MessageTemplate, values map[string]string) (subject, text, htmlPart string) {
	plain := func(s string) string { return s }
	subject = strings.Join(strings.Fields(fill(t.Subject, values, plain)), " ")
	text = strings.TrimRight(fill(t.Text, values, plain), "\n") + "\n"
	htmlPart = fill(t.HTML, values, html.EscapeString)
	return subject, text, htmlPart
}

// override finds the application's template of kind on channel for lang:
// the exact tag, then its language without region, then the template for
// any language. nil when there is none (or no source, or no application).
func (s *Service) override(ctx context.Context, b themes.Branding, kind, channel, lang string) (*storage.MessageTemplate, error) {
	if s.templates == nil || b.ApplicationID == "" {
		return nil, nil
	}
	for _, l := range templateLanguages(lang) {
		t, err := s.templates.GetMessageTemplate(ctx, b.ApplicationID, kind, channel, l)
		switch {
		case err == nil:
			return t, nil
		case !errors.Is(err, storage.ErrNotFound):
			return nil, fmt.Errorf("notify: message template %s/%s: %w", kind, channel, err)
		}
	}
	return nil, nil
}

// templateLanguages are the template languages tried for lang, best first.
func templateLanguages(lang string) []string {
	var out []string
	if lang != "" {
		out = append(out, lang)
		if base, _, ok := strings.Cut(lang, "-"); ok {
			out = append(out, base)
		}
	}
	return append(out, "")
}

// templateKindOf is the template kind of a message: a sign-in message
// with a link and no code is a magic link.
func templateKindOf(kind string, values map[string]string) string {
	if kind == "sign_in_code" && values["code"] == "" && values["link"] != "" {
		return "magic_link"
	}
	return kind
}

// emailValues are the placeholder values of an e-mail's data.
func emailValues(to, lang string, b themes.Branding, data any) map[string]string {
	v := map[string]string{"app_name": b.AppName, "email": to, "language": lang}
	minutes := func(n int) {
		if n > 0 {
			v["minutes"] = strconv.Itoa(n)
		}
	}
	switch d := data.(type) {
	case ActivationEmail:
		v["link"] = d.Link
		minutes(d.Minutes)
	case PasswordResetEmail:
		v["link"] = d.Link
		minutes(d.Minutes)
	case PasswordChangedEmail:
		v["link"] = d.Link
	case SignInCodeEmail:
		v["code"], v["link"] = d.Code, d.Link
		minutes(d.Minutes)
	case UsernameReminderEmail:
		v["username"], v["link"] = d.Username, d.Link
	case InvitationEmail:
		v["link"], v["organization"], v["inviter"] = d.Link, d.Organization, d.Inviter
		if d.Days > 0 {
			v["days"] = strconv.Itoa(d.Days)
		}
	case SignupAttemptEmail:
		v["link"] = d.Link
	case FailedSignInsEmail:
		v["link"] = d.Link
	case AccountCodeEmail:
		v["code"] = d.Code
		minutes(d.Minutes)
	case NoticeEmail:
		v["link"] = d.Link
	case SupportNoticeEmail:
		v["status"], v["method"], v["contact"], v["link"] = d.Status, d.Method, d.Contact, d.Link
		v["fields"] = strings.Join(d.Fields, ", ")
	}
	return v
}

// renderOverride renders the application's e-mail template of kind, if
// it has one; ok is false when the theme's message is to be sent.
func (s *Service) renderOverride(ctx context.Context, to, kind, lang string, b themes.Branding, data any) (m Message, ok bool, err error) {
	values := emailValues(to, lang, b, data)
	tkind := templateKindOf(kind, values)
	if kind == "notice" {
		// The generic notice is overridable only as the kind it names.
		n, _ := data.(NoticeEmail)
		if tkind = n.Template; tkind == "" {
			return Message{}, false, nil
		}
	}
	t, err := s.override(ctx, b, tkind, storage.TemplateEmail, lang)
	if err != nil || t == nil || !hasRequired(t, values) {
		return Message{}, false, err
	}
	subject, text, htmlPart := RenderTemplate(t, values)
	return Message{Channel: ChannelEmail, To: to, Subject: subject, Text: text, HTML: htmlPart, Kind: kind}, true, nil
}

// SMSFor queues an SMS of kind for the application of b: its template for
// lang filled with values when it has one, else text (the theme's
// message, already in the customer's language). values are the kind's
// placeholders (app_name and language are added).
func (s *Service) SMSFor(ctx context.Context, to, accountID, kind, lang string, b themes.Branding, values map[string]string, text string) (Message, error) {
	v := map[string]string{"app_name": b.AppName, "language": lang}
	for k, x := range values {
		v[k] = x
	}
	t, err := s.override(ctx, b, templateKindOf(kind, v), storage.TemplateSMS, lang)
	if err != nil {
		return Message{}, err
	}
	if t != nil && hasRequired(t, v) {
		_, text, _ = RenderTemplate(t, v)
		text = strings.TrimRight(text, "\n")
	}
	return s.SMS(ctx, to, accountID, kind, text)
}

// hasRequired reports whether values hold every placeholder t's kind
// requires: a message whose data lacks its link or code (data the kind
// does not declare, such as a map) gets the theme's text rather than one
// with a hole where the link belongs.
func hasRequired(t *storage.MessageTemplate, values map[string]string) bool {
	k, ok := LookupTemplateKind(t.Kind, t.Channel)
	if !ok {
		return false
	}
	for _, r := range k.Required {
		if values[r] == "" {
			return false
		}
	}
	return true
}
