package notify_test

import (
	"testing"

	"foyer/selfservice/notify"
	"foyer/themes"
)

// TestEmailStructsRenderLikeMaps renders each e-mail the flows send, in the
// shapes they send it (a link or none, a code or none, a lifetime or
// none), once with the map the flows passed before they had structs and
// once with the kind's struct, in every language: subject, text and HTML
// must be byte-identical, so moving a flow to its struct changes no mail.
// The notice's map gave Paragraphs as one string, which the template read
// as a single paragraph.
func TestEmailStructsRenderLikeMaps(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const link = "https://id.example/link?token=t1&x=1"
	cases := []struct {
		kind    string
		oldData map[string]any
		data    any
	}{
		{"activation", map[string]any{"Link": link, "Minutes": 47}, notify.ActivationEmail{Link: link, Minutes: 47}},
		{"activation", map[string]any{"Link": link, "Minutes": 0}, notify.ActivationEmail{Link: link}},
		{"password_reset", map[string]any{"Link": link, "Minutes": 47}, notify.PasswordResetEmail{Link: link, Minutes: 47}},
		{"password_reset", map[string]any{"Link": link, "Minutes": 0}, notify.PasswordResetEmail{Link: link}},
		{"sign_in_code", map[string]any{"Code": "918273", "Link": link, "Minutes": 10},
			notify.SignInCodeEmail{Code: "918273", Link: link, Minutes: 10}},
		{"sign_in_code", map[string]any{"Code": "918273", "Link": "", "Minutes": 10},
			notify.SignInCodeEmail{Code: "918273", Minutes: 10}},
		{"sign_in_code", map[string]any{"Code": "", "Link": link, "Minutes": 10},
			notify.SignInCodeEmail{Link: link, Minutes: 10}},
		{"password_changed", map[string]any{}, notify.PasswordChangedEmail{}},
		{"username_reminder", map[string]any{"Username": "jane-doe"}, notify.UsernameReminderEmail{Username: "jane-doe"}},
		{"signup_attempt_existing", map[string]any{"Link": link}, notify.SignupAttemptEmail{Link: link}},
		{"signup_attempt_existing", map[string]any{"Link": ""}, notify.SignupAttemptEmail{}},
		{"notice", map[string]any{"Title": "email.factor_added.title",
			"Paragraphs": []string{"email.factor_added.body", "email.factor_changed.not_you"}},
			notify.NoticeEmail{Title: "email.factor_added.title",
				Paragraphs: []string{"email.factor_added.body", "email.factor_changed.not_you"}}},
		{"notice", map[string]any{"Title": "email.signup_identifier_taken.title", "Paragraphs": "email.signup_identifier_taken.body"},
			notify.NoticeEmail{Title: "email.signup_identifier_taken.title",
				Paragraphs: []string{"email.signup_identifier_taken.body"}}},
		// admin/manage's administrator invitation, still a map: its
		// struct would render the same.
		{"notice", map[string]any{"Title": "You are invited", "Paragraphs": []string{"One.", "Two <b>&</b>."},
			"Link": link, "LinkText": "Open the admin console"},
			notify.NoticeEmail{Title: "You are invited", Paragraphs: []string{"One.", "Two <b>&</b>."},
				Link: link, LinkText: "Open the admin console"}},
	}
	b := themes.Branding{AppName: "Acme Shop", PrimaryColor: "#112233", LogoURL: "https://cdn.example/logo.png"}
	for _, c := range cases {
		for _, lang := range r.Languages() {
			ws, wt, wh, err := r.RenderEmail(c.kind, lang, b, c.oldData)
			if err != nil {
				t.Fatalf("%s (%s) with a map: %v", c.kind, lang, err)
			}
			gs, gt, gh, err := r.RenderEmail(c.kind, lang, b, c.data)
			if err != nil {
				t.Fatalf("%s (%s) with %T: %v", c.kind, lang, c.data, err)
			}
			if gs != ws || gt != wt || gh != wh {
				t.Errorf("%s (%s): %#v renders differently from %v:\n%q\n%q\nvs\n%q\n%q",
					c.kind, lang, c.data, c.oldData, gs, gt, ws, wt)
			}
		}
	}
}
