package selfservice_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"foyer/selfservice/invite"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const invitee = "new.hire@example.com"

// inviteEnv is an Env whose application is organizational and offers no
// registration (the invitation is the permission), whose client has a
// brand portal, with an organization, a role, a group and a schema of a
// customer-editable, a read-only and a hidden attribute.
type inviteEnv struct {
	*selfservicetest.Env
	org   *storage.Organization
	role  *storage.StoreRole
	group *storage.Group
}

func newInviteEnv(t *testing.T, s storage.Store, mod func(*storage.SelfServicePolicy)) *inviteEnv {
	t.Helper()
	env := selfservicetest.New(t, selfservicetest.Options{Store: s,
		App: func(a *storage.Application) {
			pol := storage.DefaultSelfServicePolicy()
			pol.RegistrationEnabled = false
			if mod != nil {
				mod(&pol)
			}
			a.SelfService, a.Organizational = pol, true
		},
		IdentityStore: func(is *storage.IdentityStore) {
			is.Attributes = []storage.AttributeDef{
				{Name: "given_name", Label: "Given name", Required: true, Visible: true, Editable: true},
				{Name: "department", Label: "Department", Visible: true},
				{Name: "employee_id", Label: "Employee number"},
			}
		},
		Client: func(c *storage.Client) { c.InitiateLoginURI = "https://shop.example/start" },
	})
	ctx := context.Background()
	e := &inviteEnv{Env: env, org: &storage.Organization{StoreID: selfservicetest.StoreID, Name: "Acme Corp"},
		role:  &storage.StoreRole{StoreID: selfservicetest.StoreID, Name: "buyer", Assignable: true},
		group: &storage.Group{StoreID: selfservicetest.StoreID, Name: "beta"}}
	invMust(t, env.Store.CreateOrganization(ctx, e.org))
	invMust(t, env.Store.CreateStoreRole(ctx, e.role))
	invMust(t, env.Store.CreateGroup(ctx, e.group))
	return e
}

func invMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// invite sends an invitation to email and returns it and the login hint
// its e-mail's link carries.
func (e *inviteEnv) invite(t *testing.T, email string) (*storage.Invitation, string) {
	t.Helper()
	inv, err := e.Invites.Send(context.Background(), invite.Request{StoreID: selfservicetest.StoreID,
		OrganizationID: e.org.ID, ClientID: selfservicetest.ClientID, Email: email,
		RoleIDs: []string{e.role.ID}, GroupIDs: []string{e.group.ID},
		Attributes: map[string]string{"given_name": "Ada", "department": "Sales", "employee_id": "E-17"},
		By:         invite.Sender{Kind: "administrator", ID: "a1", Name: "Olivia Ops"}})
	invMust(t, err)
	return inv, e.lastHint(t, email)
}

// lastHint is the login hint of the newest invitation e-mail to email.
func (e *inviteEnv) lastHint(t *testing.T, email string) string {
	t.Helper()
	msgs, err := e.Store.ListNotifications(context.Background(), 50)
	invMust(t, err)
	for _, m := range msgs {
		if m.To != email || m.Kind != "invitation" {
			continue
		}
		link := regexp.MustCompile(`http://\S+/initiate\?\S+`).FindString(m.Text)
		u, err := url.Parse(link)
		invMust(t, err)
		if hint := u.Query().Get("login_hint"); invite.IsLoginHint(hint) {
			return hint
		}
	}
	t.Fatalf("no invitation e-mail with a link to %s", email)
	return ""
}

// open starts an authorization request of client with the hint in a new
// browser, as the brand portal would, and opens its sign-in page.
func (e *inviteEnv) open(t *testing.T, client, hint string) (string, *selfservicetest.Browser, *selfservicetest.Page) {
	t.Helper()
	b := e.Browser(t)
	id := e.Interaction(t, b, client, map[string]string{"login_hint": hint})
	return id, b, b.Get(e.LoginURL(id))
}

func inviteeFields(email string) map[string]string {
	f := regFields(email, newcomerPass)
	f["attr.given_name"] = "Ada Lovelace"
	return f
}

func TestInvitationAcceptance(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		for _, c := range []struct {
			name string
			fn   func(t *testing.T, s storage.Store)
		}{
			{"NewInviteeSignsUp", testInviteeSignsUp},
			{"ReadOnlyAddress", testInviteReadOnlyAddress},
			{"ChangedAddress", testInviteChangedAddress},
			{"ExistingAccount", testInviteExistingAccount},
			{"WrongAccount", testInviteWrongAccount},
			{"SignedInElsewhere", testInviteSignedInElsewhere},
			{"UnusableLinks", testInviteUnusable},
			{"RaceOfTwoSignUps", testInviteRace},
		} {
			t.Run(c.name, func(t *testing.T) { t.Parallel(); c.fn(t, newStore(t)) })
		}
	})
}

func testInviteeSignsUp(t *testing.T, s storage.Store) {
	ctx := context.Background()
	e := newInviteEnv(t, s, nil)
	inv, hint := e.invite(t, invitee)
	id, b, p := e.open(t, selfservicetest.ClientID, hint)
	for _, want := range []string{`value="` + invitee + `"`, " readonly", "Acme Corp", `value="Ada"`, "Sales", "password_confirm"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("the invitation's sign-up page lacks %q (%d at %s):\n%s", want, p.Status, p.URL, p.Body)
		}
	}
	if strings.Contains(p.Body, "E-17") {
		t.Error("the sign-up page shows an attribute self-service does not show")
	}
	fields := inviteeFields(invitee)
	fields["attr.department"] = "Forged" // read-only: not read
	done := b.Submit(p, fields)
	if done.Body != "resumed" {
		t.Fatalf("sign-up did not continue the authorization request: %d\n%s", done.Status, done.Body)
	}
	res := e.Resumed(t, id)
	acct, err := s.GetAccount(ctx, res.AccountID)
	invMust(t, err)
	if acct.Email != invitee || acct.Status != storage.AccountEnabled || !acct.EmailConfirmed || acct.EmailUnproven {
		t.Errorf("account = %+v; want enabled with the invited address confirmed (proven by the link)", acct)
	}
	want := map[string]string{"given_name": "Ada Lovelace", "department": "Sales", "employee_id": "E-17"}
	for k, v := range want {
		if acct.Attributes[k] != v {
			t.Errorf("attribute %s = %q; want %q", k, acct.Attributes[k], v)
		}
	}
	checkJoined(t, e, acct.ID)
	got, err := s.GetInvitation(ctx, selfservicetest.StoreID, inv.ID)
	invMust(t, err)
	if got.Status != storage.InvitationDone || got.AccountID != acct.ID {
		t.Errorf("invitation after sign-up = %+v; want done by the account", got)
	}
	// The link is single-use.
	if _, _, again := e.open(t, selfservicetest.ClientID, hint); again.Status != http.StatusGone ||
		!strings.Contains(again.Body, "This invitation is no longer valid") {
		t.Errorf("a used link: %d\n%s", again.Status, again.Body)
	}
}

// checkJoined checks the account holds the invitation's membership, role
// and group.
func checkJoined(t *testing.T, e *inviteEnv, accountID string) {
	t.Helper()
	ctx := context.Background()
	roles, err := e.Store.ListAccountRoles(ctx, accountID)
	invMust(t, err)
	orgs, err := e.Store.ListAccountOrganizations(ctx, accountID)
	invMust(t, err)
	groups, err := e.Store.ListAccountGroups(ctx, accountID)
	invMust(t, err)
	if len(roles) != 1 || roles[0].RoleID != e.role.ID || roles[0].OrganizationID != e.org.ID ||
		len(orgs) != 1 || orgs[0].OrganizationID != e.org.ID || len(groups) != 1 {
		t.Errorf("after acceptance: roles %+v, organizations %+v, groups %+v", roles, orgs, groups)
	}
}

func testInviteReadOnlyAddress(t *testing.T, s storage.Store) {
	e := newInviteEnv(t, s, nil)
	inv, hint := e.invite(t, invitee)
	_, b, p := e.open(t, selfservicetest.ClientID, hint)
	got := b.Submit(p, inviteeFields("someone.else@example.com"))
	if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "Use the address the invitation was sent to.") ||
		!strings.Contains(got.Body, `value="`+invitee+`"`) {
		t.Fatalf("a forged address: %d\n%s", got.Status, got.Body)
	}
	for _, email := range []string{"someone.else@example.com", invitee} {
		if _, err := s.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, email); err == nil {
			t.Errorf("a refused sign-up created the account %s", email)
		}
	}
	if pending, _ := s.GetInvitation(context.Background(), selfservicetest.StoreID, inv.ID); pending.Status != storage.InvitationPending {
		t.Errorf("a refused sign-up used the invitation: %+v", pending)
	}
	// The page, corrected, goes through (different case of the address too).
	if done := b.Submit(got, inviteeFields("New.Hire@Example.com")); done.Body != "resumed" {
		t.Errorf("the corrected sign-up: %d\n%s", done.Status, done.Body)
	}
}

func testInviteChangedAddress(t *testing.T, s storage.Store) {
	ctx := context.Background()
	e := newInviteEnv(t, s, func(p *storage.SelfServicePolicy) { p.Onboarding.InviteeMayChangeEmail = true })
	inv, hint := e.invite(t, invitee)
	id, b, p := e.open(t, selfservicetest.ClientID, hint)
	if strings.Contains(p.Body, " readonly") && strings.Contains(p.Body, "cannot be changed") {
		t.Fatalf("the address is read-only though the policy lets invitees change it:\n%s", p.Body)
	}
	got := b.Submit(p, inviteeFields("private@example.com"))
	if !strings.Contains(got.Body, "Check your email") || e.WasResumed(id) {
		t.Fatalf("a changed address is not sent to activation: %d\n%s", got.Status, got.Body)
	}
	acct, err := s.FindAccountByIdentifier(ctx, selfservicetest.StoreID, storage.IdentifierEmail, "private@example.com")
	invMust(t, err)
	if acct.Status != storage.AccountPending || acct.EmailConfirmed {
		t.Errorf("account of a changed address = %+v; want pending, unconfirmed", acct)
	}
	checkJoined(t, e, acct.ID)
	if done, _ := s.GetInvitation(ctx, selfservicetest.StoreID, inv.ID); done.Status != storage.InvitationDone {
		t.Errorf("invitation = %+v; want done", done)
	}
	e.Settle(t)
	if m := e.Inbox.Next(t, "private@example.com"); !strings.Contains(m.Text, "/register/activate?") {
		t.Errorf("no activation link to the changed address:\n%s", m.Text)
	}
}
