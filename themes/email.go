package themes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

// ErrUnknownEmail is returned by RenderEmail for a kind the theme does not
// define.
var ErrUnknownEmail = errors.New("themes: unknown e-mail")

// emailTemplates is a copy of one e-mail kind: the HTML part parsed with
// email/_layout.html, the text part with email/_layout.txt. Its t
// translates into k, which the one render holding the copy sets.
type emailTemplates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
	k    binding
}

// emailKind is one e-mail kind parsed once and never executed; renders
// execute copies of it (see copies).
type emailKind struct {
	base   emailTemplates
	copies copies[*emailTemplates]
}

// takeEmail returns a copy of ek bound to k; the caller gives it back to
// ek.copies when it has executed it.
func (r *Renderer) takeEmail(ek *emailKind, k binding) (*emailTemplates, error) {
	et, err := ek.copies.take(func() (*emailTemplates, error) {
		et := &emailTemplates{}
		t := texttemplate.FuncMap{"t": func(key string, args ...any) string { return r.translate(et.k, key, args...) }}
		hl, err := ek.base.html.Clone()
		if err != nil {
			return nil, err
		}
		xl, err := ek.base.text.Clone()
		if err != nil {
			return nil, err
		}
		et.html, et.text = hl.Funcs(t), xl.Funcs(t)
		return et, nil
	})
	if err != nil {
		return nil, err
	}
	et.k = k
	return et, nil
}

// emailView is what e-mail templates see as the dot.
type emailView struct {
	Kind     string
	Lang     string
	Dir      string   // "rtl" or "ltr"
	Branding Branding // sanitised
	// LogoURL is Branding.LogoURL made absolute against Options.PublicURL,
	// or empty when it cannot be: a mail client has no origin to resolve
	// "/brand/..." against.
	LogoURL  string
	Contrast string // text color on PrimaryColor, "#000000" or "#ffffff"
	// Data is the kind's data: a struct (selfservice/notify's ActivationEmail
	// and the like), or a map.
	Data any
}

// loadEmails parses every email/KIND.html with its email/KIND.txt. Both parts
// are required: every e-mail has a plain-text part (ARCHITECTURE "Pages").
func (r *Renderer) loadEmails(layers []fs.FS) error {
	htmlFiles, err := collect(layers, "email", ".html", false)
	if err != nil {
		return err
	}
	textFiles, err := collect(layers, "email", ".txt", false)
	if err != nil {
		return err
	}
	r.emails = map[string]*emailKind{}
	for _, name := range sortedKeys(htmlFiles) {
		if strings.HasPrefix(name, "_") {
			continue
		}
		kind := strings.TrimSuffix(name, ".html")
		txt, ok := textFiles[kind+".txt"]
		if !ok {
			return fmt.Errorf("themes: email/%s.html has no email/%s.txt", kind, kind)
		}
		if err := r.addEmail(kind, htmlFiles["_layout.html"], htmlFiles[name], textFiles["_layout.txt"], txt); err != nil {
			return err
		}
	}
	return nil
}

func (r *Renderer) addEmail(kind string, htmlLayout, htmlSrc, textLayout, textSrc []byte) error {
	// One function map for both parts: html/template's FuncMap is text/
	// template's.
	funcs := texttemplate.FuncMap{"t": func(key string, _ ...any) string { return key }, "str": str, "lines": lines, "field": field}
	h := htmltemplate.New(kind).Funcs(funcs).Option("missingkey=zero")
	if _, err := h.New("_layout.html").Parse(string(htmlLayout)); err != nil {
		return fmt.Errorf("themes: email/_layout.html: %w", err)
	}
	if _, err := h.Parse(string(htmlSrc)); err != nil {
		return fmt.Errorf("themes: email/%s.html: %w", kind, err)
	}
	x := texttemplate.New(kind).Funcs(funcs).Option("missingkey=zero")
	if _, err := x.New("_layout.txt").Parse(string(textLayout)); err != nil {
		return fmt.Errorf("themes: email/_layout.txt: %w", err)
	}
	if _, err := x.Parse(string(textSrc)); err != nil {
		return fmt.Errorf("themes: email/%s.txt: %w", kind, err)
	}
	ek := &emailKind{base: emailTemplates{html: h, text: x}}
	// A dry run does html/template's escaping analysis now, so a broken
	// override fails New rather than a send; one language suffices.
	et, err := r.takeEmail(ek, binding{lang: r.defaultLang})
	if err != nil {
		return fmt.Errorf("themes: email/%s.html: %w", kind, err)
	}
	defer ek.copies.give(et) // idle for the first send
	dry := emailView{Kind: kind, Lang: r.defaultLang, Dir: Dir(r.defaultLang), Branding: sanitizeBranding(Branding{}, r.appName), Data: map[string]any{}}
	if err := et.html.Execute(io.Discard, dry); err != nil {
		return fmt.Errorf("themes: email/%s.html: %w", kind, err)
	}
	r.emails[kind] = ek
	return nil
}

// lines turns an optional Data value holding paragraphs ([]string or
// []any) into a string slice, so templates can range over it.
func lines(v any) []string {
	switch p := v.(type) {
	case []string:
		return p
	case []any:
		out := make([]string, len(p))
		for i := range p {
			out[i] = str(p[i])
		}
		return out
	case nil:
		return nil
	}
	return []string{str(v)}
}

// Emails returns the e-mail kinds the theme defines, sorted.
func (r *Renderer) Emails() []string {
	return sortedKeys(r.emails)
}

// RenderEmail renders an e-mail of the given kind (email/KIND.html and
// email/KIND.txt) in lang (matched like a page's language; the default
// language when nothing matches). The subject is the catalog entry
// "email.KIND.subject" formatted with the application name. The text part
// is what the template wrote, with every link on a line of its own: mail
// clients only make a URL clickable when nothing else touches it. data is
// the kind's data, read as .Data: a struct, whose fields the templates
// must match (a field they read and it lacks fails the render), or a map
// (a missing key reads as empty); nil is an empty map.
func (r *Renderer) RenderEmail(kind, lang string, branding Branding, data any) (subject, text, html string, err error) {
	ek, ok := r.emails[kind]
	if !ok {
		return "", "", "", fmt.Errorf("%w: %q", ErrUnknownEmail, kind)
	}
	l := r.match(lang)
	if l == "" {
		l = r.defaultLang
	}
	b := sanitizeBranding(branding, r.appName)
	overlay := r.overlay(context.Background(), b.Scope)
	l = r.scopedLang(l, overlay)
	k := binding{scope: bindScope(b.Scope, overlay), lang: l}
	v := emailView{Kind: kind, Lang: l, Dir: Dir(l), Branding: b, Contrast: contrastColor(strings.TrimPrefix(b.PrimaryColor, "#")), Data: data}
	v.LogoURL = r.absolute(b.LogoURL)
	if v.Data == nil {
		v.Data = map[string]any{}
	}
	et, err := r.takeEmail(ek, k)
	if err != nil {
		return "", "", "", err
	}
	defer ek.copies.give(et)
	var hb, tb bytes.Buffer
	if err := et.html.Execute(&hb, v); err != nil {
		return "", "", "", fmt.Errorf("themes: render email/%s.html: %w", kind, err)
	}
	if err := et.text.Execute(&tb, v); err != nil {
		return "", "", "", fmt.Errorf("themes: render email/%s.txt: %w", kind, err)
	}
	subject = r.translate(k, "email."+kind+".subject", b.AppName)
	// Header injection is the SMTP library's to refuse, but a subject is
	// one line by definition.
	subject = strings.Join(strings.Fields(subject), " ")
	return subject, tidyText(tb.String()), hb.String(), nil
}

// absolute is u when it is an http(s) URL, u resolved against the public
// URL when it is a path, else empty.
func (r *Renderer) absolute(u string) string {
	switch {
	case strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"):
		return u
	case strings.HasPrefix(u, "/") && r.publicURL != "":
		return r.publicURL + u
	}
	return ""
}

// tidyText trims trailing spaces and collapses runs of blank lines that
// template actions leave behind.
func tidyText(s string) string {
	var out []string
	blank := 0
	for l := range strings.SplitSeq(s, "\n") {
		if l != "-- " { // the signature separator keeps its space (RFC 3676)
			l = strings.TrimRight(l, " \t\r")
		}
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
