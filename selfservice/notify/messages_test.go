package notify_test

import (
	"slices"
	"strings"
	"testing"

	"foyer/selfservice/notify"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// TestEmailsRenderTheirData renders every e-mail kind of the default theme
// with its data struct, every field set, in every language, and checks
// each value is in the text part and the HTML part: a field renamed on one
// side only fails here (the theme's trial run at start-up uses an empty
// map, which reads every key as empty). A kind without a struct fails too.
// Message keys the catalogs lack render as themselves.
func TestEmailsRenderTheirData(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const link = "https://id.example/link?token=t1&x=1"
	linkText, linkHTML := "\n"+link+"\n", `href="https://id.example/link?token=t1&amp;x=1"`
	cases := map[string]struct {
		data       any
		text, html []string
	}{
		"activation": {notify.ActivationEmail{Link: link, Minutes: 47},
			[]string{linkText, "47"}, []string{linkHTML, "47"}},
		"organization_signup": {notify.ActivationEmail{Link: link, Minutes: 47},
			[]string{linkText, "47"}, []string{linkHTML, "47"}},
		"password_reset": {notify.PasswordResetEmail{Link: link, Minutes: 47},
			[]string{linkText, "47"}, []string{linkHTML, "47"}},
		"password_changed": {notify.PasswordChangedEmail{Link: link},
			[]string{linkText}, []string{linkHTML}},
		"sign_in_code": {notify.SignInCodeEmail{Code: "918273", Link: link, Minutes: 47},
			[]string{"918273", linkText, "47"}, []string{"<strong>918273</strong>", linkHTML, "47"}},
		"username_reminder": {notify.UsernameReminderEmail{Username: "jane-doe", Link: link},
			[]string{"\njane-doe\n", linkText}, []string{"<strong>jane-doe</strong>", linkHTML}},
		"signup_attempt_existing": {notify.SignupAttemptEmail{Link: link},
			[]string{linkText}, []string{linkHTML}},
		"invitation": {notify.InvitationEmail{Link: link, Organization: "Acme Corp", Inviter: "Jane", Days: 7},
			[]string{linkText, "Acme Corp", "Jane", "7"}, []string{linkHTML, "Acme Corp", "Jane", "7"}},
		"failed_sign_ins": {notify.FailedSignInsEmail{Link: link},
			[]string{linkText}, []string{linkHTML}},
		"account_code": {notify.AccountCodeEmail{Code: "918273", Minutes: 47},
			[]string{"\n918273\n", "47"}, []string{">918273</p>", "47"}},
		"account_contact_changed": {notify.ContactChangedEmail{}, nil, nil},
		"support_profile_changed": {notify.SupportNoticeEmail{Fields: []string{"given_name", "city"}, Link: link},
			[]string{"\n- given_name\n- city\n", linkText}, []string{"<li>given_name</li><li>city</li>", linkHTML}},
		"support_status_changed": {notify.SupportNoticeEmail{Status: "disabled", Link: link},
			[]string{linkText}, []string{linkHTML}},
		"support_password_set": {notify.SupportNoticeEmail{Link: link}, []string{linkText}, []string{linkHTML}},
		"support_authenticator_removed": {notify.SupportNoticeEmail{Method: "no_such_method", Link: link},
			[]string{"\nemail.support.method.no_such_method\n", linkText}, []string{"<strong>email.support.method.no_such_method</strong>", linkHTML}},
		"support_contact_added": {notify.SupportNoticeEmail{Contact: "phone", Link: link},
			[]string{linkText}, []string{linkHTML}},
		"notice": {notify.NoticeEmail{Title: "test.notice.title", Paragraphs: []string{"test.notice.one", "test.notice.two"},
			Link: link, LinkText: "test.notice.link"},
			[]string{"test.notice.title\n\ntest.notice.one\n\ntest.notice.two\n", linkText},
			[]string{">test.notice.title</h1>", "<p>test.notice.one</p>", "<p>test.notice.two</p>", linkHTML, ">test.notice.link</a>"}},
	}
	for _, kind := range r.Emails() {
		c, ok := cases[kind]
		if !ok {
			t.Errorf("e-mail %s has no data struct in this test", kind)
			continue
		}
		for _, lang := range r.Languages() {
			_, text, html, err := r.RenderEmail(kind, lang, themes.Branding{AppName: "Acme Shop"}, c.data)
			if err != nil {
				t.Errorf("%s (%s): %v", kind, lang, err)
				continue
			}
			for _, s := range c.text {
				if !strings.Contains(text, s) {
					t.Errorf("%s (%s): text lacks %q:\n%s", kind, lang, s, text)
				}
			}
			for _, s := range c.html {
				if !strings.Contains(html, s) {
					t.Errorf("%s (%s): HTML lacks %q:\n%s", kind, lang, s, html)
				}
			}
		}
	}
	for kind := range cases {
		if !slices.Contains(r.Emails(), kind) {
			t.Errorf("the theme has no e-mail %s", kind)
		}
	}
}

// A struct that lacks a field its templates read fails the render (and so
// the send) instead of leaving a blank where the link should be.
func TestEmailWithTheWrongStructFails(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := r.RenderEmail("activation", "en", themes.Branding{}, notify.ContactChangedEmail{}); err == nil {
		t.Error("activation rendered with a struct that has no Link")
	}
	store := sqltest.SQLite(t)
	svc := notify.NewService(store, r, nil)
	if _, err := svc.Email(t.Context(), "jane@example.com", "", "username_reminder", "en", themes.Branding{}, notify.AccountCodeEmail{Code: "1"}); err == nil {
		t.Error("a username reminder without Username was queued")
	}
	if queued, err := store.ListNotifications(t.Context(), 10); err != nil || len(queued) != 0 {
		t.Errorf("queued after a failed render: %v, %v", queued, err)
	}
}
