package portal

import "foyer/storage"

// The data of the portal's pages, one struct per template (themes/default/
// templates/account_<name>.html reads them as .Data): a field the template
// reads and the struct lacks fails pages_test, and a misspelt field set
// here fails to compile. The shared partials read Error, Notice and
// FieldErrors only when a struct has them. Each page carries the URLs its
// forms post to, built from the route names (no path written twice).

// frame is what every portal page shows around its content
// (_account.html): who is signed in, the menu, the sign-out button and
// the notice a redirect after a post named. renderPage fills it.
type frame struct {
	AccountName string
	Nav         []navItem
	LogoutURL   string
	Notice      string // message key
}

func (f *frame) base() *frame { return f }

// pageData is a portal page's data: its own fields around the frame.
type pageData interface{ base() *frame }

// appsData is account_apps.html's: the launcher.
type appsData struct {
	frame
	Tiles []tile
}

// profileData is account_profile.html's: the personal information form
// and a pending contact change waiting for its code.
type profileData struct {
	frame
	ProfileURL, ConfirmContactURL string
	Fields                        []field
	Email, Phone                  string
	EmailConfirmed                bool
	PhoneConfirmed                bool // not shown by the default theme
	Fresh                         bool // the sign-in is recent enough to change a contact
	ReauthURL                     string
	Pending                       string // the address waiting for its code
	PendingKind                   string // "email" or "phone"
	Error                         string // message key
	FieldErrors                   map[string]string
}

// settingsData is account_settings.html's: how the account signs in, its
// linked identities and the deletion.
type settingsData struct {
	frame
	UnlinkURL, DeleteURL string
	Username, Email      string
	Phone                string
	HasPassword          bool
	Passkeys             int
	Links                []storage.ExternalIdentity
	Fresh                bool // the sign-in is recent enough to delete the account
	ReauthURL            string
	FieldErrors          map[string]string
}

// securityData is account_security.html's: second factors, the password,
// sessions and the applications' grants.
type securityData struct {
	frame
	PasswordURL, EndSessionURL          string
	EndOtherSessionsURL, RevokeGrantURL string
	MFA                                 mfaSection
	ShowPassword                        bool
	Fresh                               bool // the sign-in is recent enough to change the password
	ReauthURL                           string
	Sessions                            []sessionView
	Grants                              []grantView
	Error                               string // message key
	FieldErrors                         map[string]string
}

// mfaSection is the security page's second factors (mfaSecurityData).
type mfaSection struct {
	Factors           []factorView
	Enroll            []enrollLink
	RecoveryCodesLeft int64
	RecoveryCodesURL  string
}

// enrollLink adds a factor of a kind.
type enrollLink struct {
	Kind, URL string
}

// privacyData is account_privacy.html's: the consents, their history and
// the downloads.
type privacyData struct {
	frame
	ConsentsURL, ExportJSONURL, ExportHTMLURL string
	Consents                                  []consentView
	History                                   []logEntry
}

// messageData is message.html's, for the portal's pages outside its menu.
type messageData struct {
	Title    string // message key
	Message  string // message key
	LinkURL  string
	LinkText string // message key
}
