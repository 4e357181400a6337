package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// upstream creates an enabled upstream provider of the identity store.
func upstream(t *testing.T, s storage.Store, storeID, name string) *storage.UpstreamProvider {
	t.Helper()
	p := &storage.UpstreamProvider{StoreID: storeID, Name: name, Kind: storage.UpstreamOIDC,
		Issuer: "https://" + strings.ToLower(name) + ".example", ClientID: "foyer", Enabled: true}
	if err := s.CreateUpstreamProvider(t.Context(), p); err != nil {
		t.Fatalf("CreateUpstreamProvider %s: %v", name, err)
	}
	return p
}

func externalPolicy(ext storage.ExternalSignIn) *storage.SelfServicePolicy {
	ss := storage.DefaultSelfServicePolicy()
	ss.External = ext
	return &ss
}

// A self-service policy offers only providers that exist and, once
// applications use it, belong to each of their identity stores; trusting
// a provider's MFA needs it offered. Every refusal names the provider and
// changes nothing.
func TestPolicyExternalProvidersValidated(t *testing.T) {
	bothApps(t, func(t *testing.T, e *appsEnv) {
		ctx := t.Context()
		owner := appAdmin(storage.RoleAdmin)
		google, contoso := upstream(t, e.s, "eu", "Google"), upstream(t, e.s, "us", "Contoso")
		euApp, usApp := appCreate(t, e, "eu", "Shop"), appCreate(t, e, "us", "Shop US")

		_, err := e.policies.Create(ctx, owner, manage.PolicyInput{Kind: storage.PolicySelfService, Name: "Bad",
			SelfService: externalPolicy(storage.ExternalSignIn{Providers: []string{google.ID, "nope", "gone"}})})
		if msg := appFields(t, err)["self_service.external.providers"]; !strings.Contains(msg, `"nope", "gone"`) || strings.Contains(msg, google.ID) {
			t.Errorf("unknown providers: %q, want both unknown ids and not the known one", msg)
		}
		_, err = e.policies.Create(ctx, owner, manage.PolicyInput{Kind: storage.PolicySelfService, Name: "Untrusted",
			SelfService: externalPolicy(storage.ExternalSignIn{Providers: []string{google.ID}, TrustMFA: []string{contoso.ID}})})
		if msg := appFields(t, err)["self_service"]; !strings.Contains(msg, contoso.ID) || !strings.Contains(msg, "not offered") {
			t.Errorf("trust not offered: %q", msg)
		}

		p, err := e.policies.Create(ctx, owner, manage.PolicyInput{Kind: storage.PolicySelfService, Name: "Social",
			SelfService: externalPolicy(storage.ExternalSignIn{Providers: []string{google.ID}, TrustMFA: []string{google.ID}, Invitations: true})})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.apps.AssignPolicy(ctx, owner, euApp.ID, storage.PolicySelfService, p.ID); err != nil {
			t.Fatalf("assign to an application of the provider's store: %v", err)
		}
		_, err = e.apps.AssignPolicy(ctx, owner, usApp.ID, storage.PolicySelfService, p.ID)
		if msg := appFields(t, err)["policy_id"]; !strings.Contains(msg, google.ID) || !strings.Contains(msg, `"us"`) {
			t.Errorf("assign to another store's application: %q", msg)
		}
		// Used by an application of "eu", the policy cannot offer a
		// provider of "us".
		_, err = e.policies.Update(ctx, owner, p.ID, p.Version, manage.PolicyInput{Name: "Social",
			SelfService: externalPolicy(storage.ExternalSignIn{Providers: []string{google.ID, contoso.ID}})})
		if msg := appFields(t, err)["self_service"]; !strings.Contains(msg, contoso.ID) || !strings.Contains(msg, euApp.ID) {
			t.Errorf("update with another store's provider: %q", msg)
		}
		_, err = e.apps.SetOwnPolicy(ctx, owner, usApp.ID, storage.Policy{Kind: storage.PolicySelfService,
			SelfService: *externalPolicy(storage.ExternalSignIn{Providers: []string{google.ID}})})
		if msg := appFields(t, err)["self_service"]; !strings.Contains(msg, google.ID) {
			t.Errorf("own policy with another store's provider: %q", msg)
		}
		stored, err := e.s.GetApplication(ctx, usApp.ID)
		if err != nil || len(stored.SelfService.External.Providers) != 0 {
			t.Errorf("a refused policy reached the application: %+v, %v", stored.SelfService.External, err)
		}
		if got, err := e.policies.Update(ctx, owner, p.ID, p.Version, manage.PolicyInput{Name: "Social",
			SelfService: externalPolicy(storage.ExternalSignIn{})}); err != nil || len(got.SelfService.External.Providers) != 0 {
			t.Errorf("clearing the providers: %+v, %v", got.SelfService, err)
		}
		if _, err := e.apps.SetOwnPolicy(ctx, owner, usApp.ID, storage.Policy{Kind: storage.PolicySelfService,
			SelfService: *externalPolicy(storage.ExternalSignIn{Providers: []string{contoso.ID}})}); err != nil {
			t.Errorf("own policy with the store's provider: %v", err)
		}
	})
}
