package admin

import (
	"net/http"
	"strings"
	"testing"

	"foyer/admin/manage"
)

// An organization's branding round-trips through create, read and
// replace (absent on a replace is cleared), is audited before and after,
// and bad values are refused field by field with nothing stored.
func TestOrganizationBrandingAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		bad := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPost, "/stores/eu/organizations",
			`{"name":"Acme","display_name":"`+strings.Repeat("x", 101)+`","logo_url":"http://acme.example/logo.png","primary_color":"blue"}`, "")
		for _, f := range []string{"display_name", "logo_url", "primary_color"} {
			if !strings.Contains(bad.Body.String(), `"field": "`+f+`"`) {
				t.Errorf("no error for %s: %s", f, bad.Body)
			}
		}
		if orgs, err := e.s.ListOrganizations(t.Context(), "eu", "", 0); err != nil || len(orgs) != 0 {
			t.Fatalf("a refused create stored %+v %v", orgs, err)
		}
		e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPost, "/stores/eu/organizations",
			`{"name":"Acme","logo_url":"/logo.png"}`, "")

		created := decodeBody[manage.Organization](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/stores/eu/organizations",
			`{"name":"Acme","display_name":" Acme Travel ","logo_url":"https://acme.example/logo.png","primary_color":"#A1B2C3"}`, ""))
		if created.DisplayName != "Acme Travel" || created.LogoURL != "https://acme.example/logo.png" || created.PrimaryColor != "#a1b2c3" {
			t.Fatalf("created %+v", created)
		}
		got := e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, "/stores/eu/organizations/"+created.ID, "", "")
		for _, want := range []string{`"display_name": "Acme Travel"`, `"logo_url": "https://acme.example/logo.png"`, `"primary_color": "#a1b2c3"`} {
			if !strings.Contains(got.Body.String(), want) {
				t.Errorf("read lacks %s: %s", want, got.Body)
			}
		}
		e.must(t, http.StatusForbidden, "support-bot", http.MethodPut, "/stores/eu/organizations/"+created.ID,
			`{"name":"Acme","display_name":"Hijacked"}`, `"1"`)
		e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, "/stores/eu/organizations/"+created.ID,
			`{"name":"Acme","primary_color":"#12345"}`, `"1"`)

		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/stores/eu/organizations/"+created.ID,
			`{"name":"Acme","primary_color":"#123456"}`, `"1"`)
		o, err := e.s.GetOrganization(t.Context(), "eu", created.ID)
		if err != nil || o.DisplayName != "" || o.LogoURL != "" || o.PrimaryColor != "#123456" {
			t.Fatalf("stored after replace %+v %v", o, err)
		}
		entry := lastEntry(t, e.s)
		if entry.Action != "organization.updated" || !strings.Contains(entry.Before, `"display_name":"Acme Travel"`) ||
			!strings.Contains(entry.After, `"primary_color":"#123456"`) {
			t.Fatalf("audit %s before %s after %s", entry.Action, entry.Before, entry.After)
		}
	})
}
