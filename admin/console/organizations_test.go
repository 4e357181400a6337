package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

func orgsPart(e *testEnv) part {
	return part{
		list: func(storeID string) string { return "/admin/stores/" + storeID + "/organizations" },
		form: func(s string) url.Values {
			return url.Values{"name": {"Org " + s}, "partner": {"yes"}, "domains": {strings.ToLower(s) + ".example.com"}}
		},
		field: "org-name",
		create: func(t *testing.T, storeID, name string) string {
			t.Helper()
			o := &storage.Organization{StoreID: storeID, Name: name, CreatedAt: e.clock.Now()}
			if err := e.store.(consoleStore).CreateOrganization(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			return o.ID
		},
	}
}

// TestOrganizationRoles: the role and store-scope checks of the
// organizations pages.
func TestOrganizationRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	checkPartRoles(t, e, orgsPart(e))
}

// TestOrganizationForms: each bad domain line has its own error, what was
// typed stays, a claimed domain's sentence shows, a stale version is
// refused, deletion needs the confirmation, and the list orders by name
// both ways with the menu's Organizations entry current.
func TestOrganizationForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	list := "/admin/stores/" + storeA + "/organizations"
	typed := "acme.com\n\nnot a domain\nacme.com\n"
	bad := br.post(t, list, url.Values{"name": {"Acme"}, "partner": {"yes"}, "domains": {typed}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="domains-error"`) ||
		!strings.Contains(bad.body, "<li>not a domain: is not a domain name like example.com</li>") ||
		!strings.Contains(bad.body, "<li>acme.com: is listed twice</li>") ||
		!strings.Contains(bad.body, ">"+typed+"</textarea>") || !strings.Contains(bad.body, `value="yes" checked`) ||
		!strings.Contains(bad.body, `value="Acme"`) {
		t.Errorf("bad domains: %d\n%s", bad.status, bad.body)
	}
	if got := br.post(t, list, url.Values{"name": {"Acme"}, "partner": {"yes"}, "domains": {"acme.com\nACME.org"}}); got.status != http.StatusSeeOther || got.location != list+"?notice=created" {
		t.Fatalf("create: %d to %q", got.status, got.location)
	}
	claimed := br.post(t, list, url.Values{"name": {"Other"}, "domains": {"acme.com"}})
	if claimed.status != http.StatusConflict || !strings.Contains(claimed.body, "one of these domains exists in the store") {
		t.Errorf("claimed domain: %d", claimed.status)
	}
	id := orgsPart(e).create(t, storeA, "Beta")
	path := list + "/" + id
	if got := br.post(t, path, url.Values{"name": {"Zeta"}, "domains": {"zeta.io"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", got.status)
	}
	if got := br.get(t, path); !strings.Contains(got.body, ">zeta.io</textarea>") || strings.Contains(got.body, `value="yes" checked`) {
		t.Error("the edit did not keep the domains or set the partner flag")
	}
	br.checkVersioned(t, path, "Eta")
	page := br.get(t, list)
	if !strings.Contains(page.body, "acme.com, acme.org") || !strings.Contains(page.body, `href="`+list+`" aria-current="page"`) {
		t.Error("the list lacks the domains or the menu's Organizations entry")
	}
	if strings.Index(page.body, ">Acme</a>") > strings.Index(page.body, ">Zeta</a>") {
		t.Error("A-Z lists Zeta before Acme")
	}
	if down := br.get(t, list+"?sort=-name"); strings.Index(down.body, ">Acme</a>") < strings.Index(down.body, ">Zeta</a>") {
		t.Error("Z-A lists Acme before Zeta")
	}
	if got := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}}); got.status != http.StatusSeeOther || got.location != list+"?notice=deleted" {
		t.Errorf("delete: %d to %q", got.status, got.location)
	}
	want := []string{"organization.deleted", "organization.updated", "organization.created"}
	if acts := e.auditActions(t); strings.Join(acts, " ") != strings.Join(want, " ") {
		t.Errorf("audit actions %v, want %v", acts, want)
	}
}
