package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
)

// The self-service policy's "Sign in with external identities": the
// enabled providers of the stores of the applications using the policy,
// by name, each offered and trusted for MFA by a checkbox, and the
// invitations switch, round-trip through the service; another store's
// provider and trust of a provider not offered are refused beside the
// form, changing nothing; a provider disabled later stays offered.
func TestPolicyExternalProvidersForm(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		cs := e.store.(consoleStore)
		mk := func(storeID, name string, enabled bool) *storage.UpstreamProvider {
			p := &storage.UpstreamProvider{StoreID: storeID, Name: name, Kind: storage.UpstreamOIDC,
				Issuer: "https://" + strings.ToLower(name) + ".example", ClientID: "foyer", Enabled: enabled}
			if err := e.store.CreateUpstreamProvider(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		zeta, google, contoso := mk(storeA, "Zeta", true), mk(storeA, "Google", true), mk(storeB, "Contoso", true)
		mk(storeA, "Off", false)
		if err := e.store.CreateApplication(ctx, &storage.Application{ID: "shop", StoreID: storeA, Name: "Shop"}); err != nil {
			t.Fatal(err)
		}
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		created := br.post(t, "/admin/policies", url.Values{"kind": {"self_service"}, "name": {"Social"}})
		path := strings.TrimSuffix(created.location, "?notice=created")
		id := strings.TrimPrefix(path, "/admin/policies/")
		if err := cs.AssignPolicy(ctx, "shop", id); err != nil {
			t.Fatal(err)
		}
		page := br.get(t, path)
		gi, zi := strings.Index(page.body, "Offer Google"), strings.Index(page.body, "Offer Zeta")
		if gi < 0 || zi < gi || strings.Contains(page.body, "Offer Off") || strings.Contains(page.body, "Offer Contoso") ||
			!strings.Contains(page.body, `<label for="policy-ext-mfa-`+google.ID+`">Trust Google&#39;s multi-factor sign-in</label>`) ||
			!strings.Contains(page.body, `<label for="policy-ext-invitations">`) {
			t.Fatalf("the form's providers (%d): Google at %d, Zeta at %d\n%s", page.status, gi, zi, page.body)
		}
		form := func(offer, trust []string) url.Values {
			return url.Values{"name": {"Social"}, "reset_link_minutes": {"60"}, "activation_link_minutes": {"1440"}, "code_minutes": {"10"},
				"password_min_length": {"8"}, "version": {"1"}, "external_providers": offer, "external_trust_mfa": trust,
				"external_invitations": {"yes"}}
		}
		other := br.post(t, path, form([]string{google.ID, contoso.ID}, nil))
		if other.status != http.StatusUnprocessableEntity || !strings.Contains(other.body, `id="body-error"`) || !strings.Contains(other.body, contoso.ID) {
			t.Errorf("another store's provider: %d", other.status)
		}
		untrusted := br.post(t, path, form([]string{google.ID}, []string{zeta.ID}))
		if untrusted.status != http.StatusUnprocessableEntity || !strings.Contains(untrusted.body, "not offered") {
			t.Errorf("trust not offered: %d", untrusted.status)
		}
		if p, _ := cs.GetPolicy(ctx, id); len(p.SelfService.External.Providers) != 0 {
			t.Fatalf("a refused form was saved: %+v", p.SelfService.External)
		}
		if got := br.post(t, path, form([]string{google.ID, zeta.ID}, []string{google.ID})); got.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", got.status, got.body)
		}
		app, err := e.store.GetApplication(ctx, "shop")
		if ext := app.SelfService.External; err != nil || !slices.Equal(ext.Providers, []string{google.ID, zeta.ID}) ||
			!slices.Equal(ext.TrustMFA, []string{google.ID}) || !ext.Invitations {
			t.Fatalf("the application's policy: %+v, %v", ext, err)
		}
		// Disabled meanwhile, Google stays offered (and says so) until unchecked.
		google.Enabled = false
		if err := e.store.UpdateUpstreamProvider(ctx, google); err != nil {
			t.Fatal(err)
		}
		page = br.get(t, path)
		for _, want := range []string{`id="policy-ext-` + google.ID + `" name="external_providers" value="` + google.ID + `" checked`,
			"Offer Google (disabled: no button is shown)", `id="policy-ext-mfa-` + google.ID + `" name="external_trust_mfa" value="` + google.ID + `" checked`,
			`id="policy-ext-` + zeta.ID + `" name="external_providers" value="` + zeta.ID + `" checked`,
			`id="policy-ext-mfa-` + zeta.ID + `" name="external_trust_mfa" value="` + zeta.ID + `">`,
			`name="external_invitations" value="yes" checked`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the saved form lacks %q", want)
			}
		}
		if strings.Contains(page.body, "Offer Off") {
			t.Error("a disabled provider not offered is shown")
		}
		if acts := e.auditActions(t); len(acts) != 2 || acts[0] != "policy.updated" {
			t.Errorf("audit = %v", acts)
		}
	})
}
