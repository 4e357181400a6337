package notify

// The data of each e-mail kind, one struct per template pair (themes/
// default/email/<kind>.html and .txt read it as .Data): a field a template
// reads and the struct lacks fails messages_test, and a misspelt field set
// by a flow fails to compile; TrialRender (messages_trial.go) tries each
// with samples at start. The layout's link button reads Link, and
// LinkText (a message key; empty: email.<kind>.link) only when a struct
// has it. Message keys are looked up by the template.

// ActivationEmail is activation's: the link that activates a registration.
type ActivationEmail struct {
	Link    string
	Minutes int // how long the link lasts; 0: not said
}

// PasswordResetEmail is password_reset's: the link to choose a new
// password.
type PasswordResetEmail struct {
	Link    string
	Minutes int
}

// PasswordChangedEmail is password_changed's: the owner is told the
// password changed.
type PasswordChangedEmail struct {
	Link string // a way to act when set (the flows set none today)
}

// SignInCodeEmail is sign_in_code's: a one-time code, a magic link, or
// both, confirming a sign-in.
type SignInCodeEmail struct {
	Code    string
	Link    string
	Minutes int
}

// UsernameReminderEmail is username_reminder's.
type UsernameReminderEmail struct {
	Username string
	Link     string // a way to sign in when set (the flows set none today)
}

// InvitationEmail is invitation's: someone is invited to create an
// account (seed 004), into an organization when Organization is set. Link
// opens the client's brand portal with the invitation's login hint.
type InvitationEmail struct {
	Link         string
	Organization string // the organization's name; empty: none
	Inviter      string // who sent it, as they are named; empty: not said
	Days         int    // how long the link lasts; 0: not said
}

// SignupAttemptEmail is signup_attempt_existing's: someone tried to
// register the owner's address.
type SignupAttemptEmail struct {
	Link string // a sign-in at the client's brand portal; empty: none
}

// FailedSignInsEmail is failed_sign_ins': wrong passwords for the account
// burst (selfservice's burst notice).
type FailedSignInsEmail struct {
	Link string // where the owner reviews the account; empty: none
}

// AccountCodeEmail is account_code's: the code confirming a new address
// in the account portal.
type AccountCodeEmail struct {
	Code    string
	Minutes int
}

// ContactChangedEmail is account_contact_changed's: the old address is
// told the account's contact moved. It has no data.
type ContactChangedEmail struct{}

// NoticeEmail is notice's: a title and paragraphs (message keys), with an
// optional link. Template is the template kind an application may replace
// the notice with (factor_added, ...; see templateKinds); empty: the
// notice cannot be overridden (an administrator's own announcement).
type NoticeEmail struct {
	Title      string
	Paragraphs []string
	Link       string
	LinkText   string
	Template   string
}

// SupportNoticeEmail is the data of the support_* kinds: a customer is
// told of a change support made to the account (admin/manage's
// CustomerNotices). Each kind reads what it needs: Status (enabled or
// disabled) for support_status_changed, Method (an authenticator kind:
// password, passkey, totp, email, phone, recovery_codes) for
// support_authenticator_removed, Contact (email or phone) for
// support_contact_added, Fields (attribute names) for
// support_profile_changed. None of them carries a secret.
type SupportNoticeEmail struct {
	Status  string
	Method  string
	Contact string
	Fields  []string
	// Link is where the customer signs in (the chosen client's
	// initiate_login_uri); empty: no link.
	Link string
}
