package themes

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestRenderEmailKinds(t *testing.T) {
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"notice", "activation", "password_reset", "password_changed", "username_reminder", "signup_attempt_existing"} {
		if !slices.Contains(r.Emails(), kind) {
			t.Errorf("Emails() lacks %q", kind)
		}
	}
	const link = "https://id.example.com/activate?token=abc&x=1"
	brand := Branding{AppName: "Acme Shop", LogoURL: "https://cdn.example.com/logo.png", PrimaryColor: "#ffcc00"}
	tests := []struct {
		kind, lang  string
		data        map[string]any
		subject     string
		textHas     []string
		htmlHas     []string
		linkOnALine bool
	}{
		{"activation", "en", map[string]any{"Link": link, "Minutes": 60}, "Activate your Acme Shop account",
			[]string{"signing up to Acme Shop", "60 minutes"}, []string{"Activate account", "#ffcc00", "#000000", "https://cdn.example.com/logo.png"}, true},
		{"activation", "de-AT", map[string]any{"Link": link}, "Aktivieren Sie Ihr Konto bei Acme Shop",
			[]string{"Registrierung bei Acme Shop"}, []string{`lang="de"`, "Konto aktivieren"}, true},
		{"password_reset", "en", map[string]any{"Link": link, "Minutes": 30}, "Reset your Acme Shop password",
			[]string{"30 minutes"}, []string{"Choose a new password"}, true},
		{"password_changed", "en", nil, "Your Acme Shop password was changed",
			[]string{"was just changed"}, []string{"was just changed"}, false},
		{"username_reminder", "en", map[string]any{"Username": "<jane>", "Link": link}, "Your Acme Shop username",
			[]string{"\n<jane>\n"}, []string{"&lt;jane&gt;", "Sign in"}, true},
		{"signup_attempt_existing", "de", map[string]any{"Link": link}, "Jemand wollte sich mit Ihrer Adresse bei Acme Shop registrieren",
			[]string{"bereits eines"}, []string{"Anmelden"}, true},
		{"notice", "en", map[string]any{"Title": "Your invitation", "Paragraphs": []string{"First.", "Second 100%."}, "Link": link, "LinkText": "Accept"},
			"A message from Acme Shop", []string{"Your invitation\n\nFirst.\n\nSecond 100%.\n"}, []string{"<h1", "Accept", "Second 100%."}, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.lang, func(t *testing.T) {
			subject, text, html, err := r.RenderEmail(tt.kind, tt.lang, brand, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tt.subject {
				t.Errorf("subject = %q, want %q", subject, tt.subject)
			}
			for _, s := range append(tt.textHas, "Acme Shop") {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range append(tt.htmlHas, "Acme Shop") {
				if !strings.Contains(html, s) {
					t.Errorf("html lacks %q:\n%s", s, html)
				}
			}
			// Every link in the text part stands alone on its line.
			lines := strings.Split(text, "\n")
			for _, l := range lines {
				if strings.Contains(l, "://") && strings.TrimSpace(l) != l || strings.Contains(l, "://") && strings.Contains(l, " ") {
					t.Errorf("text line %q has a link and something else", l)
				}
			}
			if tt.linkOnALine != slices.Contains(lines, link) {
				t.Errorf("text has the link on a line of its own: %v, want %v:\n%s", !tt.linkOnALine, tt.linkOnALine, text)
			}
			if tt.linkOnALine && !strings.Contains(html, `href="https://id.example.com/activate?token=abc&amp;x=1"`) {
				t.Errorf("html lacks the escaped link:\n%s", html)
			}
			if strings.Contains(text, "\n\n\n") || strings.Contains(text, "<no value>") || strings.Contains(html, "<no value>") {
				t.Errorf("stray blank lines or missing values:\n%s", text)
			}
		})
	}
}

func TestRenderEmailSanitises(t *testing.T) {
	r, err := New(Options{DefaultAppName: "Foyer"})
	if err != nil {
		t.Fatal(err)
	}
	// A relative logo cannot be resolved by a mail client: the name shows.
	_, _, html, err := r.RenderEmail("password_changed", "xx", Branding{LogoURL: "/static/logo.png", PrimaryColor: "red;x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "/static/logo.png") || !strings.Contains(html, "<strong") || !strings.Contains(html, DefaultPrimaryColor) ||
		!strings.Contains(html, "Foyer") || strings.Contains(html, "red;x") {
		t.Errorf("html not sanitised:\n%s", html)
	}
	if _, _, _, err := r.RenderEmail("nope", "en", Branding{}, nil); !errors.Is(err, ErrUnknownEmail) {
		t.Errorf("unknown kind: %v, want ErrUnknownEmail", err)
	}
}
