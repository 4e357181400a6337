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
		if strings.Contains(string(e.Before)+string(e.After), secret) {
			t.Errorf("audit entry %s holds the secret", e.Action)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
