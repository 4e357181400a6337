package console

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/seal"
)

// testSealer seals partner lookup secrets bound to the application, as
// cmd/foyer's sealer does.
type testSealer struct{ s *seal.Sealer }

func newTestSealer(t testing.TB) testSealer {
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

// TestRoleFlagsForm: the role form's two flags, with labels and help
// text, round-trip through the service.
func TestRoleFlagsForm(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		list := "/admin/stores/" + storeA + "/roles"
		if got := br.post(t, list, url.Values{"name": {"Org admin"}, "organization_admin": {"yes"}}); got.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", got.status, got.body)
		}
		roles, err := e.store.(consoleStore).ListStoreRoles(context.Background(), storeA, "", 0)
		if err != nil || len(roles) != 1 || !roles[0].OrganizationAdmin || roles[0].Assignable {
			t.Fatalf("stored %+v %v", roles, err)
		}
		path := list + "/" + roles[0].ID
		page := br.get(t, path)
		for _, want := range []string{`<label for="role-organization-admin">`, `id="role-organization-admin" name="organization_admin" value="yes" aria-describedby="role-organization-admin-hint" checked`,
			"Holders administer their organization in the account portal", "Organization administrators may grant this role"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("role page lacks %q", want)
			}
		}
		if got := br.post(t, path, url.Values{"name": {"Org admin"}, "assignable": {"yes"}, "version": {"1"}}); got.status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", got.status, got.body)
		}
		r, err := e.store.(consoleStore).GetStoreRole(context.Background(), storeA, roles[0].ID)
		if err != nil || r.OrganizationAdmin || !r.Assignable {
			t.Fatalf("updated %+v %v", r, err)
		}
	})
}

// TestOrganizationSchemaAndCompanyInfo: the organization schema has its
// own editor on the store page, the account schema stays, and the
// organization form asks for the company information with errors next
// to each field.
func TestOrganizationSchemaAndCompanyInfo(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		editor := "/admin/stores/" + storeA + "/organization-attributes"
		bad := br.post(t, editor, url.Values{"name": {"vat"}, "type": {"string"}, "pattern": {"("}, "version": {"1"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "Organization attribute") {
			t.Fatalf("bad pattern: %d %s", bad.status, bad.body)
		}
		good := url.Values{"name": {"vat"}, "label": {"VAT number"}, "type": {"string"}, "required": {"yes"},
			"pattern": {"[A-Z]{2}[0-9]{8,12}"}, "visible": {"yes"}, "editable": {"yes"}, "version": {"1"}}
		if got := br.post(t, editor, good); got.status != http.StatusSeeOther {
			t.Fatalf("add: %d %s", got.status, got.body)
		}
		is, err := e.store.GetIdentityStore(context.Background(), storeA)
		if err != nil || len(is.OrganizationAttributes) != 1 || len(is.Attributes) != 0 || !is.OrganizationAttributes[0].Required {
			t.Fatalf("store %+v %v", is, err)
		}
		if page := br.get(t, "/admin/stores/"+storeA); !strings.Contains(page.body, `id="org-schema-table"`) || !strings.Contains(page.body, editor+"/vat") {
			t.Errorf("store page lacks the organization schema: %s", page.body)
		}

		orgs := "/admin/stores/" + storeA + "/organizations"
		refused := br.post(t, orgs, url.Values{"name": {"Acme"}, "partner": {"yes"}, "attr.vat": {"nope"}})
		if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, `<label for="attr-vat">VAT number</label>`) ||
			!strings.Contains(refused.body, `id="attr-vat-error"`) || !strings.Contains(refused.body, `value="nope"`) {
			t.Fatalf("bad company info: %d %s", refused.status, refused.body)
		}
		if got := br.post(t, orgs, url.Values{"name": {"Acme"}, "partner": {"yes"}, "attr.vat": {"DE123456789"}}); got.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", got.status, got.body)
		}
		list, err := e.store.(consoleStore).ListOrganizations(context.Background(), storeA, "", 0)
		if err != nil || len(list) != 1 || list[0].Attributes["vat"] != "DE123456789" {
			t.Fatalf("stored %+v %v", list, err)
		}
	})
}

var newCodePattern = regexp.MustCompile(`id="new-partner-code">([0-9A-Z-]+)<`)

// TestPartnerCodeSection: a partner's page makes a code shown once and
// redeemable, shows its status afterwards, support may only read it, a
// customer's page has no section, and deletion asks first.
func TestPartnerCodeSection(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		cs := e.store.(consoleStore)
		partner := &storage.Organization{StoreID: storeA, Name: "Reseller", Partner: true}
		customer := &storage.Organization{StoreID: storeA, Name: "Shopper"}
		for _, o := range []*storage.Organization{partner, customer} {
			if err := cs.CreateOrganization(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		base := "/admin/stores/" + storeA + "/organizations/"
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		if page := br.get(t, base+customer.ID); strings.Contains(page.body, "partner-code") {
			t.Error("a customer's page offers a partner code")
		}
		if got := br.post(t, base+customer.ID+"/partner-code", nil); got.status != http.StatusNotFound {
			t.Errorf("customer code: %d", got.status)
		}
		if got := br.post(t, base+partner.ID+"/partner-code", url.Values{"valid_days": {"0"}, "max_uses": {"x"}}); got.status != http.StatusUnprocessableEntity ||
			!strings.Contains(got.body, `id="code-valid-days-error"`) || !strings.Contains(got.body, `id="code-max-uses-error"`) {
			t.Fatalf("bad limits: %d %s", got.status, got.body)
		}
		made := br.post(t, base+partner.ID+"/partner-code", url.Values{"valid_days": {"30"}, "max_uses": {"3"}})
		m := newCodePattern.FindStringSubmatch(made.body)
		if made.status != http.StatusOK || m == nil {
			t.Fatalf("generate: %d %s", made.status, made.body)
		}
		if o, err := cs.RedeemPartnerCode(ctx, storeA, storage.PartnerCodeDigest(m[1]), time.Now()); err != nil || o.ID != partner.ID {
			t.Fatalf("redeem: %+v %v", o, err)
		}
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		status := support.get(t, base+partner.ID)
		if strings.Contains(status.body, m[1]) || !strings.Contains(status.body, `id="partner-code-status"`) || !strings.Contains(status.body, "1 / 3") ||
			strings.Contains(status.body, `action="`+base+partner.ID+`/partner-code"`) {
			t.Errorf("status page: %s", status.body)
		}
		if got := support.post(t, base+partner.ID+"/partner-code", nil); got.status != http.StatusForbidden {
			t.Errorf("support generates: %d", got.status)
		}
		del := base + partner.ID + "/partner-code/delete"
		if got := br.post(t, del, nil); got.status != http.StatusSeeOther || got.location != del {
			t.Fatalf("delete without confirmation: %d %q", got.status, got.location)
		}
		if got := br.post(t, del, url.Values{"confirm": {"yes"}}); got.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", got.status)
		}
		if _, err := cs.GetPartnerCode(ctx, storeA, partner.ID); err == nil {
			t.Error("the code is still there")
		}
		acts := strings.Join(e.auditActions(t), " ")
		if !strings.Contains(acts, "organization.partner_code_set") || !strings.Contains(acts, "organization.partner_code_deleted") {
			t.Errorf("audit %s", acts)
		}
	})
}

// TestPartnerLookupPage: https only, the secret shown once on the
// answered page and never again, a note for a non-organizational
// application, and auditors only read.
func TestPartnerLookupPage(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		app := &storage.Application{ID: "shop", StoreID: storeA, Name: "Shop"}
		if err := e.store.CreateApplication(context.Background(), app); err != nil {
			t.Fatal(err)
		}
		path := "/admin/applications/shop/partner-lookup"
		br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin)))
		if page := br.get(t, "/admin/applications/shop"); !strings.Contains(page.body, `href="`+path+`"`) {
			t.Errorf("the application page does not link the webhook")
		}
		first := br.get(t, path)
		if first.status != http.StatusOK || !strings.Contains(first.body, `id="not-organizational"`) || !strings.Contains(first.body, `<label for="lookup-url">`) {
			t.Fatalf("page: %d %s", first.status, first.body)
		}
		bad := br.post(t, path, url.Values{"url": {"http://partners.example.com/lookup"}, "timeout_seconds": {"5"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="lookup-url-error"`) || !strings.Contains(bad.body, "https") {
			t.Fatalf("http URL: %d %s", bad.status, bad.body)
		}
		saved := br.post(t, path, url.Values{"url": {"https://partners.example.com/lookup"}, "timeout_seconds": {"4"}})
		secret := regexp.MustCompile(`id="new-secret">(plk_[A-Za-z0-9_-]+)<`).FindStringSubmatch(saved.body)
		if saved.status != http.StatusOK || secret == nil {
			t.Fatalf("save: %d %s", saved.status, saved.body)
		}
		l, err := e.store.(consoleStore).GetPartnerLookup(context.Background(), "shop")
		if err != nil || l.Timeout != 4*time.Second || strings.Contains(string(l.SecretSealed), secret[1]) {
			t.Fatalf("stored %+v %v", l, err)
		}
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		read := auditor.get(t, path)
		if read.status != http.StatusOK || strings.Contains(read.body, secret[1]) || strings.Contains(read.body, `action="`+path+`"`) ||
			!strings.Contains(read.body, "https://partners.example.com/lookup") {
			t.Errorf("auditor's page: %d %s", read.status, read.body)
		}
		if got := auditor.post(t, path, url.Values{"url": {"https://evil.example.com/"}, "timeout_seconds": {"5"}}); got.status != http.StatusForbidden {
			t.Errorf("auditor saves: %d", got.status)
		}
		if again := br.get(t, path); strings.Contains(again.body, secret[1]) {
			t.Error("the secret is shown again")
		}
	})
}

// TestOnboardingPolicyForm: the self-service policy's onboarding part;
// a registration without its role is refused next to the field, and the
// roles offered are those of the stores of the applications using it.
func TestOnboardingPolicyForm(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		role := &storage.StoreRole{StoreID: storeA, Name: "Org admin", OrganizationAdmin: true}
		other := &storage.StoreRole{StoreID: storeB, Name: "Elsewhere"}
		for _, r := range []*storage.StoreRole{role, other} {
			if err := e.store.(consoleStore).CreateStoreRole(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		owner := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
		created := owner.post(t, "/admin/policies", url.Values{"kind": {"self_service"}, "name": {"B2B"}})
		if created.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", created.status, created.body)
		}
		path := strings.TrimSuffix(created.location, "?notice=created")
		id := strings.TrimPrefix(path, "/admin/policies/")
		app := &storage.Application{ID: "b2b", StoreID: storeA, Name: "B2B", Organizational: true}
		if err := e.store.CreateApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
		if _, err := manage.NewApplications(manage.NewCore(e.store.(consoleStore), nil), e.store.(consoleStore)).
			AssignPolicy(ctx, manage.System(), "b2b", storage.PolicySelfService, id); err != nil {
			t.Fatal(err)
		}
		page := owner.get(t, path)
		if !strings.Contains(page.body, `<option value="`+role.ID+`">Org admin</option>`) || strings.Contains(page.body, other.ID) ||
			!strings.Contains(page.body, `<label for="policy-new_organization_role_id">`) || strings.Contains(page.body, `id="onboarding-not-organizational"`) {
			t.Fatalf("policy page: %s", page.body)
		}
		// An application that is not organizational using it is named.
		shop := &storage.Application{ID: "shop", StoreID: storeA, Name: "Web shop"}
		if err := e.store.CreateApplication(ctx, shop); err != nil {
			t.Fatal(err)
		}
		if _, err := manage.NewApplications(manage.NewCore(e.store.(consoleStore), nil), e.store.(consoleStore)).
			AssignPolicy(ctx, manage.System(), "shop", storage.PolicySelfService, id); err != nil {
			t.Fatal(err)
		}
		if page := owner.get(t, path); !strings.Contains(page.body, `id="onboarding-not-organizational"`) || !strings.Contains(page.body, "Web shop") {
			t.Errorf("the non-organizational application is not named: %s", page.body)
		}
		form := url.Values{"name": {"B2B"}, "registration_enabled": {"yes"}, "reset_by_email_link": {"yes"}, "reset_link_minutes": {"60"},
			"activation_link_minutes": {"1440"}, "code_minutes": {"10"}, "password_min_length": {"8"}, "version": {"1"},
			"customer_registration": {"yes"}, "invitation_minutes": {"4320"}}
		noRole := owner.post(t, path, form)
		if noRole.status != http.StatusUnprocessableEntity || !strings.Contains(noRole.body, `id="new_organization_role_id-error"`) {
			t.Fatalf("no role: %d %s", noRole.status, noRole.body)
		}
		form.Set("new_organization_role_id", role.ID)
		if got := owner.post(t, path, form); got.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", got.status, got.body)
		}
		stored, err := e.store.GetApplication(ctx, "b2b")
		if err != nil || !stored.SelfService.Onboarding.CustomerRegistration || stored.SelfService.Onboarding.NewOrganizationRoleID != role.ID ||
			stored.SelfService.Onboarding.InvitationLifetime != 72*time.Hour {
			t.Fatalf("application's policy %+v %v", stored.SelfService.Onboarding, err)
		}
		form.Set("new_organization_role_id", other.ID)
		form.Set("version", "2")
		if got := owner.post(t, path, form); got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, "not a role of identity store") {
			t.Errorf("another store's role: %d %s", got.status, got.body)
		}
	})
}
