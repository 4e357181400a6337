package selfservice_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// inputTag is the <input> or <select> tag whose id is id, or "".
func inputTag(body, id string) string {
	return regexp.MustCompile(`<(?:input|select) id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
}

// A refused registration announces its errors: a role="alert" summary,
// focused on load, links to each invalid field in the order of the form;
// each invalid field is marked and described by its message; a mismatch
// hangs on the confirmation field, not the password.
func TestRegistrationErrorSummary(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)

	_, b, p := registerPage(t, env)
	if strings.Contains(p.Body, `id="error-summary"`) {
		t.Errorf("a fresh registration page shows an error summary:\n%s", p.Body)
	}
	got := b.Submit(p, map[string]string{"email": "a@example.com", "password": newcomerPass, "password_confirm": newcomerPass + "x", "accept_terms": "on"})
	if got.Status != http.StatusBadRequest {
		t.Fatalf("mismatch: %d, want 400", got.Status)
	}
	for _, want := range []string{
		`<div class="alert alert-error error-summary" role="alert" id="error-summary" tabindex="-1" autofocus>`,
		`<li><a href="#password_confirm">The passwords do not match.</a></li>`,
		`<p class="field-error" id="password_confirm-error">The passwords do not match.</p>`,
	} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("mismatch: the page lacks %q:\n%s", want, got.Body)
		}
	}
	if tag := inputTag(got.Body, "password_confirm"); !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, `aria-describedby="password_confirm-error"`) {
		t.Errorf("mismatch: the confirmation field is %s, want it invalid and described by its message", tag)
	}
	if tag := inputTag(got.Body, "password"); strings.Contains(tag, "aria-invalid") || strings.Contains(got.Body, `id="password-error"`) {
		t.Errorf("mismatch: the password field is marked %s, want the error on the confirmation only", tag)
	}

	_, b, p = registerPage(t, env)
	got = b.Submit(p, map[string]string{"email": "not-an-address", "password": "short1", "password_confirm": "short1"})
	summary := got.Body[strings.Index(got.Body, `id="error-summary"`):]
	summary = summary[:strings.Index(summary, "</div>")]
	links := regexp.MustCompile(`href="#([a-z_]+)"`).FindAllStringSubmatch(summary, -1)
	var order []string
	for _, l := range links {
		order = append(order, l[1])
	}
	if strings.Join(order, " ") != "email password accept_terms" {
		t.Errorf("the summary links to %v, want email, password and accept_terms in the form's order:\n%s", order, summary)
	}
	if n := strings.Count(got.Body, " autofocus"); n != 1 {
		t.Errorf("%d autofocus attributes, want only the summary's", n)
	}
}

// Attribute fields that hold the customer's own name and birthday carry
// their autofill tokens (WCAG 1.3.5); others get none.
func TestRegistrationAutocompleteTokens(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{
		IdentityStore: func(s *storage.IdentityStore) {
			s.Attributes = []storage.AttributeDef{
				{Name: "given_name", Visible: true, Editable: true},
				{Name: "family_name", Visible: true, Editable: true},
				{Name: "nickname", Visible: true, Editable: true},
				{Name: "birthdate", Type: storage.AttrDate, Visible: true, Editable: true},
				{Name: "loyalty_id", Visible: true, Editable: true},
			}
		},
		App: func(a *storage.Application) { a.SelfService = storage.DefaultSelfServicePolicy() },
	})
	_, _, p := registerPage(t, env)
	for id, want := range map[string]string{
		"attr.given_name": `autocomplete="given-name"`, "attr.family_name": `autocomplete="family-name"`,
		"attr.nickname": `autocomplete="nickname"`, "attr.birthdate": `autocomplete="bday"`,
	} {
		if tag := inputTag(p.Body, id); !strings.Contains(tag, want) {
			t.Errorf("%s is %q, want %s", id, tag, want)
		}
	}
	if tag := inputTag(p.Body, "attr.loyalty_id"); tag == "" || strings.Contains(tag, "autocomplete") {
		t.Errorf("attr.loyalty_id is %q, want it without an autofill token", tag)
	}
}
