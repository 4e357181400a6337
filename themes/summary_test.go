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
