package notify

import (
	"fmt"

	"foyer/themes"
)

// emailSamples are data for each e-mail kind the flows send: one with
// every field set and the zero value, so each {{with}} and {{if}} of the
// default templates is tried both ways.
func emailSamples() map[string][]any {
	const link = "https://id.example/"
	return map[string][]any{
		"activation":                    {ActivationEmail{Link: link, Minutes: 1}, ActivationEmail{}},
		"organization_signup":           {ActivationEmail{Link: link, Minutes: 1}, ActivationEmail{}},
		"password_reset":                {PasswordResetEmail{Link: link, Minutes: 1}, PasswordResetEmail{}},
		"password_changed":              {PasswordChangedEmail{Link: link}, PasswordChangedEmail{}},
		"sign_in_code":                  {SignInCodeEmail{Code: "1", Link: link, Minutes: 1}, SignInCodeEmail{}},
		"username_reminder":             {UsernameReminderEmail{Username: "u", Link: link}, UsernameReminderEmail{}},
		"signup_attempt_existing":       {SignupAttemptEmail{Link: link}, SignupAttemptEmail{}},
		"invitation":                    {InvitationEmail{Link: link, Organization: "o", Inviter: "i", Days: 1}, InvitationEmail{}},
		"failed_sign_ins":               {FailedSignInsEmail{Link: link}, FailedSignInsEmail{}},
		"account_code":                  {AccountCodeEmail{Code: "1", Minutes: 1}, AccountCodeEmail{}},
		"account_contact_changed":       {ContactChangedEmail{}},
		"notice":                        {NoticeEmail{Title: "t", Paragraphs: []string{"p"}, Link: link, LinkText: "l", Template: "factor_added"}, NoticeEmail{}},
		"support_profile_changed":       {SupportNoticeEmail{Status: "disabled", Method: "passkey", Contact: "phone", Fields: []string{"f"}, Link: link}, SupportNoticeEmail{}},
		"support_status_changed":        {SupportNoticeEmail{Status: "disabled", Method: "passkey", Contact: "phone", Fields: []string{"f"}, Link: link}, SupportNoticeEmail{}},
		"support_password_set":          {SupportNoticeEmail{Status: "disabled", Method: "passkey", Contact: "phone", Fields: []string{"f"}, Link: link}, SupportNoticeEmail{}},
		"support_authenticator_removed": {SupportNoticeEmail{Status: "disabled", Method: "passkey", Contact: "phone", Fields: []string{"f"}, Link: link}, SupportNoticeEmail{}},
		"support_contact_added":         {SupportNoticeEmail{Status: "disabled", Method: "passkey", Contact: "phone", Fields: []string{"f"}, Link: link}, SupportNoticeEmail{}},
	}
}

// TrialRender renders every e-mail kind with its samples and discards the
// result. Called at start, it makes a theme's e-mail template (the
// default or an operator's) that reads a field the kind's struct lacks
// fail start-up rather than the flow sending it. One language is enough:
// every language runs the same template source.
func TrialRender(r Renderer) error {
	for kind, samples := range emailSamples() {
		for _, data := range samples {
			if _, _, _, err := r.RenderEmail(kind, "", themes.Branding{}, data); err != nil {
				return fmt.Errorf("notify: trial render of %s: %w", kind, err)
			}
		}
	}
	return nil
}
