package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

var secretField = regexp.MustCompile(`id="client-secret" type="text" value="([^"]+)"`)

// secretOf is the secret a result page shows.
func secretOf(t *testing.T, r response) string {
	t.Helper()
	m := secretField.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no secret on the page: %d %s", r.status, r.body)
	}
	return m[1]
}

// clientValues is a valid confidential client's form.
func clientValues(name string) url.Values {
	return url.Values{"client_name": {name}, "redirect_uris": {"https://shop.example/cb\nhttps://shop.example/cb2"},
		"post_logout_redirect_uris": {"https://shop.example/"}, "grant_types": {"authorization_code", "refresh_token"}, "public": {"no"}}
}

// TestClientLifecycle: register a client from its application's page
// (errors beside the fields first), see its secret once and never again
// (not on its page, not in the audit log), edit it (a stale form and a
// switch to public refused), rotate the secret with an overlap, and
// delete it through the confirmation.
func TestClientLifecycle(t *testing.T) {
	t.Parallel()
	onBothStores(t, clientLifecycle)
}

func clientLifecycle(t *testing.T, e *testEnv) {
	e.newApp(t, "shop")
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin, storeA)))
	bad := br.post(t, "/admin/applications/shop/clients", url.Values{"client_name": {""}, "redirect_uris": {"not-a-uri"}, "grant_types": {"authorization_code"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="client-name-error"`) || !strings.Contains(bad.body, `id="redirect-error"`) ||
		!strings.Contains(bad.body, "not-a-uri</textarea>") {
		t.Fatalf("bad client: %d", bad.status)
	}
	created := br.post(t, "/admin/applications/shop/clients", clientValues("Shop web"))
	secret := secretOf(t, created)
	id := regexp.MustCompile(`href="/admin/clients/([^"]+)"`).FindStringSubmatch(created.body)[1]
	app := br.get(t, "/admin/applications/shop")
	if !strings.Contains(app.body, "Shop web") || !strings.Contains(app.body, id) || strings.Contains(app.body, secret) {
		t.Error("the application's page lacks the client or shows its secret")
	}
	page := br.get(t, "/admin/clients/"+id)
	if page.status != http.StatusOK || strings.Contains(page.body, secret) || !strings.Contains(page.body, "https://shop.example/cb2") {
		t.Fatalf("client page: %d, or it shows the secret", page.status)
	}
	if got := br.post(t, "/admin/clients/"+id, url.Values{"client_name": {"Shop web 2"}, "redirect_uris": {"https://shop.example/cb"},
		"grant_types": {"authorization_code"}, "public": {"no"}, "first_party": {"yes"}, "version": {"1"}}); got.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", got.status, got.body)
	}
	if stale := br.post(t, "/admin/clients/"+id, url.Values{"client_name": {"Old tab"}, "redirect_uris": {"https://shop.example/cb"}, "version": {"1"}}); stale.status != http.StatusPreconditionFailed ||
		!strings.Contains(stale.body, `value="Old tab"`) {
		t.Errorf("a stale form: %d", stale.status)
	}
	public := br.post(t, "/admin/clients/"+id, url.Values{"client_name": {"Shop web 2"}, "redirect_uris": {"https://shop.example/cb"},
		"grant_types": {"authorization_code"}, "public": {"yes"}, "version": {"2"}})
	if public.status != http.StatusUnprocessableEntity || !strings.Contains(public.body, `id="public-error"`) {
		t.Errorf("switching to public: %d", public.status)
	}
	if bad := br.post(t, "/admin/clients/"+id+"/rotate", url.Values{"overlap_seconds": {"99999999"}, "version": {"2"}}); bad.status != http.StatusUnprocessableEntity ||
		!strings.Contains(bad.body, `id="overlap-error"`) {
		t.Errorf("a too long overlap: %d", bad.status)
	}
	rotated := br.post(t, "/admin/clients/"+id+"/rotate", url.Values{"overlap_seconds": {"86400"}, "version": {"2"}})
	newSecret := secretOf(t, rotated)
	if newSecret == secret || rotated.status != http.StatusOK {
		t.Errorf("rotation: %d, same secret %v", rotated.status, newSecret == secret)
	}
	c, err := e.store.GetClient(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Shop web 2" || !c.FirstParty || c.PreviousSecretExpiresAt == nil || !c.PreviousSecretExpiresAt.Equal(e.clock.Now().Add(24*time.Hour)) {
		t.Errorf("after editing and rotating: %+v", c)
	}
	if page := br.get(t, "/admin/clients/"+id); strings.Contains(page.body, newSecret) || !strings.Contains(page.body, "<time") {
		t.Error("the client page shows the new secret or not the old one's end")
	}
	br.checkConfirmation(t, "/admin/clients/"+id+"/delete", "3")
	if got := br.post(t, "/admin/clients/"+id+"/delete", url.Values{"version": {"3"}, "confirm": {"yes"}}); got.location != "/admin/applications/shop?notice=deleted" {
		t.Fatalf("delete: %d to %q %s", got.status, got.location, got.body)
	}
	entries, err := e.store.(consoleStore).ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), newSecret) {
		t.Error("a secret is in the audit log")
	}
	want := "client.deleted client.secret_rotated client.updated client.created application.created"
	if acts := strings.Join(e.auditActions(t), " "); acts != want {
		t.Errorf("audit actions %q, want %q", acts, want)
	}
}

// TestClientRoles: an auditor reads a client but changes nothing; a
// store-B admin does not find store A's; the console's own client is
// refused to everyone, an owner too, with the service's sentence.
func TestClientRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.newApp(t, "shop")
	cs := e.store.(consoleStore)
	if err := cs.CreateClient(t.Context(), &storage.Client{ID: "shop-web", ApplicationID: "shop", Name: "Shop web", Public: true,
		RedirectURIs: []string{"https://shop.example/cb"}, GrantTypes: []string{"authorization_code"}}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CreateApplication(t.Context(), &storage.Application{ID: manage.ConsoleApplicationID, StoreID: storage.AdministratorsStoreID, Name: "Admin console"}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CreateClient(t.Context(), &storage.Client{ID: manage.ConsoleClientID, ApplicationID: manage.ConsoleApplicationID, Name: "Admin console",
		Public: true, FirstParty: true, RedirectURIs: []string{e.server.URL + "/admin/callback"}, GrantTypes: []string{"authorization_code"}}); err != nil {
		t.Fatal(err)
	}
	// edit is a fresh form each time (post adds the browser's form token).
	edit := func() url.Values {
		return url.Values{"client_name": {"X"}, "redirect_uris": {"https://evil.example/cb"}, "grant_types": {"authorization_code"}, "public": {"yes"}, "version": {"1"}}
	}
	for who, want := range map[string]int{"auditor": http.StatusForbidden, "scoped": http.StatusNotFound} {
		role, stores := storage.RoleAuditor, []string(nil)
		if who == "scoped" {
			role, stores = storage.RoleAdmin, []string{storeB}
		}
		br := e.signIn(t, e.admin(t, who+"@example.com", grant(role, stores...)))
		if who == "auditor" {
			page := br.get(t, "/admin/clients/shop-web")
			if page.status != http.StatusOK || strings.Contains(page.body, `action="/admin/clients/shop-web"`) {
				t.Errorf("auditor: client page %d, or with its form", page.status)
			}
		} else if page := br.get(t, "/admin/clients/shop-web"); page.status != http.StatusNotFound {
			t.Errorf("scoped: client page %d", page.status)
		}
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/admin/applications/shop/clients", clientValues("Mine")},
			{"/admin/clients/shop-web", edit()},
			{"/admin/clients/shop-web/rotate", url.Values{"overlap_seconds": {"0"}, "version": {"1"}}},
			{"/admin/clients/shop-web/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}},
		} {
			if got := br.post(t, p.path, p.form); got.status != want {
				t.Errorf("%s: POST %s = %d, want %d", who, p.path, got.status, want)
			}
		}
	}
	owner := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
	if page := owner.get(t, "/admin/clients/"+manage.ConsoleClientID); page.status != http.StatusOK || strings.Contains(page.body, `href="/admin/clients/foyer-admin/delete"`) {
		t.Errorf("the console client's page: %d, or it offers deletion", page.status)
	}
	for _, p := range []string{"/admin/clients/" + manage.ConsoleClientID, "/admin/clients/" + manage.ConsoleClientID + "/delete"} {
		form := edit()
		form.Set("confirm", "yes")
		if got := owner.post(t, p, form); got.status != http.StatusConflict || !strings.Contains(got.body, "the admin console&#39;s client is managed by Foyer") {
			t.Errorf("owner: POST %s = %d", p, got.status)
		}
	}
	admin := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
	if got := admin.post(t, "/admin/applications/"+manage.ConsoleApplicationID+"/clients", clientValues("Backdoor")); got.status != http.StatusNotFound {
		t.Errorf("an admin registering a client of the administrators store: %d", got.status)
	}
	if acts := e.auditActions(t); len(acts) != 1 {
		t.Errorf("refused changes wrote %v", acts)
	}
}
