package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// The account's external identities through the API: listed with the
// provider's name by whoever reads accounts, removed by support (204),
// 404 for an identity the account does not hold, 409 for its only way in,
// 403 for the auditor and an administrator of another store.
func TestAPIAccountExternalIdentities(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAuthAPIEnv(t, newStore(t))
		ctx := context.Background()
		google := &storage.UpstreamProvider{StoreID: storeA, Name: "Google", Kind: storage.UpstreamOIDC,
			Issuer: "https://accounts.google.com", ClientID: "foyer", Enabled: true}
		e.must(e.store.CreateUpstreamProvider(ctx, google))
		for _, x := range []storage.ExternalIdentity{{Provider: google.ID, Subject: "g-1", Email: "c@gmail.example"}, {Provider: "github", Subject: "gh-1"}} {
			x.AccountID = e.id
			e.must(e.store.LinkExternalIdentity(ctx, &x))
		}
		path := e.customer + "/external-identities"
		r := e.do("auditor", "GET", path, nil).expect(t, "auditor list", http.StatusOK)
		raw := string(r.raw)
		if !strings.Contains(raw, `"provider_name": "Google"`) || !strings.Contains(raw, `"provider": "`+google.ID+`"`) ||
			!strings.Contains(raw, `"provider_name": "github"`) || !strings.Contains(raw, `"email": "c@gmail.example"`) {
			t.Errorf("list = %s", raw)
		}
		e.do("admin-b", "GET", path, nil).expect(t, "other store's administrator", http.StatusForbidden)
		e.do("support", "GET", "/stores/"+storeB+"/accounts/"+e.id+"/external-identities", nil).expect(t, "wrong store", http.StatusNotFound)

		one := path + "/" + google.ID + "/g-1"
		e.refused(t, "DELETE", one, nil)
		e.do("support", "DELETE", path+"/"+google.ID+"/nobody", nil).expect(t, "unknown subject", http.StatusNotFound)
		e.do("support", "DELETE", one, map[string]any{"notify": map[string]string{"client_id": "robot-x"}}).
			expect(t, "a client that does not fit", http.StatusUnprocessableEntity)
		e.do("support", "DELETE", one, nil).expect(t, "remove", http.StatusNoContent)
		if a := e.lastAudit(); a.Action != "account.external_identity_removed" || a.TargetID != e.id || a.Role != storage.RoleSupport {
			t.Errorf("audit = %+v", a)
		}
		e.do("support", "DELETE", one, nil).expect(t, "removed twice", http.StatusNotFound)
		// The customer has no password and no passkey: GitHub is the way in.
		r = e.do("support", "DELETE", path+"/github/gh-1", nil).expect(t, "only way in", http.StatusConflict)
		if !strings.Contains(string(r.raw), "only way in") {
			t.Errorf("conflict = %s", r.raw)
		}
		r = e.do("support", "GET", path, nil).expect(t, "list after", http.StatusOK)
		if items, _ := r.body["items"].([]any); len(items) != 1 {
			t.Errorf("left = %s", r.raw)
		}
	})
}

// A self-service policy's external providers through the API: unknown ids
// and another store's provider are a 422 naming them; a provider of the
// application's store is accepted and read back.
func TestPoliciesAPIExternalProviders(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newAPIEnv(t, newStore(t))
		ctx := context.Background()
		mk := func(storeID, name string) string {
			p := &storage.UpstreamProvider{StoreID: storeID, Name: name, Kind: storage.UpstreamOIDC, Issuer: "https://idp.example", ClientID: "c", Enabled: true}
			e.must(e.store.CreateUpstreamProvider(ctx, p))
			return p.ID
		}
		google, contoso := mk(storeA, "Google"), mk(storeB, "Contoso")
		body := func(ids ...string) map[string]any {
			return map[string]any{"kind": "self_service", "name": "Social", "self_service": map[string]any{
				"external": map[string]any{"providers": ids, "trust_mfa": []string{}, "invitations": true}}}
		}
		bad := e.do("admin", http.MethodPost, "/policies", body(google, "nope")).expect(t, "unknown provider", http.StatusUnprocessableEntity)
		if raw := string(bad.raw); !strings.Contains(raw, `"field": "self_service.external.providers"`) || !strings.Contains(raw, `\"nope\"`) {
			t.Errorf("unknown provider answered %s", raw)
		}
		created := e.do("admin", http.MethodPost, "/policies", body(google)).expect(t, "create", http.StatusCreated)
		id := created.str("id")
		e.do("admin", http.MethodPut, "/applications/"+appB+"/policies/self_service", map[string]any{"policy_id": id}).
			expect(t, "assign to another store's application", http.StatusUnprocessableEntity)
		e.do("admin", http.MethodPut, "/applications/"+appA+"/policies/self_service", map[string]any{"policy_id": id}).expect(t, "assign", http.StatusOK)
		upd := e.do("admin", http.MethodPut, "/policies/"+id, body(google, contoso), "If-Match", `"1"`).expect(t, "another store's provider", http.StatusUnprocessableEntity)
		if !strings.Contains(string(upd.raw), contoso) {
			t.Errorf("update answered %s", upd.raw)
		}
		got := e.do("auditor", http.MethodGet, "/policies/"+id, nil).expect(t, "read", http.StatusOK)
		if !strings.Contains(string(got.raw), `"providers": [`) || !strings.Contains(string(got.raw), google) {
			t.Errorf("read %s", got.raw)
		}
	})
}
