package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// newApp creates an application in store A as the system.
func (e *testEnv) newApp(t *testing.T, id string) manage.ApplicationView {
	t.Helper()
	cs := e.store.(consoleStore)
	app, err := manage.NewApplications(manage.NewCore(cs, e.clock.Now), cs).Create(t.Context(), manage.System(),
		manage.ApplicationInput{ID: id, Name: "App " + id, StoreID: storeA})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// TestApplicationRoles: every role reads an application of a store it
// sees; only admin and owner change it; an application of another store
// is not found for a scoped admin; refused changes write nothing.
func TestApplicationRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.newApp(t, "shop")
	browsers := map[string]*browser{
		"auditor": e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor))),
		"support": e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport))),
		"scoped":  e.signIn(t, e.admin(t, "scoped@example.com", grant(storage.RoleAdmin, storeB))),
	}
	want := map[string]int{"auditor": http.StatusForbidden, "support": http.StatusForbidden, "scoped": http.StatusNotFound}
	for who, br := range browsers {
		page := br.get(t, "/admin/applications/shop")
		if who == "scoped" {
			if page.status != http.StatusNotFound {
				t.Errorf("scoped: GET = %d", page.status)
			}
		} else if page.status != http.StatusOK || strings.Contains(page.body, `href="/admin/applications/shop/delete"`) ||
			strings.Contains(page.body, `type="submit" class="button button-primary"`) {
			t.Errorf("%s: GET = %d, or the page offers changes", who, page.status)
		}
		if got := br.get(t, "/admin/applications/shop/delete"); got.status != want[who] {
			t.Errorf("%s: GET delete = %d, want %d", who, got.status, want[who])
		}
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/admin/applications/shop", url.Values{"name": {"X"}, "version": {"1"}}},
			{"/admin/applications/shop/delete", url.Values{"confirm": {"yes"}, "version": {"1"}}},
			{"/admin/applications/shop/policy", url.Values{"kind": {"mfa"}, "policy_id": {"x"}}},
		} {
			if got := br.post(t, p.path, p.form); got.status != want[who] {
				t.Errorf("%s: POST %s = %d, want %d", who, p.path, got.status, want[who])
			}
		}
	}
	if acts := e.auditActions(t); len(acts) != 1 || acts[0] != "application.created" {
		t.Errorf("refused changes wrote %v", acts)
	}
}

// TestApplicationLifecycle: edit with field errors kept, a stale form
// refused, an MFA policy assigned, a wrong one refused beside its select,
// deletion refused with the service's sentence while a client exists,
// and deleted through the confirmation after.
func TestApplicationLifecycle(t *testing.T) {
	t.Parallel()
	onBothStores(t, applicationLifecycle)
}

func applicationLifecycle(t *testing.T, e *testEnv) {
	e.newApp(t, "shop")
	cs := e.store.(consoleStore)
	mfa, err := manage.NewPolicies(manage.NewCore(cs, e.clock.Now), cs).Create(t.Context(), manage.System(),
		manage.PolicyInput{Kind: storage.PolicyMFA, Name: "Strict MFA", MFA: &storage.MFAPolicy{Mode: storage.MFARequired, Methods: []string{storage.MethodTOTP}}})
	if err != nil {
		t.Fatal(err)
	}
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin, storeA)))
	page := br.get(t, "/admin/applications/shop")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Store A") || !strings.Contains(page.body, "Strict MFA") {
		t.Fatalf("page: %d", page.status)
	}
	bad := br.post(t, "/admin/applications/shop", url.Values{"name": {"Web shop"}, "logo_url": {"not a url"}, "primary_color": {"red"}, "version": {"1"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="logo-error"`) || !strings.Contains(bad.body, `id="color-error"`) ||
		!strings.Contains(bad.body, `value="Web shop"`) || !strings.Contains(bad.body, `value="red"`) {
		t.Fatalf("bad edit: %d", bad.status)
	}
	ok := br.post(t, "/admin/applications/shop", url.Values{"name": {"Web shop"}, "logo_url": {"https://shop.example/logo.png"},
		"primary_color": {"#112233"}, "organizational": {"yes"}, "version": {"1"}})
	if ok.status != http.StatusSeeOther || ok.location != "/admin/applications/shop?notice=saved" {
		t.Fatalf("edit: %d to %q %s", ok.status, ok.location, ok.body)
	}
	stale := br.post(t, "/admin/applications/shop", url.Values{"name": {"Old tab"}, "version": {"1"}})
	if stale.status != http.StatusPreconditionFailed || !strings.Contains(stale.body, `value="Old tab"`) {
		t.Errorf("a stale form: %d", stale.status)
	}
	wrong := br.post(t, "/admin/applications/shop/policy", url.Values{"kind": {"mfa"}, "policy_id": {"no-such-policy"}})
	if wrong.status != http.StatusUnprocessableEntity || !strings.Contains(wrong.body, `id="policy-mfa-error"`) {
		t.Errorf("a wrong policy: %d", wrong.status)
	}
	if got := br.post(t, "/admin/applications/shop/policy", url.Values{"kind": {"mfa"}, "policy_id": {mfa.ID}}); got.status != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", got.status, got.body)
	}
	app, err := cs.GetApplication(t.Context(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	if app.Name != "Web shop" || app.PrimaryColor != "#112233" || !app.Organizational || app.MFAPolicyID != mfa.ID || app.StoreID != storeA {
		t.Errorf("after editing: %+v", app)
	}
	br.checkConfirmation(t, "/admin/applications/shop/delete", "3")
	if err := cs.CreateClient(t.Context(), &storage.Client{ID: "shop-web", ApplicationID: "shop", Name: "Web", Public: true,
		RedirectURIs: []string{"https://shop.example/cb"}, GrantTypes: []string{"authorization_code"}}); err != nil {
		t.Fatal(err)
	}
	full := br.post(t, "/admin/applications/shop/delete", url.Values{"version": {"3"}, "confirm": {"yes"}})
	if full.status != http.StatusConflict || !strings.Contains(full.body, "the application still has clients") {
		t.Errorf("deleting with a client: %d", full.status)
	}
	if err := cs.DeleteClient(t.Context(), "shop-web"); err != nil {
		t.Fatal(err)
	}
	if got := br.post(t, "/admin/applications/shop/delete", url.Values{"version": {"3"}, "confirm": {"yes"}}); got.location != "/admin/applications?notice=deleted" {
		t.Fatalf("delete: %d to %q %s", got.status, got.location, got.body)
	}
	want := "application.deleted policy.assigned application.updated policy.created application.created"
	if acts := strings.Join(e.auditActions(t), " "); acts != want {
		t.Errorf("audit actions %q, want %q", acts, want)
	}
}
