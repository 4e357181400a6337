package notify

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/language"

	"foyer/storage"
)

// Size limits of a template's parts.
const (
	MaxTemplateSubject = 200
	MaxTemplateText    = 16 << 10
	MaxTemplateHTML    = 64 << 10
	// MaxTemplateSMS is three concatenated SMS segments of 160 characters.
	MaxTemplateSMS = 480
)

// refusedElements can run code, load other documents or send data
// somewhere; an e-mail needs none of them.
var refusedElements = map[string]bool{
	"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "form": true, "base": true, "noscript": true,
}

// urlAttributes hold URLs a mail client may follow or load.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "background": true, "poster": true,
	"srcset": true, "xlink:href": true, "cite": true, "longdesc": true, "dynsrc": true, "lowsrc": true,
}

// CheckTemplate reports every problem of t at once, by field (kind,
// channel, language, subject, text, html), or nil when it may be saved.
// It canonicalises t.Language.
func CheckTemplate(t *storage.MessageTemplate) map[string]string {
	problems := map[string]string{}
	k, ok := LookupTemplateKind(t.Kind, t.Channel)
	if !ok {
		if t.Channel != storage.TemplateEmail && t.Channel != storage.TemplateSMS {
			problems["channel"] = "must be email or sms"
		} else {
			problems["kind"] = fmt.Sprintf("no %s message is called %q", t.Channel, t.Kind)
		}
		return problems
	}
	if t.Language != "" {
		tag, err := language.Parse(t.Language)
		if err != nil {
			problems["language"] = "must be a BCP 47 language tag, or empty for any language"
		} else {
			t.Language = tag.String()
		}
	}
	if t.Channel == storage.TemplateSMS {
		checkSMS(k, t, problems)
	} else {
		checkEmail(k, t, problems)
	}
	if len(problems) == 0 {
		return nil
	}
	return problems
}

func checkSMS(k TemplateKind, t *storage.MessageTemplate, problems map[string]string) {
	if t.Subject != "" {
		problems["subject"] = "an SMS has no subject"
	}
	if t.HTML != "" {
		problems["html"] = "an SMS has no HTML part"
	}
	switch n := utf8.RuneCountInString(t.Text); {
	case n == 0:
		problems["text"] = "is required"
	case n > MaxTemplateSMS:
		problems["text"] = fmt.Sprintf("is %d characters long; an SMS may have at most %d", n, MaxTemplateSMS)
	default:
		if p := checkPlaceholders(k, t.Text, k.Required...); p != "" {
			problems["text"] = p
		}
	}
}

func checkEmail(k TemplateKind, t *storage.MessageTemplate, problems map[string]string) {
	switch {
	case strings.TrimSpace(t.Subject) == "":
		problems["subject"] = "is required"
	case utf8.RuneCountInString(t.Subject) > MaxTemplateSubject:
		problems["subject"] = fmt.Sprintf("may have at most %d characters", MaxTemplateSubject)
	case strings.ContainsAny(t.Subject, "\r\n"):
		problems["subject"] = "must be one line"
	default:
		if p := checkPlaceholders(k, t.Subject); p != "" {
			problems["subject"] = p
		}
	}
	switch {
	case strings.TrimSpace(t.Text) == "":
		problems["text"] = "is required: every e-mail has a plain-text part"
	case len(t.Text) > MaxTemplateText:
		problems["text"] = fmt.Sprintf("may have at most %d bytes", MaxTemplateText)
	default:
		if p := checkPlaceholders(k, t.Text, k.Required...); p != "" {
			problems["text"] = p
		} else if !linkOnOwnLine(t.Text) {
			problems["text"] = "{{link}} must stand alone on its line: mail clients only make a link clickable when nothing touches it"
		}
	}
	switch {
	case strings.TrimSpace(t.HTML) == "":
		problems["html"] = "is required: every e-mail has an HTML part"
	case len(t.HTML) > MaxTemplateHTML:
		problems["html"] = fmt.Sprintf("may have at most %d bytes", MaxTemplateHTML)
	default:
		if p := checkPlaceholders(k, t.HTML, k.Required...); p != "" {
			problems["html"] = p
		} else if p := checkHTML(t.HTML); p != "" {
			problems["html"] = p
		} else if checkHTML(probePlaceholders(t.HTML)) != "" {
			problems["html"] = "has a placeholder where its value could become markup: put placeholders in text or " +
				`inside a quoted attribute value (title="{{organization}}"), and only {{link}} at the start of a link`
		}
	}
}

// checkPlaceholders says what is wrong with the placeholders of s: a
// malformed one, one the kind does not know, or a required one missing.
func checkPlaceholders(k TemplateKind, s string, required ...string) string {
	names, malformed := usedPlaceholders(s)
	if malformed {
		return "has {{ or }} that is not a placeholder: write placeholders as {{name}}"
	}
	allowed := k.Placeholders()
	var unknown []string
	for _, n := range names {
		if !slices.Contains(allowed, n) && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return fmt.Sprintf("unknown placeholder {{%s}}; this message may use %s", strings.Join(unknown, "}}, {{"), braces(allowed))
	}
	var missing []string
	for _, r := range required {
		if !slices.Contains(names, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("must contain %s", braces(missing))
	}
	return ""
}

func braces(names []string) string {
	return "{{" + strings.Join(names, "}}, {{") + "}}"
}

// linkOnOwnLine reports whether every {{link}} of a text part is alone on
// its line (ARCHITECTURE: each link of a plain-text part stands alone).
func linkOnOwnLine(text string) bool {
	for line := range strings.SplitSeq(text, "\n") {
		names, _ := usedPlaceholders(line)
		line = strings.TrimSpace(line)
		if slices.Contains(names, "link") && placeholderRE.FindString(line) != line {
			return false
		}
	}
	return true
}

// placeholderProbe is what probePlaceholders puts in: an event handler
// where the value is outside quotes in a tag, a javascript: URL where it
// starts a link.
const placeholderProbe = "javascript:probe() onprobe=1"

// probePlaceholders is src as RenderTemplate would make it were every
// value (but the link, which Foyer makes) chosen by an attacker: a value
// is only HTML-escaped, which keeps it inside text and quoted attribute
// values, so checkHTML refuses the result when a placeholder stands
// anywhere else in a tag or at the start of a URL.
func probePlaceholders(src string) string {
	return placeholderRE.ReplaceAllStringFunc(src, func(m string) string {
		if placeholderRE.FindStringSubmatch(m)[1] == "link" {
			return html.EscapeString(sampleValues["link"])
		}
		return html.EscapeString(placeholderProbe)
	})
}

// checkHTML refuses markup that runs code or sends the reader's data
// elsewhere: script-like elements, meta refresh, on* handlers,
// javascript: and data: URLs, script in style attributes.
func checkHTML(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return ""
			}
			return "cannot be parsed as HTML"
		case html.StartTagToken, html.SelfClosingTagToken:
			if p := checkTag(z.Token()); p != "" {
				return p
			}
		}
	}
}

func checkTag(tok html.Token) string {
	name := strings.ToLower(tok.Data)
	if refusedElements[name] {
		return fmt.Sprintf("may not contain <%s> elements", name)
	}
	for _, a := range tok.Attr {
		key, val := strings.ToLower(a.Key), strings.ToLower(a.Val)
		switch {
		case strings.HasPrefix(key, "on"):
			return fmt.Sprintf("may not contain event handler attributes (%s on <%s>)", key, name)
		case name == "meta" && key == "http-equiv" && strings.TrimSpace(val) == "refresh":
			return "may not contain <meta http-equiv=\"refresh\">"
		case urlAttributes[key] && dangerousURL(val):
			return fmt.Sprintf("may not link to javascript:, vbscript: or data: URLs (%s on <%s>)", key, name)
		case key == "style" && (strings.Contains(val, "javascript:") || strings.Contains(val, "expression(")):
			return fmt.Sprintf("may not run script from a style attribute (on <%s>)", name)
		}
	}
	return ""
}

// dangerousURL: browsers ignore whitespace and control characters inside
// a scheme, so "java\tscript:" is javascript: too.
func dangerousURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, v)
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(v, scheme) || strings.Contains(v, ","+scheme) {
			return true
		}
	}
	return false
}
