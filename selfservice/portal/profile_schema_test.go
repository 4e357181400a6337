package portal

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
)

// schemaUser signs in an account of a store whose schema has an
// attribute of every type, a schema-defined name field (given_name,
// labelled and required), a hidden name field (family_name), a visible
// read-only attribute and a hidden editable one.
func schemaUser(t *testing.T, e *testEnv) (*user, *storage.Account) {
	t.Helper()
	ctx := t.Context()
	is := &storage.IdentityStore{ID: "typed", Name: "Typed", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail},
		Attributes: []storage.AttributeDef{
			{Name: "given_name", Label: "Given name", Required: true, Visible: true, Editable: true},
			{Name: "family_name", Editable: true},
			{Name: "company", Label: "Company", Required: true, MaxLength: 40, Visible: true, Editable: true},
			{Name: "employees", Label: "Employees", Type: storage.AttrNumber, Visible: true, Editable: true},
			{Name: "newsletter", Label: "Send me news", Type: storage.AttrBoolean, Visible: true, Editable: true},
			{Name: "birthday", Label: "Birthday", Type: storage.AttrDate, Visible: true, Editable: true},
			{Name: "work_email", Label: "Work e-mail", Type: storage.AttrEmail, Visible: true, Editable: true},
			{Name: "homepage", Label: "Homepage", Type: storage.AttrURL, Visible: true, Editable: true},
			{Name: "mobile", Label: "Mobile", Type: storage.AttrPhone, Visible: true, Editable: true},
			{Name: "tier", Label: "Tier", Type: storage.AttrEnum, Options: []string{"gold", "silver"}, Required: true, Visible: true, Editable: true},
			{Name: "code", Pattern: `[A-Z]{3}-[0-9]{3}`, Visible: true, Editable: true},
			{Name: "member_since", Label: "Member since", Type: storage.AttrDate, Visible: true},
			{Name: "internal", Editable: true},
		}}
	if err := e.store.CreateIdentityStore(ctx, is); err != nil {
		t.Fatal(err)
	}
	a := e.account(t, is.ID, "dora@example.com")
	a.Attributes = map[string]string{"given_name": "Dora", "family_name": "Hidden-Name", "company": "ACME",
		"tier": "gold", "newsletter": "true", "member_since": "2020-01-01", "internal": "secret-note"}
	if err := e.store.UpdateAccountProfile(ctx, a); err != nil {
		t.Fatal(err)
	}
	u := e.browser(t, a, "")
	u.signIn()
	return u, a
}

// validProfile is a valid post of the page, as key-value pairs.
func validProfile(extra ...string) []string {
	kv := []string{"given_name", "Dora", "middle_name", "", "company", "ACME Ltd", "employees", "3", "newsletter", "true",
		"birthday", "1990-02-28", "work_email", "dora@acme.example", "homepage", "http://acme.example", "mobile", "+41 79 123 45 67",
		"tier", "silver", "code", "ABC-123", "email", "dora@example.com", "phone", ""}
	return append(kv, extra...)
}

// The page shows what the schema makes visible, each labelled, with its
// type's input, read-only where not editable.
func TestProfileFollowsSchema(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		u, _ := schemaUser(t, e)
		p := u.get("/account/profile")
		wantStatus(t, "profile", p, http.StatusOK)
		wantBody(t, "profile", p,
			`<label for="attr-given_name">Given name</label>`, `name="given_name" type="text" value="Dora" required`,
			`<label for="attr-middle_name">Middle name (optional)</label>`,
			`<label for="attr-company">Company</label>`, `name="company" type="text" value="ACME" required maxlength="40"`,
			`<label for="attr-employees">Employees (optional)</label>`, `name="employees" type="number"`,
			`<label for="attr-newsletter">Send me news</label>`, `name="newsletter" type="checkbox" value="true" checked>`,
			`<label for="attr-birthday">Birthday (optional)</label>`, `name="birthday" type="date"`,
			`<label for="attr-work_email">`, `name="work_email" type="email"`,
			`<label for="attr-homepage">`, `name="homepage" type="url"`,
			`<label for="attr-mobile">`, `name="mobile" type="tel"`,
			`<label for="attr-tier">Tier</label>`, `<select id="attr-tier" name="tier" required>`, `<option selected>gold</option>`,
			`<label for="attr-code">code (optional)</label>`,
			`<label for="attr-member_since">Member since</label>`, `name="member_since" type="date" value="2020-01-01" readonly`)
		for _, hidden := range []string{"family_name", "Hidden-Name", "internal", "secret-note"} {
			if strings.Contains(p.body, hidden) {
				t.Errorf("profile shows hidden %s", hidden)
			}
		}
	})
}

// Each refused value is named next to its field, the values posted stay
// on the form, and nothing is saved.
func TestProfileSchemaErrors(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		u, a := schemaUser(t, e)
		for _, tc := range []struct{ field, value, want string }{
			{"given_name", "", "Fill in this field."},
			{"company", "", "Fill in this field."},
			{"company", strings.Repeat("x", 41), "This is too long."},
			{"company", "AC\x01ME", "This contains characters that are not allowed."},
			{"middle_name", strings.Repeat("m", 201), "This is too long."},
			{"employees", "3 people", "Enter a number"},
			{"newsletter", "perhaps", "Tick the box or leave it empty."},
			{"birthday", "28.02.1990", "Enter a date"},
			{"work_email", "dora", "Enter a valid email address"},
			{"homepage", "acme.example", "Enter a web address"},
			{"mobile", "079 123 45 67", "Enter the number in international format"},
			{"tier", "platinum", "Choose one of the options."},
			{"tier", "", "Fill in this field."},
			{"code", "ABC123", "This does not have the required format."},
		} {
			p := u.post("/account/profile", validProfile(tc.field, tc.value)...)
			what := tc.field + "=" + tc.value
			wantStatus(t, what, p, http.StatusUnprocessableEntity)
			wantBody(t, what, p, `id="attr-`+tc.field+`-error">`+tc.want, `aria-describedby="attr-`+tc.field+`-error"`)
			kept := map[string]string{"company": `value="ACME Ltd"`, "birthday": `value="1990-02-28"`,
				"mobile": `value="&#43;41791234567"`, "tier": `<option selected>silver</option>`, "code": `value="ABC-123"`}
			for field, want := range kept {
				if field != tc.field && !strings.Contains(p.body, want) {
					t.Errorf("%s: typed %s lost (%s)", what, field, want)
				}
			}
			got, err := e.store.GetAccount(t.Context(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got.Attributes, a.Attributes) {
				t.Fatalf("%s: saved %v", what, got.Attributes)
			}
		}
	})
}

// A valid post saves the editable attributes; a crafted post cannot set
// or clear a hidden or read-only one; an unticked box saves "false"; the
// export keeps every attribute the customer sees.
func TestProfileSchemaSave(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		u, a := schemaUser(t, e)
		p := u.post("/account/profile", validProfile("internal", "crafted", "member_since", "1999-09-09",
			"family_name", "Crafted", "newsletter", "", "stray", "x")...)
		wantStatus(t, "save", p, http.StatusOK)
		wantBody(t, "save", p, "Your changes are saved.")
		got, err := e.store.GetAccount(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"given_name": "Dora", "company": "ACME Ltd", "employees": "3", "newsletter": "false",
			"birthday": "1990-02-28", "work_email": "dora@acme.example", "homepage": "http://acme.example",
			"mobile": "+41791234567", "tier": "silver", "code": "ABC-123",
			"family_name": "Hidden-Name", "member_since": "2020-01-01", "internal": "secret-note"}
		if !maps.Equal(got.Attributes, want) {
			t.Errorf("attributes = %v\nwant %v", got.Attributes, want)
		}
		// Emptying an optional attribute removes it.
		u.post("/account/profile", validProfile("code", "", "employees", "")...)
		got, _ = e.store.GetAccount(t.Context(), a.ID)
		if _, ok := got.Attributes["code"]; ok || got.Attributes["company"] != "ACME Ltd" {
			t.Errorf("after clearing code: %v", got.Attributes)
		}
		for _, path := range []string{"/account/export.json", "/account/export.html"} {
			p := u.get(path)
			wantStatus(t, path, p, http.StatusOK)
			wantBody(t, path, p, "ACME Ltd", "company", "member_since", "2020-01-01", "tier", "silver")
		}
	})
}
