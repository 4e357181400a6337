package selfservice_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"foyer/selfservice"
	"foyer/selfservice/partnerlookup"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// The store roles an organization's first member gets.
const (
	roleOrgAdmin = "r-org-admin"
	rolePartner  = "r-partner"
)

// orgEnv is an Env whose application is organizational, with customer
// and partner registration on (mod changes the onboarding policy), a
// required company attribute "vat" and both roles.
func orgEnv(t *testing.T, store storage.Store, mod func(*storage.Onboarding), partners partnerlookup.PartnerResolver) *selfservicetest.Env {
	t.Helper()
	env := selfservicetest.New(t, selfservicetest.Options{Store: store, Partners: partners,
		IdentityStore: func(is *storage.IdentityStore) {
			is.OrganizationAttributes = []storage.AttributeDef{{Name: "vat", Label: "VAT number", Required: true, Visible: true, Editable: true}}
		},
		App: func(a *storage.Application) {
			a.Organizational = true
			pol := storage.DefaultSelfServicePolicy()
			pol.Onboarding.CustomerRegistration, pol.Onboarding.NewOrganizationRoleID = true, roleOrgAdmin
			pol.Onboarding.PartnerRegistration, pol.Onboarding.PartnerRoleID = true, rolePartner
			if mod != nil {
				mod(&pol.Onboarding)
			}
			a.SelfService = pol
		}})
	ctx := context.Background()
	for _, r := range []*storage.StoreRole{
		{ID: roleOrgAdmin, StoreID: selfservicetest.StoreID, Name: "Company administrator", OrganizationAdmin: true},
		{ID: rolePartner, StoreID: selfservicetest.StoreID, Name: "Partner user"},
	} {
		if err := env.Store.CreateStoreRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// startOrg asks for a registration link for email from the sign-in
// page's "Create new account" in a new browser and returns the
// interaction, the browser and the link.
func startOrg(t *testing.T, env *selfservicetest.Env, email string) (string, *selfservicetest.Browser, string) {
	t.Helper()
	b := env.Browser(t)
	id, _ := env.Start(t, b, nil)
	p := b.Get(env.RegisterURL(id))
	if p.Status != http.StatusOK || !p.Has("email") || p.Has("password") || !strings.Contains(p.Body, "Register your company") {
		t.Fatalf("address page: %d\n%s", p.Status, p.Body)
	}
	if got := b.Submit(p, map[string]string{"email": email}); got.Status != http.StatusOK || !strings.Contains(got.Body, "Check your email") {
		t.Fatalf("asking for a link: %d\n%s", got.Status, got.Body)
	}
	return id, b, orgLink(t, env, email)
}

// orgLink is the registration link mailed to email.
func orgLink(t *testing.T, env *selfservicetest.Env, email string) string {
	t.Helper()
	list := queued(t, env, "organization_signup", email)
	if len(list) == 0 {
		t.Fatalf("no registration link mailed to %s", email)
	}
	for _, line := range strings.Split(list[0].Text, "\n") {
		if strings.HasPrefix(line, env.Server.URL+selfservice.OrgRegisterPath+"?token=") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no registration link in:\n%s", list[0].Text)
	return ""
}

// companyFields fill in the customer registration page.
func companyFields(name, vat string) map[string]string {
	return map[string]string{"organization_name": name, "org.vat": vat, "username": "ada-lovelace",
		"password": newcomerPass, "password_confirm": newcomerPass, "accept_terms": "on"}
}

// partnerFields fill in the partner registration page.
func partnerFields(code string) map[string]string {
	return map[string]string{"partner_code": code, "username": "grace-hopper",
		"password": newcomerPass, "password_confirm": newcomerPass, "accept_terms": "on"}
}

// membership is the account's one organization and its one role there,
// failing the test unless it has exactly those.
func membership(t *testing.T, env *selfservicetest.Env, acct *storage.Account) (storage.OrganizationMember, storage.AccountRole) {
	t.Helper()
	ctx := context.Background()
	orgs, err := env.Store.ListAccountOrganizations(ctx, acct.ID)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("memberships %+v, %v; want one", orgs, err)
	}
	roles, err := env.Store.ListAccountRoles(ctx, acct.ID)
	if err != nil || len(roles) != 1 || roles[0].OrganizationID != orgs[0].OrganizationID {
		t.Fatalf("roles %+v, %v; want one in %s", roles, err, orgs[0].OrganizationID)
	}
	return orgs[0], roles[0]
}

// accountOf finds the account of an address, or nil.
func accountOf(t *testing.T, env *selfservicetest.Env, email string) *storage.Account {
	t.Helper()
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, email)
	if err != nil {
		return nil
	}
	return acct
}

// organizations counts the store's organizations.
func organizations(t *testing.T, env *selfservicetest.Env) []storage.Organization {
	t.Helper()
	orgs, err := env.Store.ListOrganizations(context.Background(), selfservicetest.StoreID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return orgs
}

// A customer registers a company end to end: address, link, the page
// with company and personal information, then the organization exists
// with its attributes, the account is enabled with its address confirmed,
// a member with the administrator role, and signed in: the request
// continues. The link is then used up.
func TestOrgRegistrationCustomer(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := orgEnv(t, newStore(t), nil, nil)
		id, b, link := startOrg(t, env, "ada@acme.example")
		p := b.Get(link)
		for _, want := range []string{`<label for="organization_name">Company name</label>`, `<label for="org.vat">VAT number</label>`,
			`value="ada@acme.example" readonly`, `<label for="password">`, "I have a partner code"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("registration page lacks %s:\n%s", want, p.Body)
			}
		}
		done := b.Submit(p, companyFields("Acme AG", "CHE-123.456.789"))
		if done.URL.Path != selfservicetest.ResumePath {
			t.Fatalf("registration: %d at %s\n%s", done.Status, done.URL, done.Body)
		}
		acct := accountOf(t, env, "ada@acme.example")
		if acct == nil || acct.Status != storage.AccountEnabled || !acct.EmailConfirmed || acct.Username != "ada-lovelace" {
			t.Fatalf("account %+v", acct)
		}
		if r := env.Resumed(t, id); r.AccountID != acct.ID {
			t.Errorf("handed back %+v, want account %s", r, acct.ID)
		}
		m, role := membership(t, env, acct)
		org, err := env.Store.GetOrganization(context.Background(), selfservicetest.StoreID, m.OrganizationID)
		if err != nil || org.Name != "Acme AG" || org.Partner || org.Attributes["vat"] != "CHE-123.456.789" || role.RoleID != roleOrgAdmin {
			t.Errorf("organization %+v, %v; role %+v", org, err, role)
		}
		again := b.Get(link)
		if again.Status != http.StatusBadRequest || !strings.Contains(again.Body, "already used") {
			t.Errorf("the link again: %d\n%s", again.Status, again.Body)
		}
	})
}

// A link opened in another browser creates the company too, but signs in
// nowhere: the page says the account is ready and where to sign in.
func TestOrgRegistrationElsewhere(t *testing.T) {
	t.Parallel()
	env := orgEnv(t, nil, nil, nil)
	id, _, link := startOrg(t, env, "bob@initech.example")
	other := env.Browser(t)
	done := other.Submit(other.Get(link), companyFields("Initech", "CHE-1"))
	if done.Status != http.StatusOK || !strings.Contains(done.Body, "Your account is ready") || !strings.Contains(done.Body, selfservicetest.AccountPath) {
		t.Fatalf("registration elsewhere: %d\n%s", done.Status, done.Body)
	}
	if env.WasResumed(id) {
		t.Error("a link opened elsewhere continued the sign-in")
	}
	if acct := accountOf(t, env, "bob@initech.example"); acct == nil {
		t.Error("no account")
	} else {
		membership(t, env, acct)
	}
}

// A registered address gets the same page; its owner is told someone
// tried to sign up, no link is sent and no account is made.
func TestOrgRegistrationTakenAddress(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := orgEnv(t, newStore(t), nil, nil)
		owner := env.Account(t, "owner@acme.example", newcomerPass)
		b := env.Browser(t)
		id, _ := env.Start(t, b, nil)
		p := b.Get(env.RegisterURL(id))
		got := b.Submit(p, map[string]string{"email": "Owner@acme.example"})
		if got.Status != http.StatusOK || !strings.Contains(got.Body, "Check your email") {
			t.Fatalf("taken address: %d\n%s", got.Status, got.Body)
		}
		if n := len(queued(t, env, "signup_attempt_existing", owner.Email)); n != 1 {
			t.Errorf("%d notices to the owner, want 1", n)
		}
		if n := len(queued(t, env, "organization_signup", owner.Email)); n != 0 {
			t.Errorf("%d registration links to a taken address", n)
		}
		if n := len(organizations(t, env)); n != 0 {
			t.Errorf("%d organizations", n)
		}
	})
}

// Forged, tampered and expired links get a clear page on opening and
// on posting; an invalid address is refused next to its field.
func TestOrgRegistrationBadLinks(t *testing.T) {
	t.Parallel()
	env := orgEnv(t, nil, nil, nil)
	const invalid = "registration link is invalid or has expired"
	b := env.Browser(t)
	for _, link := range []string{
		env.Server.URL + selfservice.OrgRegisterPath + "?token=forged",
		env.Server.URL + selfservice.OrgRegisterPath,
	} {
		if p := b.Get(link); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, invalid) || p.Has("password") {
			t.Errorf("GET %s: %d\n%s", link, p.Status, p.Body)
		}
	}
	id, _ := env.Start(t, b, nil)
	if p := b.Submit(b.Get(env.RegisterURL(id)), map[string]string{"email": "not-an-address"}); p.Status != http.StatusBadRequest ||
		!strings.Contains(p.Body, "Enter a valid email address") {
		t.Errorf("invalid address: %d\n%s", p.Status, p.Body)
	}
	_, _, link := startOrg(t, env, "late@acme.example")
	tampered := strings.Replace(link, "token=", "token=x", 1)
	if p := b.Get(tampered); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, invalid) {
		t.Errorf("tampered link: %d\n%s", p.Status, p.Body)
	}
	form := b.Get(link)
	env.Clock.Advance(storage.DefaultSelfServicePolicy().ActivationLinkLifetime + 1)
	if p := b.Get(link); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, invalid) {
		t.Errorf("expired link: %d\n%s", p.Status, p.Body)
	}
	if p := b.Submit(form, companyFields("Late AG", "CHE-2")); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, invalid) {
		t.Errorf("posting an expired link's form: %d\n%s", p.Status, p.Body)
	}
	if accountOf(t, env, "late@acme.example") != nil || len(organizations(t, env)) != 0 {
		t.Error("an expired link created something")
	}
}

// A taken company name and a missing required company attribute are
// errors next to their fields that keep what was typed; nothing is made.
func TestOrgRegistrationFormErrors(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := orgEnv(t, newStore(t), nil, nil)
		if err := env.Store.CreateOrganization(context.Background(), &storage.Organization{StoreID: selfservicetest.StoreID, Name: "Acme AG"}); err != nil {
			t.Fatal(err)
		}
		// The username typed is another account's: found only when the
		// account is created, after the organization, which rolls back.
		env.AccountWith(t, &storage.Account{Username: "ada-lovelace"}, "")
		_, b, link := startOrg(t, env, "eve@acme.example")
		p := b.Get(link)
		for name, tc := range map[string]struct {
			fields map[string]string
			want   []string
		}{
			"name taken":   {companyFields("acme ag", "CHE-9"), []string{"A company with this name is already registered", `value="acme ag"`, `value="CHE-9"`}},
			"vat missing":  {companyFields("Fresh GmbH", ""), []string{`id="org.vat-error"`, "Fill in this field.", `value="Fresh GmbH"`}},
			"name missing": {companyFields("  ", "CHE-9"), []string{"Enter your company&#39;s name.", `value="CHE-9"`}},
			"user taken":   {companyFields("Fresh GmbH", "CHE-9"), []string{"This username is taken.", `value="Fresh GmbH"`, `value="CHE-9"`}},
		} {
			got := b.Submit(p, tc.fields)
			if got.Status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, got.Status)
			}
			for _, want := range append(tc.want, `value="ada-lovelace"`, `class="field-error"`) {
				if !strings.Contains(got.Body, want) {
					t.Errorf("%s: page lacks %s\n%s", name, want, got.Body)
				}
			}
		}
		if accountOf(t, env, "eve@acme.example") != nil || len(organizations(t, env)) != 1 {
			t.Error("a refused registration created something")
		}
	})
}

// Without the role of a new organization's first member the operator has
// not finished the set-up: "Create new account" says so and sends
// nothing; a role deleted after the link went out stops the link's page.
// Nothing is made either way.
func TestOrgRegistrationNotConfigured(t *testing.T) {
	t.Parallel()
	unset := orgEnv(t, nil, func(o *storage.Onboarding) { o.NewOrganizationRoleID, o.PartnerRegistration = "", false }, nil)
	b := unset.Browser(t)
	id, _ := unset.Start(t, b, nil)
	if p := b.Get(unset.RegisterURL(id)); p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "not set up") || p.Has("email") {
		t.Errorf("unconfigured start: %d\n%s", p.Status, p.Body)
	}
	gone := orgEnv(t, nil, func(o *storage.Onboarding) { o.NewOrganizationRoleID, o.PartnerRegistration = "r-deleted", false }, nil)
	_, b, link := startOrg(t, gone, "early@acme.example")
	if p := b.Get(link); p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "not set up") || p.Has("password") {
		t.Errorf("link without its role: %d\n%s", p.Status, p.Body)
	}
	if len(organizations(t, gone)) != 0 || accountOf(t, gone, "early@acme.example") != nil {
		t.Error("created something")
	}
}

// With partner registration only, the link opens the partner form, with
// no way to a customer registration, and a crafted post cannot register
// a company.
func TestOrgRegistrationPartnerOnly(t *testing.T) {
	t.Parallel()
	env := orgEnv(t, nil, func(o *storage.Onboarding) { o.CustomerRegistration = false }, nil)
	_, b, link := startOrg(t, env, "pat@partner.example")
	p := b.Get(link)
	if !p.Has("partner_code") || p.Has("organization_name") || strings.Contains(p.Body, "Register a new company") {
		t.Fatalf("partner-only page:\n%s", p.Body)
	}
	got := b.Submit(p, map[string]string{"partner": "", "organization_name": "Sneaky AG", "org.vat": "CHE-1",
		"password": newcomerPass, "password_confirm": newcomerPass, "accept_terms": "on"})
	if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "Enter your partner code.") || len(organizations(t, env)) != 0 {
		t.Errorf("crafted company post: %d\n%s", got.Status, got.Body)
	}
}

// Anyone can type any address: at most 3 registration links go to one
// address per 15 minutes, whatever the page says (the same every time).
func TestOrgRegistrationLinksThrottled(t *testing.T) {
	t.Parallel()
	env := orgEnv(t, nil, nil, nil)
	for i := range 5 {
		b := env.Browser(t)
		id, _ := env.Start(t, b, nil)
		got := b.Submit(b.Get(env.RegisterURL(id)), map[string]string{"email": "Target@acme.example"})
		if got.Status != http.StatusOK || !strings.Contains(got.Body, "Check your email") {
			t.Fatalf("request %d: %d\n%s", i, got.Status, got.Body)
		}
	}
	if n := len(queued(t, env, "organization_signup", "Target@acme.example")); n != 3 {
		t.Errorf("%d links, want 3", n)
	}
}

// A company name with control characters or bytes that are not UTF-8 is
// refused next to its field, as the portal's rename and the admin side
// refuse it; PostgreSQL would refuse to store it (a 500) and SQLite
// would keep a name no other form accepts.
func TestOrgRegistrationNameCharacters(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := orgEnv(t, newStore(t), nil, nil)
		_, b, link := startOrg(t, env, "mallory@acme.example")
		p := b.Get(link)
		for _, name := range []string{"Nul\x00Corp", "Bad\xffName", "Bell\x07Co"} {
			got := b.Submit(p, companyFields(name, "CHE-9"))
			if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "This contains characters that are not allowed.") {
				t.Errorf("name %q: %d\n%s", name, got.Status, got.Body)
			}
		}
		if accountOf(t, env, "mallory@acme.example") != nil || len(organizations(t, env)) != 0 {
			t.Error("a refused registration created something")
		}
	})
}
