package selfservice_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// typedSchema has an attribute of every type, a pattern, a visible
// read-only attribute and a hidden editable one.
var typedSchema = []storage.AttributeDef{
	{Name: "company", Label: "Company", Required: true, MaxLength: 40, Visible: true, Editable: true},
	{Name: "employees", Label: "Employees", Type: storage.AttrNumber, Visible: true, Editable: true},
	{Name: "newsletter", Label: "Send me news", Type: storage.AttrBoolean, Visible: true, Editable: true},
	{Name: "birthday", Label: "Birthday", Type: storage.AttrDate, Visible: true, Editable: true},
	{Name: "work_email", Label: "Work e-mail", Type: storage.AttrEmail, Visible: true, Editable: true},
	{Name: "homepage", Label: "Homepage", Type: storage.AttrURL, Visible: true, Editable: true},
	{Name: "mobile", Label: "Mobile", Type: storage.AttrPhone, Visible: true, Editable: true},
	{Name: "tier", Label: "Tier", Type: storage.AttrEnum, Options: []string{"gold", "silver"}, Required: true, Visible: true, Editable: true},
	{Name: "code", Type: storage.AttrString, Pattern: `[A-Z]{3}-[0-9]{3}`, Visible: true, Editable: true},
	{Name: "member_since", Label: "Member since", Type: storage.AttrDate, Required: true, Visible: true},
	{Name: "internal", Editable: true},
}

// schemaEnv serves registration (no activation) over a store whose
// identity store has typedSchema.
func schemaEnv(t *testing.T, store storage.Store) *selfservicetest.Env {
	t.Helper()
	return selfservicetest.New(t, selfservicetest.Options{Store: store,
		IdentityStore: func(s *storage.IdentityStore) { s.Attributes = typedSchema },
		App: func(a *storage.Application) {
			a.SelfService = storage.DefaultSelfServicePolicy()
			a.SelfService.ActivationEnabled = false
		},
	})
}

// validSchemaFields fill every asked attribute validly.
func validSchemaFields(email string) map[string]string {
	return withFields(regFields(email, newcomerPass), "attr.company", "ACME & Co", "attr.employees", "12.5",
		"attr.newsletter", "true", "attr.birthday", "1990-02-28", "attr.work_email", "ada@acme.example",
		"attr.homepage", "https://acme.example/about", "attr.mobile", "+41 79 123 45 67", "attr.tier", "gold",
		"attr.code", "ABC-123")
}

// The registration page shows the self-service visible and editable
// attributes, each labelled and with the input its type calls for; a
// visible read-only attribute and a hidden one are not asked.
func TestRegistrationFollowsSchema(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := schemaEnv(t, newStore(t))
		_, _, p := registerPage(t, env)
		for _, want := range []string{
			`<label for="attr.company">Company</label>`, `name="attr.company" type="text" value="" required maxlength="40"`,
			`<label for="attr.employees">Employees (optional)</label>`, `name="attr.employees" type="number"`, `step="any"`,
			`id="attr.newsletter" name="attr.newsletter" type="checkbox" value="true"`, `<label for="attr.newsletter">Send me news</label>`,
			`<label for="attr.birthday">`, `name="attr.birthday" type="date"`,
			`<label for="attr.work_email">`, `name="attr.work_email" type="email"`,
			`<label for="attr.homepage">`, `name="attr.homepage" type="url"`,
			`<label for="attr.mobile">`, `name="attr.mobile" type="tel"`,
			`<label for="attr.tier">Tier</label>`, `<select id="attr.tier" name="attr.tier" required>`,
			`<option>gold</option>`, `<option>silver</option>`,
			`<label for="attr.code">code (optional)</label>`,
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("registration page lacks %s", want)
			}
		}
		for _, absent := range []string{"member_since", "Member since", "attr.internal"} {
			if strings.Contains(p.Body, absent) {
				t.Errorf("registration page shows %s", absent)
			}
		}
	})
}

// Each refused value is named next to its field in words, the page
// answers 400, the values typed stay in the form and no account is made.
func TestRegistrationSchemaErrors(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := schemaEnv(t, newStore(t))
		for name, tc := range map[string]struct{ field, value, want string }{
			"required missing":   {"attr.company", "", "Fill in this field."},
			"too long":           {"attr.company", strings.Repeat("x", 41), "This is too long."},
			"control characters": {"attr.company", "AC\u0007ME", "This contains characters that are not allowed."},
			"number":             {"attr.employees", "many", "Enter a number"},
			"boolean":            {"attr.newsletter", "maybe", "Tick the box or leave it empty."},
			"date":               {"attr.birthday", "1990-02-30", "Enter a date"},
			"email":              {"attr.work_email", "ada@", "Enter a valid email address"},
			"url":                {"attr.homepage", "ftp://acme.example", "Enter a web address"},
			"phone":              {"attr.mobile", "0791234567", "Enter the number in international format"},
			"enum outside":       {"attr.tier", "platinum", "Choose one of the options."},
			"enum missing":       {"attr.tier", "", "Fill in this field."},
			"pattern":            {"attr.code", "abc-123", "This does not have the required format."},
		} {
			t.Run(name, func(t *testing.T) {
				_, b, p := registerPage(t, env)
				email := strings.ReplaceAll(name, " ", "-") + "@example.com"
				got := b.Submit(p, withFields(validSchemaFields(email), tc.field, tc.value))
				if got.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400:\n%s", got.Status, got.Body)
				}
				if want := `id="` + tc.field + `-error">` + tc.want; !strings.Contains(got.Body, want) {
					t.Errorf("no %q next to %s:\n%s", tc.want, tc.field, got.Body)
				}
				if !strings.Contains(got.Body, `name="`+tc.field+`"`) || !strings.Contains(got.Body, `aria-describedby="`+tc.field+`-error"`) {
					t.Errorf("%s not marked invalid", tc.field)
				}
				kept := map[string]string{"email": `value="` + email + `"`, "attr.work_email": `value="ada@acme.example"`,
					"attr.birthday": `value="1990-02-28"`, "attr.mobile": `value="&#43;41791234567"`,
					"attr.tier": `<option selected>gold</option>`, "attr.newsletter": `name="attr.newsletter" type="checkbox" value="true" checked`}
				for field, want := range kept {
					if field != tc.field && !strings.Contains(got.Body, want) {
						t.Errorf("typed value lost: %s", want)
					}
				}
				if _, err := env.Store.FindAccountByIdentifier(t.Context(), selfservicetest.StoreID, storage.IdentifierEmail, email); err == nil {
					t.Error("an account was made from an invalid form")
				}
			})
		}
	})
}

// Valid values are stored on the account as the schema's strings; a
// crafted post cannot set an attribute the page did not ask for (hidden,
// or visible but not editable); an unticked box stores "false".
func TestRegistrationStoresSchemaAttributes(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := schemaEnv(t, newStore(t))
		id, b, p := registerPage(t, env)
		fields := withFields(validSchemaFields("typed@example.com"), "attr.internal", "crafted", "attr.member_since", "2001-01-01",
			"attr.unknown", "x", "internal", "crafted")
		res := registered(t, env, id, b.Submit(p, fields))
		acct, err := env.Store.GetAccount(t.Context(), res.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"company": "ACME & Co", "employees": "12.5", "newsletter": "true", "birthday": "1990-02-28",
			"work_email": "ada@acme.example", "homepage": "https://acme.example/about", "mobile": "+41791234567",
			"tier": "gold", "code": "ABC-123"}
		if !maps.Equal(acct.Attributes, want) {
			t.Errorf("attributes = %v, want %v", acct.Attributes, want)
		}

		id, b, p = registerPage(t, env)
		res = registered(t, env, id, b.Submit(p, withFields(regFields("plain@example.com", newcomerPass),
			"attr.company", "Solo", "attr.tier", "silver", "attr.newsletter", "")))
		acct, err = env.Store.GetAccount(t.Context(), res.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		want = map[string]string{"company": "Solo", "tier": "silver", "newsletter": "false"}
		if !maps.Equal(acct.Attributes, want) {
			t.Errorf("attributes = %v, want %v", acct.Attributes, want)
		}
	})
}
