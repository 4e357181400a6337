package selfservice

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"foyer/selfservice/attrform"
	"foyer/themes"
	"foyer/themes/themestest"
)

// pageCase is one page rendered with its data struct.
type pageCase struct {
	name, template string
	data           any
	want           []string
}

// pages is the cases as themestest renders them.
func pages(cases []pageCase) []themestest.Page {
	out := make([]themestest.Page, len(cases))
	for i, c := range cases {
		out[i] = themestest.Page{Name: c.name, Template: c.template, Data: c.data, Want: c.want}
	}
	return out
}

// TestPagesRenderTheirData renders each of selfservice's pages with its
// data struct, once per branch of the template, in every language, and
// checks each value is on the page: a field a template reads and its
// struct lacks fails the render (a map read it as empty), a field renamed
// on one side only fails a check. Message keys the catalogs lack render
// as themselves. Every field of every struct is set by some case.
func TestPagesRenderTheirData(t *testing.T) {
	t.Parallel()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := slices2(loginCases(), mfaCases(), recoverCases(), otherCases(), orgCases(), externalCases())
	themestest.RenderEach(t, r, pages(cases))
	checkEveryFieldSet(t, cases)
}

// TestTrialRenderCatchesMissingFields: New's trial render fails on a
// theme whose template reads a field its data struct lacks, naming the
// template, and passes the default theme.
func TestTrialRenderCatchesMissingFields(t *testing.T) {
	t.Parallel()
	def, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := trialRender(def); err != nil {
		t.Fatalf("default theme: %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o750); err != nil {
		t.Fatal(err)
	}
	page := `{{template "layout" .}}{{define "title"}}x{{end}}{{define "content"}}{{if eq .Data.Step "password"}}{{.Data.Passwrod}}{{end}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "templates", "login.html"), []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	custom, err := themes.New(themes.Options{OverrideDir: dir})
	if err != nil {
		t.Fatalf("the theme's own dry run takes a map, which has every key: %v", err)
	}
	err = trialRender(custom)
	if err == nil || !strings.Contains(err.Error(), "login.html") || !strings.Contains(err.Error(), "Passwrod") {
		t.Fatalf("trial render of a template reading a missing field: %v", err)
	}
	if err := custom.TrialRender("no_such_page", &messageData{}); !errors.Is(err, themes.ErrUnknownTemplate) {
		t.Fatalf("unknown page: %v", err)
	}
}

var (
	testHidden = map[string]string{"h1": "hidden-one", "h2": "hidden-two"}
	testInputs = []string{`<input type="hidden" name="h1" value="hidden-one">`, `<input type="hidden" name="h2" value="hidden-two">`}
)

// testForm is a form part with every field set; field names the field
// errors are for.
func testForm(action string, fields ...string) pageForm {
	errs := map[string]string{}
	for _, f := range fields {
		errs[f] = "test.error." + f
	}
	return pageForm{Action: action, Hidden: testHidden, Error: "test.page_error", Notice: "test.page_notice", FieldErrors: errs}
}

// formWant is what a testForm shows.
func formWant(action string, fields ...string) []string {
	want := append([]string{`action="` + action + `"`, `role="alert" id="form-error">test.page_error</div>`,
		`role="status">test.page_notice</div>`}, testInputs...)
	for _, f := range fields {
		want = append(want, `>test.error.`+f+`</p>`)
	}
	return want
}

func loginCases() []pageCase {
	return []pageCase{
		{"login, identifier", "login", &loginData{pageForm: testForm("/login-action", "identifier"), Step: "identifier",
			Identifier: "ada@example.com", ForgotPasswordURL: "/forgot-url", RegisterURL: "/register-url",
			PasskeyOptions: "passkey-options", ResendAction: "/resend-action", ResendHidden: map[string]string{"r1": "resend-one"}},
			append(formWant("/login-action", "identifier"), `value="ada@example.com"`, `href="/forgot-url"`, `href="/register-url"`,
				`data-options="passkey-options"`, "webauthn.js", `action="/resend-action"`, `name="r1" value="resend-one"`)},
		{"login, password", "login", &loginData{pageForm: testForm("/login-action", "password"), Step: "password",
			Identifier: "ada@example.com", ChangeIdentifierURL: "/change-url"},
			append(formWant("/login-action", "password"), `<span class="identity-value">ada@example.com</span>`, `href="/change-url"`)},
	}
}

func mfaCases() []pageCase {
	return []pageCase{
		{"mfa, recovery codes", "mfa", &mfaData{pageForm: pageForm{Action: "/mfa-action", Hidden: testHidden}, Step: stepEnroll,
			RecoveryCodes: []string{"code-one", "code-two"}, RecoveryText: "copy-text", RecoveryDownload: "data:text/plain,download"},
			append([]string{`action="/mfa-action"`, "<code>code-one</code>", "<code>code-two</code>", `data-copy="copy-text"`,
				`href="data:text/plain,download" download="recovery-codes.txt"`}, testInputs...)},
		{"mfa, remove action", "mfa", &mfaData{pageForm: testForm("/mfa-action"), Step: stepAction, Verb: actionRemove, Factor: "factor-name"},
			append(formWant("/mfa-action"), "factor-name")},
		{"mfa, passwordless", "mfa", &mfaData{pageForm: testForm("/mfa-action", "code"), Step: stepPasswordless, Identifier: "typed-identifier"},
			append(formWant("/mfa-action", "code"), "typed-identifier", `name="resend"`)},
		{"mfa, chooser", "mfa", &mfaData{pageForm: testForm("/mfa-action"), Step: stepMFA,
			Choices: []mfaChoice{{Method: "email_code", Authenticator: "auth-1", Hint: "hint-one"}}},
			append(formWant("/mfa-action"), `value="email_code|auth-1"`, "hint-one")},
		{"mfa, passkey", "mfa", &mfaData{pageForm: testForm("/mfa-action", "code"), Step: stepMFA, Method: "passkey",
			Options: "passkey-options", Resend: []mfaChoice{{Method: "sms_code", Hint: "resend-hint"}}},
			append(formWant("/mfa-action", "code"), `data-options="passkey-options"`, `name="resend" value="sms_code"`, "resend-hint")},
		{"mfa, code", "mfa", &mfaData{pageForm: testForm("/mfa-action", "code"), Step: stepMFA, Method: "totp", Others: true},
			append(formWant("/mfa-action", "code"), `name="code"`, `name="other"`)},
		{"enroll, chooser", "mfa", &mfaData{pageForm: testForm("/mfa-action"), Step: stepEnroll, EnrollMethods: []string{"totp", "passkey"}},
			append(formWant("/mfa-action"), `name="enroll" value="totp"`, `name="enroll" value="passkey"`, `name="skip"`)},
		{"enroll, required", "mfa", &mfaData{pageForm: testForm("/mfa-action"), Step: stepEnroll, Required: true, EnrollMethods: []string{"totp"}},
			formWant("/mfa-action")},
		{"enroll, totp", "mfa", &mfaData{pageForm: testForm("/mfa-action", "code"), Step: stepEnroll, Enroll: enrollTOTP,
			QRCode: "data:image/png;base64,UVJD", Secret: "totp-secret", SecretGrouped: "totp secr et", OTPAuthURL: "otpauth://totp/x?secret=S"},
			append(formWant("/mfa-action", "code"), `src="data:image/png;base64,UVJD"`, `data-copy="totp-secret">totp secr et</code>`,
				`href="otpauth://totp/x?secret=S"`)},
		{"enroll, passkey", "mfa", &mfaData{pageForm: testForm("/mfa-action", "credential"), Step: stepEnroll, Enroll: enrollPasskey, Options: "create-options"},
			append(formWant("/mfa-action", "credential"), `data-webauthn="create" data-options="create-options"`)},
		{"enroll, phone", "mfa", &mfaData{pageForm: testForm("/mfa-action", "phone", "channel"), Step: stepEnroll, Enroll: enrollPhone,
			Address: "phone-address", AllowSMS: true, AllowVoice: true},
			append(formWant("/mfa-action", "phone", "channel"), `value="phone-address"`, `name="channel" value="sms"`, `name="channel" value="voice"`)},
		{"enroll, code sent", "mfa", &mfaData{pageForm: testForm("/mfa-action", "code"), Step: stepEnroll, Enroll: enrollEmail,
			Address: "ada@example.com", CodeSent: true},
			append(formWant("/mfa-action", "code"), "ada@example.com")},
	}
}

func recoverCases() []pageCase {
	return []pageCase{
		{"recover, field", "recover", &recoverData{pageForm: testForm("/recover-action", "email"), Mode: "field", Title: "test.title",
			Intro: "test.intro", Submit: "test.submit", Field: "email", Label: "test.label", InputType: "email", Autocomplete: "username",
			PhoneAction: "/phone-action", Links: []pageLink{{"URL": "/link-url", "Text": "test.link"}}},
			append(formWant("/recover-action", "email"), "<h1>test.title</h1>", "test.intro", "test.submit", `<label for="email">test.label</label>`,
				`name="email" type="email"`, `autocomplete="username"`, `action="/phone-action"`, `<a href="/link-url">test.link</a>`)},
		{"recover, code", "recover", &recoverData{pageForm: testForm("/recover-action", "code"), Mode: "code"},
			append(formWant("/recover-action", "code"), `name="code"`)},
		{"recover, password", "recover", &recoverData{pageForm: testForm("/recover-action", "password"), Mode: "password", MinLength: 17},
			append(formWant("/recover-action", "password"), "17")},
		{"recover, confirm", "recover", &recoverData{pageForm: testForm("/recover-action"), Mode: "confirm", Submit: "test.confirm"},
			append(formWant("/recover-action"), "test.confirm")},
		{"recover, sent with send again", "recover", &recoverData{pageForm: testForm("/recover-action"), Mode: "confirm", Submit: "test.confirm",
			SendAgainAction: "/send-again-action"},
			append(formWant("/recover-action"), `action="/send-again-action"`, "t:common.send_again")},
	}
}

func otherCases() []pageCase {
	return []pageCase{
		{"register", "register", &registerData{pageForm: testForm("/register-action", "email", "username", "phone", "attr_city", "password", "accept_terms"),
			ShowEmail: true, Email: "ada@example.com", ShowUsername: true, UsernameRequired: true, Username: "ada-user",
			ShowPhone: true, PhoneRequired: true, Phone: "phone-value",
			Attributes: []attrform.Input{
				{Name: "city", Field: "attr_city", ID: "attr_city", Label: "City label", Kind: "text", Required: true, Value: "Zurich", MaxLength: 40},
				{Name: "tier", Field: "attr_tier", ID: "attr_tier", Label: "Tier label", Kind: "select", Options: []string{"gold", "silver"}, Value: "silver"},
				{Name: "news", Field: "attr_news", ID: "attr_news", LabelKey: "test.label.news", Kind: "checkbox", Value: "true"}},
			MinLength: 19, Documents: []consentDocument{{Label: "test.doc", URL: "/doc-url"}}, Accepted: true, SignInURL: "/signin-url"},
			append(formWant("/register-action", "email", "username", "phone", "attr_city", "password", "accept_terms"),
				`value="ada@example.com"`, `value="ada-user" required`, `value="phone-value" required`, "City label",
				`<label for="attr_city">City label</label>`,
				`name="attr_city" type="text" value="Zurich" required maxlength="40" aria-invalid="true" aria-describedby="attr_city-error"`,
				`<label for="attr_tier">Tier label `, "t:register.optional", `<select id="attr_tier" name="attr_tier">`, `<option>gold</option>`,
				`<option selected>silver</option>`, `id="attr_news" name="attr_news" type="checkbox" value="true" checked`,
				`<label for="attr_news">test.label.news</label>`, "19", `<a href="/doc-url">test.doc</a>`, `type="checkbox" checked`,
				`href="/signin-url"`)},
		{"register, invitation", "register", &registerData{pageForm: testForm("/register-action", "email", "password"),
			ShowEmail: true, Email: "ada@example.com", EmailReadOnly: true, Joining: "Acme Corp", MinLength: 8},
			append(formWant("/register-action", "email", "password"), `value="ada@example.com" required readonly`, "Acme Corp",
				`id="email-hint"`)},
		{"invitation, invalid", "invitation", &invitationData{Kind: "invalid", SignInURL: "/signin-url"},
			[]string{`role="alert"`, `href="/signin-url"`}},
		{"invitation, wrong account", "invitation", &invitationData{Kind: "wrong_account", Email: "ada@example.com", SignedInAs: "bob@example.com", SignInURL: "/signin-url"},
			[]string{"ada@example.com", "bob@example.com", `class="button button-primary" href="/signin-url"`}},
		{"message", "message", &messageData{Title: "test.message.title", Message: "test.message.message", LinkURL: "/message-link", LinkText: "test.message.link",
			SentTo: "sent-to@example.com", Hint: "test.message.hint"},
			[]string{"<h1>test.message.title</h1>", "test.message.message", `href="/message-link">test.message.link</a>`}},
		{"message with send again", "message", &messageData{Title: "test.message.title", Message: "test.message.message",
			Notice: "test.message.notice", ResendAction: "/resend-action", ResendHidden: map[string]string{"interaction": "ix-9"}},
			[]string{"test.message.notice", `action="/resend-action"`, `name="interaction" value="ix-9"`, "t:common.send_again"}},
		{"error", "error", &errorData{Title: "test.error.title", Message: "test.error.message", RequestID: "req-123", LinkURL: "/error-link", LinkText: "test.error.link"},
			[]string{"<h1>test.error.title</h1>", "test.error.message", "req-123", `href="/error-link">test.error.link</a>`}},
	}
}

func slices2(lists ...[]pageCase) []pageCase {
	var out []pageCase
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// checkEveryFieldSet fails for a field of a page struct that no case
// sets: its rendering would go unchecked.
func checkEveryFieldSet(t *testing.T, cases []pageCase) {
	t.Helper()
	set := map[reflect.Type]map[string]bool{}
	for _, c := range cases {
		v := reflect.ValueOf(c.data).Elem()
		if set[v.Type()] == nil {
			set[v.Type()] = map[string]bool{}
		}
		markSet(v, set[v.Type()])
	}
	for _, samples := range pageSamples() {
		for _, s := range samples {
			typ := reflect.TypeOf(s).Elem()
			for i := range typ.NumField() {
				if f := typ.Field(i); !f.Anonymous && !set[typ][f.Name] {
					t.Errorf("%s.%s: no case sets it", typ.Name(), f.Name)
				}
			}
		}
	}
	for typ, fields := range set {
		for _, name := range []string{"Action", "Hidden", "Error", "Notice", "FieldErrors"} {
			if _, ok := typ.FieldByName("pageForm"); ok && !fields[name] {
				t.Errorf("%s.%s: no case sets it", typ.Name(), name)
			}
		}
	}
}

// markSet records the fields of v (a struct, its embedded structs
// flattened) that are not zero.
func markSet(v reflect.Value, set map[string]bool) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous {
			markSet(v.Field(i), set)
			continue
		}
		if !v.Field(i).IsZero() {
			set[f.Name] = true
		}
	}
}
