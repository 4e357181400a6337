package portal

import (
	"net/http"
	"testing"
)

// An organization's page in the portal wears the organization's own
// branding (its name and logo in the header) while the rest of the portal,
// and the page of an organization without branding, keep the
// application's.
func TestOrganizationPageBranding(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		f := newOrgFixture(t, e)
		f.acme.DisplayName, f.acme.LogoURL = "Acme Travel", "https://acme.example/logo.png"
		mustDo(t, e.store.UpdateOrganization(t.Context(), f.acme, f.acme.Version))

		p := f.alice.get(orgPage(f.acme))
		wantStatus(t, "branded organization", p, http.StatusOK)
		wantBody(t, "branded organization", p, `<img class="brand-logo" src="https://acme.example/logo.png" alt="Acme Travel">`,
			"<title>Acme · Acme Travel</title>")
		confirm := f.alice.post(orgPage(f.acme)+"/remove", "account", f.bob.account.ID)
		wantBody(t, "removal confirmation", confirm, `src="https://acme.example/logo.png"`)
		plain := f.alice.get(orgPage(f.initech))
		if contains(plain.body, "Acme Travel") || contains(plain.body, "acme.example/logo.png") {
			t.Error("an unbranded organization's page wears another organization's branding")
		}
		if apps := f.alice.get("/account/apps"); contains(apps.body, "Acme Travel") {
			t.Error("the launcher wears the organization's branding")
		}
	})
}
