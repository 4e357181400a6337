package selfservice

import (
	"html/template"
	"slices"

	"foyer/selfservice/attrform"
)

// The data of selfservice's pages, one struct per template (themes/default/
// templates/<name>.html reads it as .Data): a field a template reads and
// its struct lacks fails pagedata_test and New's trial render, and a
// misspelt field set here fails to compile. Message keys are looked up by
// the templates.

// pageForm is what every form page shares. renderStep fills it: Action
// and Hidden post back to the sign-in unless the page names its own
// target, Error, Notice and FieldErrors come from the View. The shared
// partials read Error, Notice and Hidden through the field function.
type pageForm struct {
	Action      string
	Hidden      map[string]string
	Error       string            // message key
	Notice      string            // message key
	FieldErrors map[string]string // field name → message key
}

// form gives renderStep the form part of a page's data.
func (p *pageForm) form() *pageForm { return p }

// formPage is the data of a page with a form.
type formPage interface{ form() *pageForm }

// loginData is login.html's: the identifier step, or the password step
// (Step "password").
type loginData struct {
	pageForm
	Step                string // "identifier" or "password"
	Identifier          string
	ChangeIdentifierURL string // password step: back to the identifier
	ForgotPasswordURL   string
	RegisterURL         string
	PasskeyOptions      string // identifier step: a username-less passkey challenge (JSON)
	// ResendAction and ResendHidden post "send a new activation link"
	// when the password proved a pending account.
	ResendAction string
	ResendHidden map[string]string
	// External are the upstream providers' buttons (identifier step).
	External []externalButton
	// LinkEmail and LinkProvider: the password step proves the account
	// of an upstream identity's verified address before it is linked.
	LinkEmail    string
	LinkProvider string
}

// mfaData is mfa.html's, whose Step picks the page: the second factor
// ("mfa"), enrollment ("mfa_enroll"), an account action ("mfa_action"),
// the passwordless code ("passwordless"); RecoveryCodes set shows them.
type mfaData struct {
	pageForm
	Step string
	// The MFA step: the chooser (Method empty) or the method picked.
	Method  string
	Choices []mfaChoice
	Others  bool        // more than one method: "Try another method"
	Resend  []mfaChoice // the channels a code can be asked again by
	Options string      // a passkey challenge or creation options (JSON)
	// Enrollment: the chooser (Enroll empty) or the kind picked.
	Required      bool // enrollment cannot be skipped
	EnrollMethods []string
	Enroll        string
	QRCode        template.URL // TOTP: a data: URL of the key's QR code
	Secret        string       // TOTP: the key, to type in (and copy)
	SecretGrouped string       // TOTP: the key in blocks of four
	OTPAuthURL    template.URL // TOTP: the otpauth:// link phones open
	Address       string       // e-mail or phone: where the code goes
	CodeSent      bool
	AllowSMS      bool
	AllowVoice    bool
	RecoveryCodes []string // shown once
	// RecoveryText is the codes one per line (to copy), RecoveryDownload
	// the same as a data: URL of a text file.
	RecoveryText     string
	RecoveryDownload template.URL
	// An account action: Verb "recovery_codes" or "remove" (Factor names
	// the authenticator removed).
	Verb   string
	Factor string
	// Passwordless: where the code went, as typed.
	Identifier string
}

// recoverData is recover.html's, a one-field form whose Mode picks the
// field: "field" (Field, Label, InputType, Autocomplete), "code",
// "password" (a new one, MinLength long) or "confirm" (a button only).
type recoverData struct {
	pageForm
	Mode         string
	Title        string // message key
	Intro        string // message key
	Submit       string // message key of the button
	Field        string
	Label        string // message key
	InputType    string
	Autocomplete string
	MinLength    int
	PhoneAction  string // "send a code to my phone instead" posts here
	// SendAgainAction is the sent page's "Send again" button's action.
	SendAgainAction string
	Links           []pageLink
}

// pageLink is a link under a form; the template indexes it by "URL" and
// "Text" (a message key), so it stays a map.
type pageLink map[string]string

// registerData is register.html's.
type registerData struct {
	pageForm
	ShowEmail        bool
	Email            string
	ShowUsername     bool
	UsernameRequired bool
	Username         string
	ShowPhone        bool
	PhoneRequired    bool
	Phone            string
	Attributes       []attrform.Input  // the schema's, errors not yet set
	MinLength        int               // of the password
	Documents        []consentDocument // to accept; none: no checkbox
	Accepted         bool
	SignInURL        string
	// An invitation's sign-up: what the invitee joins, and whether the
	// invited address is fixed.
	Joining       string
	EmailReadOnly bool
	// External are the upstream providers' buttons; ExternalProvider
	// names the provider whose identity is being registered (external
	// mode: no password), EmailVouched that it vouched for the address.
	External         []externalButton
	ExternalProvider string
	EmailVouched     bool
}

// invitationData is invitation.html's: Kind "invalid" (the link cannot
// be used) or "wrong_account" (signed in with another address than the
// invited Email; SignedInAs names the browser's account when it was
// signed in before the link was opened).
type invitationData struct {
	Kind       string
	Email      string
	SignedInAs string
	SignInURL  string
}

// AttributeInputs are the attribute inputs with their errors, which
// renderStep sets on the form after the page's data is built.
func (d *registerData) AttributeInputs() []attrform.Input {
	return attrform.WithErrors(slices.Clone(d.Attributes), d.FieldErrors)
}

// messageData is message.html's.
type messageData struct {
	Title    string // message key; empty: message.title
	Message  string // message key
	SentTo   string // the address a message went to, when the page says so
	Hint     string // message key: a paragraph after the message
	LinkURL  string // a link on when set
	LinkText string // its message key; empty: common.continue
	Notice   string // message key: a status line above the message
	// ResendAction, when set, is a "Send again" button's form action, with
	// ResendHidden as its fields.
	ResendAction string
	ResendHidden map[string]string
}

// errorData is error.html's. selfservice sets only Message; the other
// fields are authz's.
type errorData struct {
	Title     string
	Message   string // message key; empty: error.generic
	RequestID string
	LinkURL   string
	LinkText  string
}

// pageSamples are data for each of selfservice's templates, tried
// when New starts (themes.Renderer.TrialRender), so a
// template reading a field its struct lacks fails start-up, not a
// request. A template is only checked along the branches the samples
// take, hence one sample per branch.
func pageSamples() map[string][]any {
	hidden := map[string]string{"h": "v"}
	form := pageForm{Action: "/", Hidden: hidden, Error: "e", Notice: "n", FieldErrors: map[string]string{"code": "e"}}
	choice := []mfaChoice{{Method: "email_code", Authenticator: "a", Hint: "h"}}
	return map[string][]any{
		"login": {
			&loginData{pageForm: form, Step: "identifier", PasskeyOptions: "{}", ForgotPasswordURL: "/", RegisterURL: "/",
				ResendAction: "/", ResendHidden: hidden},
			&loginData{pageForm: form, Step: "password", ChangeIdentifierURL: "/", ForgotPasswordURL: "/"},
			&loginData{pageForm: form, Step: "identifier", External: []externalButton{{Action: "/", Name: "n", Hidden: hidden}}},
			&loginData{pageForm: form, Step: "password", LinkEmail: "e", LinkProvider: "p", ChangeIdentifierURL: "/"},
		},
		"mfa": {
			&mfaData{pageForm: form, RecoveryCodes: []string{"c"}},
			&mfaData{pageForm: form, Step: stepAction, Verb: actionRemove, Factor: "f"},
			&mfaData{pageForm: form, Step: stepPasswordless, Identifier: "i"},
			&mfaData{pageForm: form, Step: stepMFA, Choices: choice},
			&mfaData{pageForm: form, Step: stepMFA, Method: "passkey", Options: "{}", Resend: choice},
			&mfaData{pageForm: form, Step: stepMFA, Method: "email_link"},
			&mfaData{pageForm: form, Step: stepMFA, Method: "totp"},
			&mfaData{pageForm: form, Step: stepEnroll, EnrollMethods: []string{"totp"}},
			&mfaData{pageForm: form, Step: stepEnroll, Enroll: enrollTOTP, QRCode: "data:,", Secret: "s"},
			&mfaData{pageForm: form, Step: stepEnroll, Enroll: enrollPasskey, Options: "{}"},
			&mfaData{pageForm: form, Step: stepEnroll, Enroll: enrollPhone, AllowSMS: true, AllowVoice: true},
			&mfaData{pageForm: form, Step: stepEnroll, Enroll: enrollEmail, Address: "a", CodeSent: true},
		},
		"recover": {
			&recoverData{pageForm: form, Mode: "field", Field: "f", PhoneAction: "/", Links: []pageLink{{"URL": "/", "Text": "t"}}},
			&recoverData{pageForm: form, Mode: "code", SendAgainAction: "/"},
			&recoverData{pageForm: form, Mode: "password", MinLength: 8},
			&recoverData{pageForm: form, Mode: "confirm"},
		},
		"register": {
			&registerData{pageForm: form, ShowEmail: true, ShowUsername: true, ShowPhone: true, SignInURL: "/",
				Attributes: []attrform.Input{{Name: "n", Field: "attr.n", ID: "attr.n", Label: "n", Kind: "text", MaxLength: 1},
					{Name: "e", Field: "attr.e", ID: "attr.e", Kind: "select", Options: []string{"o"}, Required: true},
					{Name: "b", Field: "attr.b", ID: "attr.b", Kind: "checkbox", LabelKey: "k", ReadOnly: true}}, Documents: []consentDocument{{Label: "l", URL: "/"}}},
			&registerData{pageForm: form, ShowEmail: true, Email: "e", EmailReadOnly: true, Joining: "j"},
			&registerData{pageForm: form, ShowEmail: true, Email: "e", EmailReadOnly: true, EmailVouched: true, ExternalProvider: "p"},
			&registerData{pageForm: form, ShowEmail: true, External: []externalButton{{Action: "/", Name: "n", Hidden: hidden}}},
			&registerData{pageForm: pageForm{Action: "/", FieldErrors: map[string]string{"attr.n": "e"}},
				Attributes: []attrform.Input{{Name: "n", Field: "attr.n", ID: "attr.n", Kind: "number"}}},
		},
		"org_register_start": {&orgStartData{pageForm: form, Email: "e", SignInURL: "/"}},
		"org_register": {
			&orgRegisterData{pageForm: form, SwitchURL: "/", Email: "e", OrganizationName: "o", ShowUsername: true, ShowPhone: true,
				OrgAttributes: []attrform.Input{{Name: "v", Field: "org.v", ID: "org.v", Label: "v", Kind: "text", MaxLength: 1}},
				Attributes:    []attrform.Input{{Name: "n", Field: "attr.n", ID: "attr.n", Label: "n", Kind: "text", MaxLength: 1}},
				Documents:     []consentDocument{{Label: "l", URL: "/"}}},
			&orgRegisterData{pageForm: form, Partner: true, PartnerCode: "c", UsernameRequired: true, PhoneRequired: true},
		},
		"message": {&messageData{LinkURL: "/"}, &messageData{SentTo: "a", Notice: "n", ResendAction: "/", ResendHidden: hidden}},
		"invitation": {&invitationData{Kind: "invalid", SignInURL: "/"}, &invitationData{Kind: "wrong_account", Email: "e", SignInURL: "/"},
			&invitationData{Kind: "wrong_account", Email: "e", SignedInAs: "o", SignInURL: "/"}},
		"error": {&errorData{LinkURL: "/", RequestID: "r"}},
		"external": {&externalData{Kind: "failed", Provider: "p", AppName: "a", RetryURL: "/", RefuseURL: "/"},
			&externalData{Kind: "unavailable", Provider: "p", RetryURL: "/"},
			&externalData{Kind: "no_account", Provider: "p", RetryURL: "/"},
			&externalData{Kind: "invitation", Provider: "p", Email: "e", RetryURL: "/"},
			&externalData{Kind: "unverified", Provider: "p", RetryURL: "/"}},
	}
}

// orgRegisterData is org_register.html's: a new organization's or a
// partner's first member.
type orgRegisterData struct {
	pageForm
	Partner          bool   // a partner code instead of the company information
	SwitchURL        string // to the other kind of registration, when both are offered
	Email            string // from the link, shown only
	OrganizationName string
	OrgAttributes    []attrform.Input // the company information, errors not yet set
	PartnerCode      string
	ShowUsername     bool
	UsernameRequired bool
	Username         string
	ShowPhone        bool
	PhoneRequired    bool
	Phone            string
	Attributes       []attrform.Input
	MinLength        int
	Documents        []consentDocument
	Accepted         bool
}

// AttributeInputs are the person's attribute inputs with their errors.
func (d *orgRegisterData) AttributeInputs() []attrform.Input {
	return attrform.WithErrors(slices.Clone(d.Attributes), d.FieldErrors)
}

// OrgAttributeInputs are the company attribute inputs with their errors.
func (d *orgRegisterData) OrgAttributeInputs() []attrform.Input {
	return attrform.WithErrors(slices.Clone(d.OrgAttributes), d.FieldErrors)
}
