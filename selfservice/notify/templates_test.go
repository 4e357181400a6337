package notify_test

import (
	"strings"
	"testing"
	"time"

	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

func TestCheckTemplate(t *testing.T) {
	reset := func(text, html string) storage.MessageTemplate {
		return storage.MessageTemplate{Kind: "password_reset", Channel: storage.TemplateEmail, Language: "de",
			Subject: "Neues Passwort für {{app_name}}", Text: text, HTML: html}
	}
	const goodText = "Hallo,\n\n{{link}}\n\nGültig {{minutes}} Minuten.\n"
	const goodHTML = `<p>Hallo <b>{{email}}</b></p><p><a href="{{link}}" style="color:#123">Passwort wählen</a></p>`
	cases := []struct {
		name string
		t    storage.MessageTemplate
		want map[string]string // field -> part of the message; nil: accepted
	}{
		{"good", reset(goodText, goodHTML), nil},
		{"no HTML part", reset(goodText, ""), map[string]string{"html": "required"}},
		{"good SMS", storage.MessageTemplate{Kind: "password_reset_code", Channel: storage.TemplateSMS, Text: "{{app_name}}: Code {{ code }}"}, nil},
		{"link missing in text", reset("Hallo\n", goodHTML), map[string]string{"text": "must contain {{link}}"}},
		{"link missing in html", reset(goodText, "<p>Hallo</p>"), map[string]string{"html": "must contain {{link}}"}},
		{"link not on its own line", reset("Hier: {{link}}\n", goodHTML), map[string]string{"text": "alone on its line"}},
		{"script", reset(goodText, goodHTML+"<script>alert(1)</script>"), map[string]string{"html": "<script>"}},
		{"iframe", reset(goodText, goodHTML+`<iframe src="https://x.example"></iframe>`), map[string]string{"html": "<iframe>"}},
		{"form", reset(goodText, goodHTML+`<form action="https://x.example"><button>Go</button></form>`), map[string]string{"html": "<form>"}},
		{"meta refresh", reset(goodText, goodHTML+`<meta http-equiv="Refresh" content="0;url=https://x.example">`), map[string]string{"html": "refresh"}},
		{"on* handler", reset(goodText, `<p onclick="steal()"><a href="{{link}}">x</a></p>`), map[string]string{"html": "onclick"}},
		{"javascript: URL", reset(goodText, goodHTML+`<a href="  JavaScript:alert(1)">x</a>`), map[string]string{"html": "javascript:"}},
		{"entity-encoded javascript: URL", reset(goodText, goodHTML+`<a href="java&#x09;script&#58;alert(1)">x</a>`), map[string]string{"html": "javascript:"}},
		{"data: image", reset(goodText, goodHTML+`<img src="data:image/svg+xml;base64,PHN2Zz4=">`), map[string]string{"html": "data:"}},
		{"unknown placeholder", reset(goodText+"{{password}}\n", goodHTML), map[string]string{"text": "unknown placeholder {{password}}"}},
		{"Go template syntax", reset(goodText+"{{.Link}}\n", goodHTML), map[string]string{"text": "not a placeholder"}},
		{"every problem at once", storage.MessageTemplate{Kind: "password_reset", Channel: storage.TemplateEmail,
			Language: "not a tag!", Text: "nothing", HTML: "<script></script>"},
			map[string]string{"subject": "required", "text": "{{link}}", "html": "{{link}}", "language": "BCP 47"}},
		{"SMS too long", storage.MessageTemplate{Kind: "password_reset_code", Channel: storage.TemplateSMS,
			Text: "{{code}}" + strings.Repeat("x", notify.MaxTemplateSMS)}, map[string]string{"text": "at most 480"}},
		{"SMS without its code", storage.MessageTemplate{Kind: "sign_in_code", Channel: storage.TemplateSMS, Text: "Hi"},
			map[string]string{"text": "{{code}}"}},
		{"SMS with HTML", storage.MessageTemplate{Kind: "sign_in_code", Channel: storage.TemplateSMS, Text: "{{code}}", HTML: "<p></p>"},
			map[string]string{"html": "no HTML"}},
		{"unknown kind", storage.MessageTemplate{Kind: "nope", Channel: storage.TemplateEmail}, map[string]string{"kind": "nope"}},
		{"unknown channel", storage.MessageTemplate{Kind: "activation", Channel: "fax"}, map[string]string{"channel": "email or sms"}},
		{"html too big", reset(goodText, goodHTML+strings.Repeat("<p>x</p>", notify.MaxTemplateHTML/8)), map[string]string{"html": "at most"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl := c.t
			got := notify.CheckTemplate(&tmpl)
			if len(got) != len(c.want) {
				t.Fatalf("CheckTemplate = %v, want problems with %v", got, c.want)
			}
			for field, part := range c.want {
				if !strings.Contains(got[field], part) {
					t.Errorf("%s: %q, want it to mention %q", field, got[field], part)
				}
			}
		})
	}
}

// TestCheckTemplatePlaceholdersInMarkup: a placeholder's value is only
// HTML-escaped, which keeps it inside text and quoted attribute values;
// elsewhere in a tag, or as a whole URL, a value someone else chose (an
// organization's name, an inviter's) would add an event handler or a
// javascript: link the check refuses in the template itself.
func TestCheckTemplatePlaceholdersInMarkup(t *testing.T) {
	const text = "Hello,\n\n{{link}}\n"
	for _, c := range []struct {
		html string
		ok   bool
	}{
		{`<p title="{{organization}}">{{inviter}} invites you</p><a href="{{link}}">Join</a>`, true},
		{`<p>Write to <a href="mailto:{{email}}">{{email}}</a></p><a href={{link}}>Join</a>`, true},
		{`<p title={{organization}}>Hello</p><a href="{{link}}">Join</a>`, false},
		{`<p {{inviter}}>Hello</p><a href="{{link}}">Join</a>`, false},
		{`<a href="{{inviter}}">Who</a><a href="{{link}}">Join</a>`, false},
		{`<img alt=x{{organization}}><a href="{{link}}">Join</a>`, false},
	} {
		tmpl := storage.MessageTemplate{Kind: "invitation", Channel: storage.TemplateEmail, Subject: "Join {{organization}}",
			Text: text, HTML: c.html}
		got := notify.CheckTemplate(&tmpl)
		if (got == nil) != c.ok || (!c.ok && !strings.Contains(got["html"], "placeholder")) {
			t.Errorf("CheckTemplate(%s) = %v; want accepted %v", c.html, got, c.ok)
		}
	}
}

func TestCheckTemplateCanonicalisesLanguage(t *testing.T) {
	tmpl := storage.MessageTemplate{Kind: "account_code", Channel: storage.TemplateEmail, Language: "de-ch",
		Subject: "Code", Text: "{{code}}", HTML: "<p>{{code}}</p>"}
	if p := notify.CheckTemplate(&tmpl); p != nil || tmpl.Language != "de-CH" {
		t.Fatalf("CheckTemplate = %v, language %q", p, tmpl.Language)
	}
}

// An application's template replaces the theme's e-mail in its language
// (or any language) and nowhere else; values are escaped in the HTML part.
func TestEmailUsesApplicationTemplate(t *testing.T) {
	store := sqltest.SQLite(t)
	ctx := t.Context()
	app := &storage.Application{Name: "Shop"}
	other := &storage.Application{Name: "Other"}
	for _, a := range []*storage.Application{app, other} {
		if err := store.CreateApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	put := func(lang, subject string) {
		tmpl := &storage.MessageTemplate{ApplicationID: app.ID, Kind: "password_reset", Channel: storage.TemplateEmail,
			Language: lang, Subject: subject, Text: "{{app_name}} <{{email}}>\n{{link}}\n",
			HTML: `<p>{{app_name}}</p><a href="{{link}}">Go</a>`}
		if p := notify.CheckTemplate(tmpl); p != nil {
			t.Fatal(p)
		}
		if err := store.PutMessageTemplate(ctx, tmpl, 0); err != nil {
			t.Fatal(err)
		}
	}
	put("de", "Eigenes Passwort-Mail")
	put("", "Any language")
	c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc := newService(t, store, c)
	svc.UseTemplates(store)
	const link = "https://id.example/reset?a=1&b=2"
	send := func(a *storage.Application, lang string) notify.Message {
		b := themes.Branding{AppName: a.Name + " & Co", ApplicationID: a.ID}
		m, err := svc.Email(ctx, "jane@example.com", "acct", "password_reset", lang, b, notify.PasswordResetEmail{Link: link, Minutes: 5})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, lang := range []string{"de", "de-AT"} {
		m := send(app, lang)
		if m.Subject != "Eigenes Passwort-Mail" || m.Text != "Shop & Co <jane@example.com>\n"+link+"\n" || m.Kind != "password_reset" {
			t.Errorf("%s: override not used: %q %q", lang, m.Subject, m.Text)
		}
		if m.HTML != `<p>Shop &amp; Co</p><a href="https://id.example/reset?a=1&amp;b=2">Go</a>` {
			t.Errorf("%s: HTML = %s", lang, m.HTML)
		}
		if links := notifytest.FindLinks(m.Text); len(links) != 1 || links[0] != link {
			t.Errorf("%s: text links %q", lang, links)
		}
	}
	if m := send(app, "en"); m.Subject != "Any language" {
		t.Errorf("en: subject %q, want the any-language template", m.Subject)
	}
	if m := send(other, "de"); strings.Contains(m.Subject, "Eigenes") || m.Subject == "Any language" {
		t.Errorf("another application got the override: %q", m.Subject)
	}
	// Data without the link the template requires gets the theme's text.
	m, err := svc.Email(ctx, "jane@example.com", "acct", "password_reset", "de", themes.Branding{AppName: "Shop", ApplicationID: app.ID},
		map[string]any{"Link": link})
	if err != nil || m.Subject == "Eigenes Passwort-Mail" || !strings.Contains(m.Text, link) {
		t.Errorf("map data: %q %v\n%s", m.Subject, err, m.Text)
	}
}

// A sign-in message with a link and no code follows the magic_link
// template; SMS templates are filled the same way.
func TestSMSAndMagicLinkTemplates(t *testing.T) {
	store := sqltest.SQLite(t)
	ctx := t.Context()
	app := &storage.Application{Name: "Shop"}
	if err := store.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range []*storage.MessageTemplate{
		{ApplicationID: app.ID, Kind: "magic_link", Channel: storage.TemplateEmail, Subject: "Magic", Text: "{{link}}"},
		{ApplicationID: app.ID, Kind: "sign_in_code", Channel: storage.TemplateSMS, Text: "{{app_name}} code {{code}} ({{minutes}} min)"},
	} {
		if err := store.PutMessageTemplate(ctx, tmpl, 0); err != nil {
			t.Fatal(err)
		}
	}
	svc := newService(t, store, &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)})
	svc.UseTemplates(store)
	b := themes.Branding{AppName: "Shop", ApplicationID: app.ID}
	m, err := svc.Email(ctx, "j@example.com", "", "sign_in_code", "en", b, notify.SignInCodeEmail{Link: "https://id.example/m"})
	if err != nil || m.Subject != "Magic" || m.Kind != "sign_in_code" {
		t.Errorf("magic link e-mail: %+v, %v", m, err)
	}
	m, err = svc.Email(ctx, "j@example.com", "", "sign_in_code", "en", b, notify.SignInCodeEmail{Code: "123456"})
	if err != nil || m.Subject == "Magic" {
		t.Errorf("code e-mail used the magic link template: %+v, %v", m, err)
	}
	m, err = svc.SMSFor(ctx, "+4917012345", "", "sign_in_code", "en", b, map[string]string{"code": "123456", "minutes": "5"}, "default")
	if err != nil || m.Text != "Shop code 123456 (5 min)" {
		t.Errorf("SMS = %q, %v", m.Text, err)
	}
	m, err = svc.SMSFor(ctx, "+4917012345", "", "password_reset_code", "en", b, map[string]string{"code": "1"}, "default")
	if err != nil || m.Text != "default" {
		t.Errorf("SMS without a template = %q, %v", m.Text, err)
	}
}

// A notice e-mail follows the template of the kind it names; one naming
// none (an administrator's announcement) always gets the theme's text,
// even when a template of another notice kind exists.
func TestNoticeTemplates(t *testing.T) {
	store := sqltest.SQLite(t)
	ctx := t.Context()
	app := &storage.Application{Name: "Shop"}
	if err := store.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	tmpl := &storage.MessageTemplate{ApplicationID: app.ID, Kind: "factor_added", Channel: storage.TemplateEmail,
		Subject: "New factor at {{app_name}}", Text: "Hello {{email}}", HTML: "<p>Hello</p>"}
	if err := store.PutMessageTemplate(ctx, tmpl, 0); err != nil {
		t.Fatal(err)
	}
	svc := newService(t, store, &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)})
	svc.UseTemplates(store)
	b := themes.Branding{AppName: "Shop", ApplicationID: app.ID}
	notice := notify.NoticeEmail{Title: "email.factor_added.title", Paragraphs: []string{"email.factor_added.body"}}
	for _, tc := range []struct {
		template, subject string
	}{{"factor_added", "New factor at Shop"}, {"factor_removed", ""}, {"", ""}} {
		notice.Template = tc.template
		m, err := svc.Email(ctx, "j@example.com", "acct", "notice", "en", b, notice)
		if err != nil {
			t.Fatalf("%q: %v", tc.template, err)
		}
		if m.Kind != "notice" || m.AccountID != "acct" {
			t.Errorf("%q: kind %q account %q", tc.template, m.Kind, m.AccountID)
		}
		switch {
		case tc.subject != "" && (m.Subject != tc.subject || m.Text != "Hello j@example.com\n"):
			t.Errorf("%q: override not used: %q %q", tc.template, m.Subject, m.Text)
		case tc.subject == "" && (m.Subject == "" || strings.Contains(m.Subject, "New factor")):
			t.Errorf("%q: want the theme's notice, got %q", tc.template, m.Subject)
		}
	}
	// Every notice kind a flow names is declared, on both channels where
	// the flows send an SMS.
	for _, k := range []string{"factor_added", "factor_removed", "external_linked", "external_unlinked", "external_removed", "signup_identifier_taken"} {
		if _, ok := notify.LookupTemplateKind(k, storage.TemplateEmail); !ok {
			t.Errorf("e-mail kind %s not declared", k)
		}
	}
	for _, k := range []string{"password_changed", "username_reminder", "factor_added", "factor_removed", "support_password_set", "account_code"} {
		if _, ok := notify.LookupTemplateKind(k, storage.TemplateSMS); !ok {
			t.Errorf("SMS kind %s not declared", k)
		}
	}
}
