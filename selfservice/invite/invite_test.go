package invite_test

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// fixture is an identity store with an organizational and a plain
// application (each with a client that has a brand portal), an
// organization, two roles (one assignable), a group, and the service.
type fixture struct {
	store            storage.Store
	svc              *invite.Service
	clock            *clock
	st               *storage.IdentityStore
	org              *storage.Organization
	orgClient, plain *storage.Client
	orgApp           *storage.Application
	admin, member    *storage.StoreRole
	group, appGroup  *storage.Group
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t *testing.T, s storage.Store, policy storage.SelfServicePolicy) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{store: s, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	f.st = &storage.IdentityStore{Name: "Customers", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail},
		Attributes: []storage.AttributeDef{{Name: "given_name", Required: true}, {Name: "birthday", Type: storage.AttrDate}}}
	must(t, s.CreateIdentityStore(ctx, f.st))
	f.orgApp = &storage.Application{StoreID: f.st.ID, Name: "Acme Portal", Organizational: true, SelfService: policy}
	must(t, s.CreateApplication(ctx, f.orgApp))
	plainApp := &storage.Application{StoreID: f.st.ID, Name: "Shop", SelfService: policy}
	must(t, s.CreateApplication(ctx, plainApp))
	client := func(app *storage.Application, portal string) *storage.Client {
		c := &storage.Client{ApplicationID: app.ID, Name: app.Name, RedirectURIs: []string{"https://rp.example/cb"},
			InitiateLoginURI: portal, GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"},
			Scopes: []string{"openid"}, Public: true, TokenEndpointAuthMethod: "none"}
		must(t, s.CreateClient(ctx, c))
		return c
	}
	f.orgClient, f.plain = client(f.orgApp, "https://rp.example/start"), client(plainApp, "https://shop.example/start")
	f.org = &storage.Organization{StoreID: f.st.ID, Name: "Acme Corp"}
	must(t, s.CreateOrganization(ctx, f.org))
	f.admin = &storage.StoreRole{StoreID: f.st.ID, Name: "admin", OrganizationAdmin: true}
	f.member = &storage.StoreRole{StoreID: f.st.ID, Name: "member", Assignable: true}
	must(t, s.CreateStoreRole(ctx, f.admin))
	must(t, s.CreateStoreRole(ctx, f.member))
	f.group, f.appGroup = &storage.Group{StoreID: f.st.ID, Name: "beta"}, &storage.Group{StoreID: f.st.ID, Name: "acme-users"}
	must(t, s.CreateGroup(ctx, f.group))
	must(t, s.CreateGroup(ctx, f.appGroup))
	must(t, s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: f.orgApp.ID, Groups: []string{"acme-users"}}))
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	must(t, err)
	mailer := notify.NewService(s, renderer, f.clock.Now)
	f.svc = invite.New(s, mailer, invite.Config{Issuer: "https://id.example", InitiatePath: "/oauth2/initiate",
		Languages: renderer.Languages(), Now: f.clock.Now})
	return f
}

func (f *fixture) request() invite.Request {
	return invite.Request{StoreID: f.st.ID, OrganizationID: f.org.ID, ClientID: f.orgClient.ID, Email: "new.hire@example.com",
		Language: "de", RoleIDs: []string{f.member.ID}, GroupIDs: []string{f.group.ID},
		Attributes: map[string]string{"given_name": "Ada"}, By: invite.Sender{Kind: "administrator", ID: "a1", Name: "Olivia Ops"}}
}

// lastLink returns the link of the newest invitation e-mail to to, and
// the e-mail's text.
func lastLink(t *testing.T, s storage.Store, to string) (string, string) {
	t.Helper()
	msgs, err := s.ListNotifications(t.Context(), 20)
	must(t, err)
	for _, m := range msgs {
		if m.To == to && m.Kind == "invitation" {
			link := regexp.MustCompile(`https://id\.example/oauth2/initiate\?\S+`).FindString(m.Text)
			if link == "" {
				t.Fatalf("invitation e-mail without a link:\n%s", m.Text)
			}
			return link, m.Text
		}
	}
	t.Fatalf("no invitation e-mail to %s", to)
	return "", ""
}

func hintOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	return u.Query().Get("login_hint")
}

func TestInvitations(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		for _, c := range []struct {
			name string
			fn   func(t *testing.T, s storage.Store)
		}{
			{"SendAndAccept", testSendAndAccept},
			{"Validation", testValidation},
			{"ReadOnlyAddressTaken", testReadOnlyAddressTaken},
			{"ResendReplacesTheLink", testResend},
			{"RevokedExpiredUsed", testUnusable},
			{"AcceptRules", testAcceptRules},
		} {
			t.Run(c.name, func(t *testing.T) { t.Parallel(); c.fn(t, newStore(t)) })
		}
	})
}

func testSendAndAccept(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newFixture(t, s, storage.SelfServicePolicy{})
	inv, err := f.svc.Send(ctx, f.request())
	must(t, err)
	if inv.Status != storage.InvitationPending || !inv.ExpiresAt.Equal(f.clock.Now().Add(7*24*time.Hour)) {
		t.Errorf("sent invitation = %+v; want pending for the default week", inv)
	}
	link, text := lastLink(t, s, "new.hire@example.com")
	for _, want := range []string{"Acme Portal", "Acme Corp", "Olivia Ops", "7"} { // German: the profile's language
		if !strings.Contains(text, want) {
			t.Errorf("invitation e-mail lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "Einladung") {
		t.Errorf("invitation e-mail is not in the invitation's language (de):\n%s", text)
	}
	if u, _ := url.Parse(link); u.Query().Get("client_id") != f.orgClient.ID || !invite.IsLoginHint(hintOf(t, link)) {
		t.Errorf("link %s does not start the client's brand portal with an invitation hint", link)
	}
	p, err := f.svc.Find(ctx, hintOf(t, link), f.orgClient.ID)
	must(t, err)
	if p.Invitation.ID != inv.ID || p.Organization.ID != f.org.ID || !p.EmailReadOnly || p.Invitation.Attributes["given_name"] != "Ada" {
		t.Errorf("Find = %+v", p)
	}
	acct := &storage.Account{StoreID: f.st.ID, Email: "New.Hire@example.com", Status: storage.AccountEnabled}
	must(t, s.CreateAccount(ctx, acct))
	_, err = f.svc.Accept(ctx, p, acct)
	must(t, err)
	roles, err := s.ListAccountRoles(ctx, acct.ID)
	must(t, err)
	if len(roles) != 1 || roles[0].RoleID != f.member.ID || roles[0].OrganizationID != f.org.ID {
		t.Errorf("roles after acceptance = %+v", roles)
	}
	orgs, err := s.ListAccountOrganizations(ctx, acct.ID)
	must(t, err)
	groups, err := s.ListAccountGroups(ctx, acct.ID)
	must(t, err)
	if len(orgs) != 1 || len(groups) != 2 { // the invitation's group and the application's
		t.Errorf("after acceptance: organizations %+v, groups %+v", orgs, groups)
	}
	done, err := s.GetInvitation(ctx, f.st.ID, inv.ID)
	must(t, err)
	if done.Status != storage.InvitationDone || done.AccountID != acct.ID {
		t.Errorf("invitation after acceptance = %+v", done)
	}
	if _, err := f.svc.Find(ctx, hintOf(t, link), f.orgClient.ID); !errors.Is(err, invite.ErrUnusable) {
		t.Errorf("Find of a used invitation = %v; want ErrUnusable", err)
	}
	if _, err := f.svc.Resend(ctx, f.st.ID, inv.ID); !errors.Is(err, invite.ErrNotPending) {
		t.Errorf("Resend of a done invitation = %v; want ErrNotPending", err)
	}
}

func testValidation(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newFixture(t, s, storage.SelfServicePolicy{})
	other := &storage.IdentityStore{Name: "Other"}
	must(t, s.CreateIdentityStore(ctx, other))
	otherGroup := &storage.Group{StoreID: other.ID, Name: "elsewhere"}
	must(t, s.CreateGroup(ctx, otherGroup))
	cases := []struct {
		name   string
		change func(r *invite.Request)
		field  string
	}{
		{"organization with a plain client", func(r *invite.Request) { r.ClientID = f.plain.ID }, "client_id"},
		{"no organization with an organizational client", func(r *invite.Request) { r.OrganizationID, r.RoleIDs = "", nil }, "client_id"},
		{"unknown client", func(r *invite.Request) { r.ClientID = "nope" }, "client_id"},
		{"unknown organization", func(r *invite.Request) { r.OrganizationID = "nope" }, "organization_id"},
		{"bad address", func(r *invite.Request) { r.Email = "not-an-address" }, "email"},
		{"unknown language", func(r *invite.Request) { r.Language = "xx" }, "language"},
		{"role of no organization", func(r *invite.Request) { r.OrganizationID, r.ClientID = "", f.plain.ID }, "role_ids"},
		{"unknown role", func(r *invite.Request) { r.RoleIDs = []string{"nope"} }, "role_ids"},
		{"role not assignable", func(r *invite.Request) { r.RoleIDs, r.OnlyAssignable = []string{f.admin.ID}, true }, "role_ids"},
		{"group of another store", func(r *invite.Request) { r.GroupIDs = []string{otherGroup.ID} }, "group_ids"},
		{"unknown attribute", func(r *invite.Request) { r.Attributes = map[string]string{"shoe_size": "44"} }, "attributes.shoe_size"},
		{"bad attribute value", func(r *invite.Request) { r.Attributes = map[string]string{"birthday": "yesterday"} }, "attributes.birthday"},
	}
	for _, c := range cases {
		req := f.request()
		c.change(&req)
		_, err := f.svc.Send(ctx, req)
		var ve *invite.ValidationError
		if !errors.As(err, &ve) || ve.Fields[c.field] == "" {
			t.Errorf("%s: Send = %v; want a ValidationError on %s", c.name, err, c.field)
		}
	}
	list, err := s.ListInvitations(ctx, f.st.ID, "", "", 0)
	must(t, err)
	msgs, err := s.ListNotifications(ctx, 10)
	must(t, err)
	if len(list) != 0 || len(msgs) != 0 {
		t.Errorf("refused invitations left %d invitations and %d messages", len(list), len(msgs))
	}
	// The same request without an organization through the plain client is fine.
	req := f.request()
	req.OrganizationID, req.ClientID, req.RoleIDs = "", f.plain.ID, nil
	if _, err := f.svc.Send(ctx, req); err != nil {
		t.Errorf("invitation without organization: %v", err)
	}
}

func testReadOnlyAddressTaken(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newFixture(t, s, storage.SelfServicePolicy{})
	must(t, s.CreateAccount(ctx, &storage.Account{StoreID: f.st.ID, Email: "NEW.HIRE@example.com", Status: storage.AccountEnabled}))
	_, err := f.svc.Send(ctx, f.request())
	var ve *invite.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["email"], "read-only") {
		t.Fatalf("Send to a taken address with a read-only invite method = %v; want the sending error", err)
	}
	// When invitees may choose another address, the invitation goes out.
	open := storage.DefaultSelfServicePolicy()
	open.Onboarding.InviteeMayChangeEmail = true
	g := newFixture(t, s, open)
	must(t, s.CreateAccount(ctx, &storage.Account{StoreID: g.st.ID, Email: "new.hire@example.com", Status: storage.AccountEnabled}))
	if _, err := g.svc.Send(ctx, g.request()); err != nil {
		t.Errorf("Send with a changeable address: %v", err)
	}
}

func testResend(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newFixture(t, s, storage.SelfServicePolicy{})
	inv, err := f.svc.Send(ctx, f.request())
	must(t, err)
	first, _ := lastLink(t, s, "new.hire@example.com")
	f.clock.Advance(time.Hour)
	again, err := f.svc.Resend(ctx, f.st.ID, inv.ID)
	must(t, err)
	second, _ := lastLink(t, s, "new.hire@example.com")
	if first == second || again.SendCount != 2 || !again.ExpiresAt.Equal(f.clock.Now().Add(7*24*time.Hour)) {
		t.Errorf("resend: same link %v, send count %d, expiry %v", first == second, again.SendCount, again.ExpiresAt)
	}
	if _, err := f.svc.Find(ctx, hintOf(t, first), f.orgClient.ID); !errors.Is(err, invite.ErrUnusable) {
		t.Errorf("the replaced link still works: %v", err)
	}
	if _, err := f.svc.Find(ctx, hintOf(t, second), f.orgClient.ID); err != nil {
		t.Errorf("the new link: %v", err)
	}
	if _, err := f.svc.Resend(ctx, "other-store", inv.ID); !errors.Is(err, invite.ErrNotFound) {
		t.Errorf("Resend through another store = %v; want ErrNotFound", err)
	}
}

func testUnusable(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newFixture(t, s, storage.SelfServicePolicy{})
	revoked, err := f.svc.Send(ctx, f.request())
	must(t, err)
	link, _ := lastLink(t, s, "new.hire@example.com")
	must(t, f.svc.Revoke(ctx, f.st.ID, revoked.ID))
	if _, err := f.svc.Find(ctx, hintOf(t, link), f.orgClient.ID); !errors.Is(err, invite.ErrUnusable) {
		t.Errorf("Find of a revoked invitation = %v", err)
	}
	if list, _ := s.ListInvitations(ctx, f.st.ID, "", "", 0); len(list) != 0 {
		t.Errorf("a revoked invitation is still listed: %+v", list)
	}
	req := f.request()
	req.Email = "late@example.com"
	_, err = f.svc.Send(ctx, req)
	must(t, err)
	late, _ := lastLink(t, s, "late@example.com")
	f.clock.Advance(7*24*time.Hour + time.Second)
	if _, err := f.svc.Find(ctx, hintOf(t, late), f.orgClient.ID); !errors.Is(err, invite.ErrUnusable) {
		t.Errorf("Find of an expired invitation = %v", err)
	}
	for _, hint := range []string{"", "alice@example.com", "invitation:", "invitation:forged"} {
		if _, err := f.svc.Find(ctx, hint, f.orgClient.ID); !errors.Is(err, invite.ErrUnusable) {
			t.Errorf("Find(%q) = %v; want ErrUnusable", hint, err)
		}
	}
}

func testAcceptRules(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f := newFixture(t, s, storage.SelfServicePolicy{})
	_, err := f.svc.Send(ctx, f.request())
	must(t, err)
	link, _ := lastLink(t, s, "new.hire@example.com")
	// Another application's client cannot use the hint.
	if _, err := f.svc.Find(ctx, hintOf(t, link), f.plain.ID); !errors.Is(err, invite.ErrUnusable) {
		t.Errorf("Find through another application's client = %v", err)
	}
	p, err := f.svc.Find(ctx, hintOf(t, link), f.orgClient.ID)
	must(t, err)
	stranger := &storage.Account{StoreID: f.st.ID, Email: "someone.else@example.com", Status: storage.AccountEnabled}
	must(t, s.CreateAccount(ctx, stranger))
	if _, err := f.svc.Accept(ctx, p, stranger); !errors.Is(err, invite.ErrUnusable) {
		t.Errorf("Accept by another address with a read-only address = %v", err)
	}
	// Two acceptances racing in transactions: one wins, the loser rolls back.
	a := &storage.Account{StoreID: f.st.ID, Email: "new.hire@example.com", Status: storage.AccountEnabled}
	must(t, s.CreateAccount(ctx, a))
	results := make(chan error, 2)
	for range 2 {
		go func() { results <- acceptInTx(ctx, s, f.svc, p, a) }()
	}
	var won int
	for range 2 {
		if err := <-results; err == nil {
			won++
		} else if !errors.Is(err, invite.ErrUnusable) {
			t.Errorf("racing Accept: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d racing acceptances won; want 1", won)
	}
}

func acceptInTx(ctx context.Context, s storage.Store, svc *invite.Service, p *invite.Pending, a *storage.Account) error {
	tx, err := s.BeginTx(ctx)
	if err != nil {
		return err
	}
	if _, err := svc.Accept(tx, p, a); err != nil {
		_ = s.Rollback(tx)
		return err
	}
	return s.Commit(tx)
}

// A role or group named twice (the admin API takes a list; a crafted
// portal post repeats a checkbox) is given once: the invitation can be
// accepted, not stuck on the second grant of the same role.
func TestInvitationRepeatedRole(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newStore(t)
		ctx := t.Context()
		f := newFixture(t, s, storage.SelfServicePolicy{})
		req := f.request()
		req.RoleIDs = []string{f.member.ID, f.member.ID}
		req.GroupIDs = []string{f.group.ID, f.group.ID}
		_, err := f.svc.Send(ctx, req)
		must(t, err)
		link, _ := lastLink(t, s, "new.hire@example.com")
		p, err := f.svc.Find(ctx, hintOf(t, link), f.orgClient.ID)
		must(t, err)
		acct := &storage.Account{StoreID: f.st.ID, Email: "new.hire@example.com", Status: storage.AccountEnabled}
		must(t, s.CreateAccount(ctx, acct))
		if err := acceptInTx(ctx, s, f.svc, p, acct); err != nil {
			t.Fatalf("Accept of an invitation naming a role twice: %v", err)
		}
		if roles, _ := s.ListAccountRoles(ctx, acct.ID); len(roles) != 1 || roles[0].RoleID != f.member.ID {
			t.Errorf("roles after acceptance: %+v", roles)
		}
	})
}

// At acceptance the invitation's roles are checked again as the sending
// side checks them: an organization administrator's invitation gets only
// roles that still exist and are still assignable (the operator may have
// changed them since); the others are skipped, reported, and the
// acceptance goes through. An operator's invitation keeps roles that are
// not assignable (operators may grant any), but not deleted ones.
func TestInvitationRolesAtAcceptance(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newStore(t)
		ctx := t.Context()
		f := newFixture(t, s, storage.SelfServicePolicy{})
		buyer := &storage.StoreRole{StoreID: f.st.ID, Name: "buyer", Assignable: true}
		gone := &storage.StoreRole{StoreID: f.st.ID, Name: "gone", Assignable: true}
		must(t, s.CreateStoreRole(ctx, buyer))
		must(t, s.CreateStoreRole(ctx, gone))
		send := func(email string, by invite.Sender, roles ...string) *invite.Pending {
			req := f.request()
			req.Email, req.RoleIDs, req.By, req.OnlyAssignable = email, roles, by, by.Kind == invite.SenderAccount
			_, err := f.svc.Send(ctx, req)
			must(t, err)
			link, _ := lastLink(t, s, email)
			p, err := f.svc.Find(ctx, hintOf(t, link), f.orgClient.ID)
			must(t, err)
			return p
		}
		byAdmin := send("colleague@example.com", invite.Sender{Kind: invite.SenderAccount, ID: "acct-1", Name: "Org Admin"},
			f.member.ID, buyer.ID, gone.ID)
		byOperator := send("new.hire@example.com", invite.Sender{Kind: "administrator", ID: "a1", Name: "Olivia Ops"},
			f.admin.ID, gone.ID)
		// The operator changes the rules after the invitations went out.
		buyer.Assignable = false
		must(t, s.UpdateStoreRole(ctx, buyer, buyer.Version))
		must(t, s.DeleteStoreRole(ctx, f.st.ID, gone.ID, gone.Version))

		accept := func(p *invite.Pending) (*storage.Account, []string) {
			a := &storage.Account{StoreID: f.st.ID, Email: p.Invitation.Email, Status: storage.AccountEnabled}
			must(t, s.CreateAccount(ctx, a))
			tx, err := s.BeginTx(ctx)
			must(t, err)
			skipped, err := f.svc.Accept(tx, p, a)
			if err != nil {
				_ = s.Rollback(tx)
				t.Fatalf("Accept: %v", err)
			}
			must(t, s.Commit(tx))
			return a, skipped
		}
		held := func(a *storage.Account) []string {
			roles, err := s.ListAccountRoles(ctx, a.ID)
			must(t, err)
			var ids []string
			for _, r := range roles {
				ids = append(ids, r.RoleID)
			}
			slices.Sort(ids)
			return ids
		}
		a, skipped := accept(byAdmin)
		if got := held(a); !slices.Equal(got, []string{f.member.ID}) {
			t.Errorf("an organization administrator's invitation granted %v; want only the still assignable %s", got, f.member.ID)
		}
		if want := []string{buyer.ID, gone.ID}; !slices.Equal(sorted(skipped), sorted(want)) {
			t.Errorf("skipped %v; want %v", skipped, want)
		}
		a, skipped = accept(byOperator)
		if got := held(a); !slices.Equal(got, []string{f.admin.ID}) {
			t.Errorf("an operator's invitation granted %v; want %s", got, f.admin.ID)
		}
		if !slices.Equal(skipped, []string{gone.ID}) {
			t.Errorf("skipped %v; want the deleted role", skipped)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
