package console

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// The account list's provider filter is a select of the store's
// providers by name (and "any"), and filters by the provider's id; a
// legacy free-form value in the URL still filters and stays selected.
func TestAccountSearchProviderSelect(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, accts := newAccountsEnv(t, newStore(t))
		ctx := context.Background()
		google := &storage.UpstreamProvider{StoreID: storeA, Name: "Google", Kind: storage.UpstreamOIDC, Issuer: "https://g.example", ClientID: "c", Enabled: true}
		other := &storage.UpstreamProvider{StoreID: storeB, Name: "Contoso", Kind: storage.UpstreamOIDC, Issuer: "https://c.example", ClientID: "c", Enabled: true}
		for _, p := range []*storage.UpstreamProvider{google, other} {
			if err := e.store.CreateUpstreamProvider(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		for _, x := range []storage.ExternalIdentity{{AccountID: accts["ann@example.com"].ID, Provider: google.ID, Subject: "1"},
			{AccountID: accts["cleo@example.com"].ID, Provider: "github", Subject: "2"}} {
			if err := e.store.LinkExternalIdentity(ctx, &x); err != nil {
				t.Fatal(err)
			}
		}
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		page := br.get(t, accountsPath)
		for _, want := range []string{`<select id="sf-provider" name="provider"`, `<option value="any">With an external identity of any provider</option>`,
			`<option value="` + google.ID + `">Google</option>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the search panel lacks %s", want)
			}
		}
		if strings.Contains(page.body, "Contoso") {
			t.Error("another store's provider is offered")
		}
		for q, want := range map[string]string{"provider=" + google.ID: "ann@example.com", "provider=github": "cleo@example.com"} {
			got := br.get(t, accountsPath+"?"+q)
			if got.status != http.StatusOK || !strings.Contains(got.body, want) || strings.Contains(got.body, "bob@example.com") {
				t.Errorf("%s: %d, lists %s: %v", q, got.status, want, strings.Contains(got.body, want))
			}
		}
		if got := br.get(t, accountsPath+"?provider=github"); !strings.Contains(got.body, `<option value="github" selected>github</option>`) {
			t.Error("the legacy value is not kept selected")
		}
	})
}
