package themes

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestErrorSummary(t *testing.T) {
	type input struct{ ID, Error string }
	data := map[string]any{"FieldErrors": map[string]string{"email": "e.email", "password_confirm": "e.mismatch"}}
	inputs := []input{{ID: "attr-a", Error: "e.a"}, {ID: "attr-b"}}
	got := errorSummary(data, "email", "username", inputs, "password", "password_confirm")
	want := []SummaryItem{{"email", "e.email"}, {"attr-a", "e.a"}, {"password_confirm", "e.mismatch"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errorSummary = %v, want %v (the form's order, fields without errors left out)", got, want)
	}
	if got := errorSummary(map[string]any{}, "email", inputs[1:], 42); len(got) != 0 {
		t.Errorf("errorSummary without errors = %v, want none", got)
	}
}

// The MFA page's code field brings up the number pad for the six-digit
// codes (TOTP, e-mail, SMS, voice) and the full keyboard for recovery
// codes; the phone enrolment form announces its error in a summary that
// takes the focus and links to the field.
func TestMFAPageInputs(t *testing.T) {
	r := newTestRenderer(t, Options{})
	inputmode := regexp.MustCompile(`<input id="code"[^>]* inputmode="([a-z]+)"[^>]* autocomplete="one-time-code"`)
	for _, c := range []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"Step": "mfa", "Method": "totp"}, "numeric"},
		{map[string]any{"Step": "mfa", "Method": "sms"}, "numeric"},
		{map[string]any{"Step": "mfa", "Method": "recovery"}, "text"},
		{map[string]any{"Step": "passwordless"}, "numeric"},
		{map[string]any{"Step": "mfa_enroll", "Enroll": "totp", "Secret": "ABCD"}, "numeric"},
	} {
		body := render(t, r, Page{Template: "mfa", Lang: "en", Data: c.data}, "").Body.String()
		m := inputmode.FindStringSubmatch(body)
		if m == nil || m[1] != c.want {
			t.Errorf("%v: code field %v, want inputmode %q with autocomplete one-time-code:\n%s", c.data, m, c.want, body)
		}
	}

	body := render(t, r, Page{Template: "mfa", Lang: "en", Data: map[string]any{"Step": "mfa_enroll", "Enroll": "phone",
		"AllowSMS": true, "FieldErrors": map[string]string{"phone": "mfa.phone_wrong"}}}, "").Body.String()
	for _, want := range []string{
		`role="alert" id="error-summary" tabindex="-1" autofocus>`,
		`<li><a href="#phone">Enter the phone number in international format`,
		`aria-invalid="true" aria-describedby="phone-error"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("phone enrolment with an error lacks %q:\n%s", want, body)
		}
	}
}

// No text takes the brand colour: a yellow or green brand would be
// unreadable on white. Text on the brand colour uses --primary-contrast,
// which brand.css computes; borders and backgrounds may use --primary.
func TestBrandColourIsNeverText(t *testing.T) {
	r := newTestRenderer(t, Options{})
	textInBrand := regexp.MustCompile(`(^|[^-])color:\s*var\(--primary[,)]`)
	for _, name := range []string{"app.css", "account.css", "admin.css"} {
		f, ok := r.static[name]
		if !ok {
			t.Fatalf("no %s", name)
		}
		for i, line := range strings.Split(string(f.body), "\n") {
			if textInBrand.MatchString(line) {
				t.Errorf("%s:%d sets a text colour to the brand colour: %s", name, i+1, line)
			}
		}
	}
}
