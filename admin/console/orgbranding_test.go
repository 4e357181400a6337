package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestOrganizationBrandingForm: the organization form edits the branding
// (labelled fields, each bad value's error beside it with what was typed
// kept), the edit page shows what is stored, and an auditor reads it.
func TestOrganizationBrandingForm(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newEnv(t, newStore(t))
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		list := "/admin/stores/" + storeA + "/organizations"
		page := br.get(t, list)
		for _, want := range []string{`<label for="org-display-name">`, `<label for="org-logo-url">`, `<label for="org-primary-color">`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the create form lacks %s", want)
			}
		}
		bad := br.post(t, list, url.Values{"name": {"Acme"}, "display_name": {"Acme Travel"},
			"logo_url": {"http://acme.example/logo.png"}, "primary_color": {"red"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="logo-url-error">an absolute https URL<`) ||
			!strings.Contains(bad.body, `id="primary-color-error">a colour like #1a2b3c<`) ||
			!strings.Contains(bad.body, `value="Acme Travel"`) || !strings.Contains(bad.body, `value="red"`) {
			t.Fatalf("bad branding: %d\n%s", bad.status, bad.body)
		}
		if got := br.post(t, list, url.Values{"name": {"Acme"}, "display_name": {"Acme Travel"},
			"logo_url": {"https://acme.example/logo.png"}, "primary_color": {"#AABBCC"}}); got.status != http.StatusSeeOther {
			t.Fatalf("create: %d", got.status)
		}
		orgs, err := e.store.ListOrganizations(context.Background(), storeA, "", 0)
		if err != nil || len(orgs) != 1 || orgs[0].DisplayName != "Acme Travel" || orgs[0].LogoURL != "https://acme.example/logo.png" ||
			orgs[0].PrimaryColor != "#aabbcc" {
			t.Fatalf("stored %+v %v", orgs, err)
		}
		path := list + "/" + orgs[0].ID
		if edit := br.get(t, path); !strings.Contains(edit.body, `id="org-display-name" name="display_name" type="text" maxlength="100" value="Acme Travel"`) ||
			!strings.Contains(edit.body, `value="https://acme.example/logo.png"`) {
			t.Errorf("the edit page does not show the branding:\n%s", edit.body)
		}
		if got := br.post(t, path, url.Values{"name": {"Acme"}, "version": {"1"}}); got.status != http.StatusSeeOther {
			t.Fatalf("clearing: %d", got.status)
		}
		o, err := e.store.GetOrganization(context.Background(), storeA, orgs[0].ID)
		if err != nil || o.DisplayName != "" || o.LogoURL != "" || o.PrimaryColor != "" {
			t.Fatalf("after clearing %+v %v", o, err)
		}
		o.DisplayName = "Acme Reisen"
		if err := e.store.UpdateOrganization(context.Background(), o, o.Version); err != nil {
			t.Fatal(err)
		}
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if got := auditor.get(t, path); !strings.Contains(got.body, "<dd>Acme Reisen</dd>") || strings.Contains(got.body, `name="display_name"`) {
			t.Errorf("the auditor's page:\n%s", got.body)
		}
	})
}
