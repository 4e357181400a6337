package portal

import (
	"fmt"
	"time"

	"foyer/selfservice/attrform"
	"foyer/themes"
)

// The data of the portal's pages, one struct per template (themes/default/
// templates/account_<name>.html reads them as .Data): a field the template
// reads and the struct lacks fails pages_test, and a misspelt field set
// here fails to compile; New trial-renders pageSamples, so a template
// (an operator's too) reading a field its struct lacks stops start-up.
// The shared partials read Error, Notice and
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
	Fields                        []attrform.Input
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
	UnlinkURL, ConnectURL, DeleteURL string
	Username, Email                  string
	Phone                            string
	HasPassword                      bool
	Passkeys                         int
	Links                            []linkView
	Connect                          []connectView // providers the account may link
	Fresh                            bool          // the sign-in is recent enough to delete the account, link or unlink
	ReauthURL                        string
	Error                            string // message key: a link round trip that failed
	FieldErrors                      map[string]string
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

// pageSamples are data for each of the portal's templates, tried when
// New starts (themes.Renderer.TrialRender), so a template
// (the default or an operator's) reading a field its struct lacks fails
// start-up, not a request. A template is only checked along the branches
// the samples take, hence one sample per branch.
func pageSamples() map[string][]any {
	at := themes.NewMoment("en", time.Unix(0, 0), nil)
	f := frame{AccountName: "a", Nav: []navItem{{Path: "/", Label: "l", Current: true}, {Path: "/", Label: "l"}},
		LogoutURL: "/", Notice: "n"}
	errs := map[string]string{"f": "e"}
	return map[string][]any{
		"account_apps": {&appsData{frame: f, Tiles: []tile{{Name: "n", URL: "/", LogoURL: "/"}, {Name: "n", URL: "/"}}}, &appsData{frame: f}},
		"account_privacy": {
			&privacyData{frame: f, ConsentsURL: "/", ExportJSONURL: "/", ExportHTMLURL: "/",
				Consents: []consentView{{Name: "n", Version: "v", Title: "t", URL: "/", Granted: true, Since: &at}, {Name: "n"}},
				History: []logEntry{{Consent: "c", Version: "v", Action: "granted", At: at}, {Action: consentOutdated, At: at},
					{Action: "withdrawn", At: at}}},
			&privacyData{frame: f},
		},
		"account_profile": {
			&profileData{frame: f, ProfileURL: "/", ConfirmContactURL: "/", Email: "e", Phone: "p", EmailConfirmed: true,
				PhoneConfirmed: true, Fields: []attrform.Input{{Name: "n", Field: "n", ID: "n", LabelKey: "l", Kind: "text", Value: "v", Required: true, MaxLength: 1, Error: "e"},
					{Name: "s", Field: "s", ID: "s", Label: "l", Kind: "select", Options: []string{"o"}, Value: "o", ReadOnly: true},
					{Name: "b", Field: "b", ID: "b", Label: "l", Kind: "checkbox", Value: "true"}}, ReauthURL: "/", Pending: "p", PendingKind: "email", Error: "e", FieldErrors: errs},
			&profileData{frame: f, Fresh: true},
		},
		"account_settings": {
			&settingsData{frame: f, UnlinkURL: "/", ConnectURL: "/", DeleteURL: "/", Username: "u", Email: "e", Phone: "p", HasPassword: true,
				Passkeys: 1, Links: []linkView{{Provider: "p", Subject: "s", Name: "n", Email: "e", Linked: at, LastUsed: &at},
					{Provider: "p", Subject: "s", Name: "n", Linked: at}}, Connect: []connectView{{ID: "i", Name: "n"}},
				Fresh: true, Error: "e", FieldErrors: map[string]string{"confirm": "e", "unlink": "e"}},
			&settingsData{frame: f, ReauthURL: "/"},
		},
		"account_security":      securitySamples(f, at, errs),
		"account_organizations": {&orgsData{frame: f, Organizations: []orgLink{{Name: "n", URL: "/"}}}},
		"account_organization":  orgSamples(f, at, errs),
		"account_organization_remove": {&orgRemoveData{frame: f, Organization: "o", Person: "p", AccountID: "a",
			RemoveURL: "/", CancelURL: "/"}},
		"message": {messageData{Title: "t", Message: "m", LinkURL: "/", LinkText: "l"}},
	}
}

func securitySamples(f frame, at themes.Moment, errs map[string]string) []any {
	return []any{
		&securityData{frame: f, PasswordURL: "/", EndSessionURL: "/", EndOtherSessionsURL: "/", RevokeGrantURL: "/",
			MFA: mfaSection{Factors: []factorView{{Kind: "totp", Name: "n", Address: "a", Created: at, LastUsed: &at, RemoveURL: "/"}},
				Enroll: []enrollLink{{Kind: "k", URL: "/"}}, RecoveryCodesLeft: 1, RecoveryCodesURL: "/"},
			ShowPassword: true, Fresh: true, Error: "e", FieldErrors: errs,
			Sessions: []sessionView{{ID: "i", Browser: "b", OS: "o", IP: "i", Location: "l", Current: true, SignedIn: at, LastSeen: at}},
			Grants:   []grantView{{ClientID: "c", Name: "n", Scopes: []string{"s", "t"}, Since: at}}},
		&securityData{frame: f, ShowPassword: true, ReauthURL: "/", Sessions: []sessionView{{}}},
	}
}

// trialRender renders every sample of pageSamples (in the default
// language: which fields a template reads does not depend on it).
func trialRender(r *themes.Renderer) error {
	for page, samples := range pageSamples() {
		for _, data := range samples {
			if err := r.TrialRender(page, data); err != nil {
				return fmt.Errorf("portal: %w", err)
			}
		}
	}
	return nil
}
