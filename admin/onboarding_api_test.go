package admin

import (
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/seal"
)

// testSealer seals partner lookup secrets as cmd/foyer does: bound to the
// application.
type testSealer struct{ s *seal.Sealer }

func newTestSealer(t *testing.T) testSealer {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	s, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return testSealer{s: s}
}

func (ts testSealer) SealPartnerLookupSecret(appID string, secret []byte) ([]byte, error) {
	return ts.s.Seal(secret, []byte(appID))
}

// Role flags round-trip through create, read and update, and are audited.
func TestRoleFlagsAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		created := e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/stores/eu/roles",
			`{"name":"Customer admin","organization_admin":true}`, "")
		r := decodeBody[manage.Role](t, created)
		if !r.OrganizationAdmin || r.Assignable {
			t.Fatalf("created %+v", r)
		}
		r.OrganizationAdmin, r.Assignable = false, true
		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/stores/eu/roles/"+r.ID, encode(t, r), `"1"`)
		got := decodeBody[manage.Role](t, e.must(t, http.StatusOK, "support-bot", http.MethodGet, "/stores/eu/roles/"+r.ID, "", ""))
		if got.OrganizationAdmin || !got.Assignable {
			t.Fatalf("read back %+v", got)
		}
		stored, err := e.s.GetStoreRole(t.Context(), "eu", r.ID)
		if err != nil || stored.OrganizationAdmin || !stored.Assignable {
			t.Fatalf("stored %+v %v", stored, err)
		}
		e.must(t, http.StatusForbidden, "support-bot", http.MethodPost, "/stores/eu/roles", `{"name":"x","assignable":true}`, "")
	})
}

// The organization schema is validated like the account schema, kept when
// a replace omits it, and organizations' company information is checked
// against it.
func TestOrganizationSchemaAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		bad := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, "/stores/eu",
			`{"name":"eu","identifier_types":["email"],"organization_attributes":[{"name":"Bad Name"},{"name":"vat","pattern":"("}]}`, `"1"`)
		for _, f := range []string{"organization_attributes[0].name", "organization_attributes[1].pattern"} {
			if !strings.Contains(bad.Body.String(), `"field": "`+f+`"`) {
				t.Errorf("no error for %s: %s", f, bad.Body)
			}
		}
		schema := `{"name":"eu","identifier_types":["email"],"organization_attributes":[
			{"name":"vat","label":"VAT number","required":true,"pattern":"[A-Z]{2}[0-9]{8,12}"},
			{"name":"size","type":"enum","options":["small","large"]}]}`
		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/stores/eu", schema, `"1"`)
		// A replace without the field (a caller that predates it) keeps it.
		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/stores/eu", `{"name":"Europe","identifier_types":["email"]}`, `"2"`)
		is, err := e.s.GetIdentityStore(t.Context(), "eu")
		if err != nil || len(is.OrganizationAttributes) != 2 || is.OrganizationAttributes[0].Name != "vat" {
			t.Fatalf("stored schema %+v %v", is, err)
		}

		refused := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPost, "/stores/eu/organizations",
			`{"name":"Acme","attributes":{"size":"huge","colour":"red"}}`, "")
		for _, f := range []string{"attributes.vat", "attributes.size", "attributes.colour"} {
			if !strings.Contains(refused.Body.String(), `"field": "`+f+`"`) {
				t.Errorf("no error for %s: %s", f, refused.Body)
			}
		}
		created := decodeBody[manage.Organization](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost,
			"/stores/eu/organizations", `{"name":"Acme","attributes":{"vat":"DE123456789","size":" small "}}`, ""))
		if created.Attributes["vat"] != "DE123456789" || created.Attributes["size"] != "small" {
			t.Fatalf("created %+v", created)
		}
		// A rename without attributes keeps them; new ones are judged.
		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/stores/eu/organizations/"+created.ID, `{"name":"Acme AG"}`, `"1"`)
		e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, "/stores/eu/organizations/"+created.ID,
			`{"name":"Acme AG","attributes":{"vat":"nope"}}`, `"2"`)
		o, err := e.s.GetOrganization(t.Context(), "eu", created.ID)
		if err != nil || o.Name != "Acme AG" || o.Attributes["vat"] != "DE123456789" {
			t.Fatalf("stored %+v %v", o, err)
		}
	})
}

// A partner code is shown once, redeemable by its digest, rotated by a
// new one, never in a read or the audit log; customers have none.
func TestPartnerCodeAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		ctx := t.Context()
		partner := decodeBody[manage.Organization](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost,
			"/stores/eu/organizations", `{"name":"Reseller","partner":true}`, ""))
		customer := decodeBody[manage.Organization](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost,
			"/stores/eu/organizations", `{"name":"Shopper"}`, ""))
		path := "/stores/eu/organizations/" + partner.ID + "/partner-code"

		e.must(t, http.StatusNotFound, "support-bot", http.MethodGet, path, "", "")
		for _, tok := range []string{"support-bot", "auditor-bot"} {
			e.must(t, http.StatusForbidden, tok, http.MethodPost, path, "", "")
		}
		conflict := e.must(t, http.StatusConflict, "admin-bot", http.MethodPost, "/stores/eu/organizations/"+customer.ID+"/partner-code", "", "")
		if !strings.Contains(conflict.Body.String(), "customer organization") {
			t.Errorf("conflict says %s", conflict.Body)
		}
		e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPost, path, `{"max_uses":-1,"expires_at":"2001-01-01T00:00:00Z"}`, "")

		expires := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
		rec := e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, path, encode(t, map[string]any{"expires_at": expires, "max_uses": 2}), "")
		first := decodeBody[manage.IssuedPartnerCode](t, rec)
		if first.Code == "" || first.MaxUses != 2 || first.ExpiresAt == nil || !first.ExpiresAt.Equal(expires) || !first.Active ||
			rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("issued %+v %v", first, rec.Header())
		}
		if entry := lastEntry(t, e.s); entry.Action != "organization.partner_code_set" || entry.TargetID != partner.ID {
			t.Fatalf("audit %+v", entry)
		}
		auditLacks(t, e.s, first.Code)
		status := e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, path, "", "")
		if strings.Contains(status.Body.String(), first.Code) || strings.Contains(status.Body.String(), `"code"`) {
			t.Fatalf("status shows the code: %s", status.Body)
		}
		// Typed loosely (lower case, no dashes), it is the organization's.
		loose := strings.ToLower(strings.ReplaceAll(first.Code, "-", ""))
		org, err := e.s.RedeemPartnerCode(ctx, "eu", storage.PartnerCodeDigest(loose), time.Now())
		if err != nil || org.ID != partner.ID {
			t.Fatalf("redeem: %+v %v", org, err)
		}
		if got := decodeBody[manage.PartnerCodeStatus](t, e.must(t, http.StatusOK, "support-bot", http.MethodGet, path, "", "")); got.Uses != 1 {
			t.Errorf("uses %d", got.Uses)
		}

		second := decodeBody[manage.IssuedPartnerCode](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, path, "", ""))
		if second.Code == first.Code || second.ExpiresAt != nil || second.MaxUses != 0 || second.Uses != 0 {
			t.Fatalf("rotated %+v", second)
		}
		if _, err := e.s.RedeemPartnerCode(ctx, "eu", storage.PartnerCodeDigest(first.Code), time.Now()); err == nil {
			t.Fatal("the rotated-out code still works")
		}
		e.must(t, http.StatusNoContent, "eu-bot", http.MethodDelete, path, "", "")
		e.must(t, http.StatusNotFound, "admin-bot", http.MethodDelete, path, "", "")
		// An organization that stops being a partner loses its code.
		third := decodeBody[manage.IssuedPartnerCode](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, path, "", ""))
		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/stores/eu/organizations/"+partner.ID, `{"name":"Reseller","partner":false}`, `"1"`)
		if _, err := e.s.RedeemPartnerCode(ctx, "eu", storage.PartnerCodeDigest(third.Code), time.Now()); err == nil {
			t.Fatal("a former partner's code still works")
		}
		if _, err := e.s.RedeemPartnerCode(ctx, "eu", storage.PartnerCodeDigest(second.Code), time.Now()); err == nil {
			t.Fatal("a deleted code still works")
		}
		auditLacks(t, e.s, second.Code)
	})
}

// lastEntry is the newest audit entry.
func lastEntry(t *testing.T, s storage.Store) storage.AuditEntry {
	t.Helper()
	entries, err := s.ListAuditEntries(t.Context(), storage.AuditFilter{Limit: 1})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit log: %v %v", entries, err)
	}
	return entries[0]
}

// auditLacks fails when any audit entry holds secret.
func auditLacks(t *testing.T, s storage.Store, secret string) {
	t.Helper()
	err := s.WalkAuditEntries(t.Context(), func(e storage.AuditEntry) error {
		if strings.Contains(e.Before+e.After, secret) {
			t.Errorf("audit entry %s holds the secret", e.Action)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The onboarding part of a self-service policy names roles the
// application's store defines, and says which when registration is on.
func TestOnboardingPolicyAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		app := decodeBody[manage.ApplicationView](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/applications",
			`{"store_id":"eu","name":"Partner shop","organizational":true}`, ""))
		role := decodeBody[manage.Role](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/stores/eu/roles",
			`{"name":"Org admin","organization_admin":true}`, ""))
		policy := func(name, roleID string, lifetime int) string {
			onboarding := map[string]any{"customer_registration": true, "new_organization_role_id": roleID}
			if lifetime != 0 { // absent: the default (a week)
				onboarding["invitation_lifetime_seconds"] = lifetime
			}
			return encode(t, map[string]any{"kind": "self_service", "name": name, "self_service": map[string]any{
				"registration_enabled": true, "onboarding": onboarding}})
		}
		noRole := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPost, "/policies", policy("a", "", 0), "")
		if !strings.Contains(noRole.Body.String(), `"field": "self_service.onboarding.new_organization_role_id"`) {
			t.Errorf("no role: %s", noRole.Body)
		}
		e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPost, "/policies", policy("b", role.ID, 31*24*3600), "")

		unknown := decodeBody[manage.PolicyView](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/policies",
			policy("Elsewhere", "no-such-role", 0), ""))
		refused := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, "/applications/"+app.ID+"/policies/self_service",
			encode(t, map[string]string{"policy_id": unknown.ID}), "")
		if !strings.Contains(refused.Body.String(), "not a role of identity store") {
			t.Errorf("unknown role: %s", refused.Body)
		}
		plain := decodeBody[manage.Role](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/stores/eu/roles", `{"name":"Member"}`, ""))
		notAdmin := decodeBody[manage.PolicyView](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/policies",
			policy("Plain", plain.ID, 0), ""))
		if got := e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, "/applications/"+app.ID+"/policies/self_service",
			encode(t, map[string]string{"policy_id": notAdmin.ID}), ""); !strings.Contains(got.Body.String(), "organization administrator role") {
			t.Errorf("a plain role for the first member: %s", got.Body)
		}
		good := decodeBody[manage.PolicyView](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/policies",
			policy("Onboarding", role.ID, 3*24*3600), ""))
		e.must(t, http.StatusOK, "admin-bot", http.MethodPut, "/applications/"+app.ID+"/policies/self_service",
			encode(t, map[string]string{"policy_id": good.ID}), "")
		stored, err := e.s.GetApplication(t.Context(), app.ID)
		if err != nil || stored.SelfService.Onboarding.NewOrganizationRoleID != role.ID ||
			stored.SelfService.Onboarding.InvitationLifetime != 3*24*time.Hour {
			t.Fatalf("application's policy %+v %v", stored.SelfService.Onboarding, err)
		}
		// Changing the assigned policy to a role the store lacks is refused.
		e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, "/policies/"+good.ID, policy("Onboarding", "gone", 0), `"1"`)
	})
}

// A partner lookup webhook takes https URLs only; its secret is shown
// when made, stored sealed, never read back or audited.
func TestPartnerLookupAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		app := decodeBody[manage.ApplicationView](t, e.must(t, http.StatusCreated, "admin-bot", http.MethodPost, "/applications",
			`{"store_id":"eu","name":"Partner shop","organizational":true}`, ""))
		path := "/applications/" + app.ID + "/partner-lookup"
		e.must(t, http.StatusNotFound, "support-bot", http.MethodGet, path, "", "")
		for _, tok := range []string{"support-bot", "auditor-bot"} {
			e.must(t, http.StatusForbidden, tok, http.MethodPut, path, `{"url":"https://partners.example.com/lookup"}`, "")
		}
		for _, bad := range []string{`{"url":"http://partners.example.com/lookup"}`, `{"url":"https://u:p@partners.example.com/"}`,
			`{"url":"https://partners.example.com/#x"}`, `{"url":"/lookup"}`, `{"url":"https://partners.example.com/","timeout_seconds":11}`} {
			e.must(t, http.StatusUnprocessableEntity, "admin-bot", http.MethodPut, path, bad, "")
		}
		set := decodeBody[manage.PartnerLookupSet](t, e.must(t, http.StatusOK, "admin-bot", http.MethodPut, path,
			`{"url":"https://partners.example.com/lookup","timeout_seconds":3}`, ""))
		if set.Secret == "" || set.TimeoutSeconds != 3 {
			t.Fatalf("set %+v", set)
		}
		stored, err := e.s.GetPartnerLookup(t.Context(), app.ID)
		if err != nil || strings.Contains(string(stored.SecretSealed), set.Secret) || stored.Timeout != 3*time.Second {
			t.Fatalf("stored %+v %v", stored, err)
		}
		read := e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, path, "", "")
		if strings.Contains(read.Body.String(), set.Secret) || strings.Contains(read.Body.String(), "secret") {
			t.Fatalf("read shows the secret: %s", read.Body)
		}
		// A change without rotate_secret keeps the secret and shows none.
		again := decodeBody[manage.PartnerLookupSet](t, e.must(t, http.StatusOK, "admin-bot", http.MethodPut, path,
			`{"url":"https://partners.example.com/v2"}`, ""))
		kept, err := e.s.GetPartnerLookup(t.Context(), app.ID)
		if err != nil || again.Secret != "" || again.TimeoutSeconds != 5 || string(kept.SecretSealed) != string(stored.SecretSealed) {
			t.Fatalf("update %+v %v", again, err)
		}
		rotated := decodeBody[manage.PartnerLookupSet](t, e.must(t, http.StatusOK, "admin-bot", http.MethodPut, path,
			`{"url":"https://partners.example.com/v2","rotate_secret":true}`, ""))
		if rotated.Secret == "" || rotated.Secret == set.Secret {
			t.Fatalf("rotated %+v", rotated)
		}
		if entry := lastEntry(t, e.s); entry.Action != "application.partner_lookup_set" || entry.TargetID != app.ID {
			t.Fatalf("audit %+v", entry)
		}
		auditLacks(t, e.s, set.Secret)
		auditLacks(t, e.s, rotated.Secret)
		e.must(t, http.StatusNoContent, "eu-bot", http.MethodDelete, path, "", "")
		e.must(t, http.StatusNotFound, "admin-bot", http.MethodGet, path, "", "")
	})
}
