package portal

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/storage"
)

// orgFixture: organizations Acme, Globex and Initech of the test store;
// an organizational application whose client has a brand portal; roles
// admin (administers, not assignable), editor (assignable), auditor
// (neither) and manager (administers and assignable). Alice administers
// Acme (member, admin) and Initech (manager only); bob is an editor and
// member of Acme; carol holds auditor in Acme without membership; dave
// administers Globex.
type orgFixture struct {
	acme, globex, initech           *storage.Organization
	admin, editor, auditor, manager *storage.StoreRole
	alice, bob, dave                *user
	carol                           *storage.Account
}

func newOrgFixture(t *testing.T, e *testEnv) *orgFixture {
	t.Helper()
	ctx := t.Context()
	if err := e.store.CreateApplication(ctx, &storage.Application{ID: "b2b", StoreID: testStoreID, Name: "Acme Works", Organizational: true}); err != nil {
		t.Fatal(err)
	}
	e.appClient(t, "b2b", "b2b-portal", "Acme Works portal", "https://b2b.example/start")
	f := &orgFixture{}
	org := func(name string) *storage.Organization {
		o := &storage.Organization{StoreID: testStoreID, Name: name}
		mustDo(t, e.store.CreateOrganization(ctx, o))
		return o
	}
	f.acme, f.globex, f.initech = org("Acme"), org("Globex"), org("Initech")
	role := func(name string, admin, assignable bool) *storage.StoreRole {
		r := &storage.StoreRole{StoreID: testStoreID, Name: name, OrganizationAdmin: admin, Assignable: assignable}
		mustDo(t, e.store.CreateStoreRole(ctx, r))
		return r
	}
	f.admin, f.editor, f.auditor, f.manager = role("admin", true, false), role("editor", false, true),
		role("auditor", false, false), role("manager", true, true)
	f.alice, f.bob, f.dave = e.signedIn(t, "alice@example.com"), e.signedIn(t, "bob@example.com"), e.signedIn(t, "dave@example.com")
	f.carol = e.account(t, "", "carol@example.com")
	join(t, e, f.alice.account, f.acme, f.admin, true)
	join(t, e, f.alice.account, f.initech, f.manager, false)
	join(t, e, f.bob.account, f.acme, f.editor, true)
	join(t, e, f.carol, f.acme, f.auditor, false)
	join(t, e, f.dave.account, f.globex, f.admin, true)
	return f
}

// join gives a the role in o, and membership when member.
func join(t *testing.T, e *testEnv, a *storage.Account, o *storage.Organization, r *storage.StoreRole, member bool) {
	t.Helper()
	ctx := context.Background()
	mustDo(t, e.store.AssignAccountRole(ctx, &storage.AccountRole{StoreID: testStoreID, AccountID: a.ID, OrganizationID: o.ID, RoleID: r.ID}))
	if member {
		mustDo(t, e.store.AddOrganizationMember(ctx, &storage.OrganizationMember{StoreID: testStoreID, AccountID: a.ID, OrganizationID: o.ID}))
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func orgPage(o *storage.Organization) string { return "/account/organizations/" + o.ID }

// roleIDs are the roles a holds in o.
func roleIDs(t *testing.T, e *testEnv, a *storage.Account, o *storage.Organization) []string {
	t.Helper()
	pairs, err := e.store.ListAccountRoles(context.Background(), a.ID)
	mustDo(t, err)
	var out []string
	for _, p := range pairs {
		if p.OrganizationID == o.ID {
			out = append(out, p.RoleID)
		}
	}
	return out
}

// wantEvent checks a's activity log has an event of kind by actor.
func wantEvent(t *testing.T, e *testEnv, a *storage.Account, kind, actor string) {
	t.Helper()
	events, err := e.store.ListEvents(context.Background(), a.ID, 50)
	mustDo(t, err)
	if !slices.ContainsFunc(events, func(ev storage.Event) bool { return ev.Kind == kind && ev.Actor == actor }) {
		t.Errorf("%s has no %s event by %s: %+v", a.Email, kind, actor, events)
	}
}

func TestOrganizationMembersAndRoles(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		f := newOrgFixture(t, e)
		wantBody(t, "menu", f.alice.get("/account/apps"), `href="/account/organizations">Organization</a>`)
		list := f.alice.get("/account/organizations")
		wantBody(t, "list", list, `href="`+orgPage(f.acme)+`">Acme</a>`, `href="`+orgPage(f.initech)+`">Initech</a>`)
		p := f.alice.get(orgPage(f.acme))
		wantStatus(t, "organization page", p, http.StatusOK)
		wantBody(t, "organization page", p, "<h1>Acme</h1>", "alice@example.com", "bob@example.com", "carol@example.com",
			">Revoke editor<", "auditor", ">Remove bob@example.com<", ">Remove carol@example.com<", `<label for="grant-`+f.carol.ID+`">`)
		if contains(p.body, ">Revoke auditor<") || contains(p.body, ">Revoke admin<") || contains(p.body, ">Remove alice@example.com<") {
			t.Error("the page offers to change a role that is not assignable, or to remove oneself")
		}
		roles := orgPage(f.acme) + "/roles"
		wantBody(t, "grant", f.alice.post(roles, "account", f.carol.ID, "role", f.editor.ID, "action", "grant"), "The role is granted.")
		if got := roleIDs(t, e, f.carol, f.acme); !slices.Contains(got, f.editor.ID) {
			t.Errorf("carol's roles after the grant: %v", got)
		}
		wantEvent(t, e, f.carol, "organization.role_granted", f.alice.account.ID)
		forged := f.alice.post(roles, "account", f.bob.account.ID, "role", f.auditor.ID, "action", "grant")
		wantStatus(t, "forged grant", forged, http.StatusForbidden)
		wantBody(t, "forged grant", forged, "You cannot grant or revoke this role.")
		wantStatus(t, "forged revoke", f.alice.post(roles, "account", f.carol.ID, "role", f.auditor.ID, "action", "revoke"), http.StatusForbidden)
		wantStatus(t, "forged admin grant", f.alice.post(roles, "account", f.bob.account.ID, "role", f.admin.ID, "action", "grant"), http.StatusForbidden)
		if got := roleIDs(t, e, f.bob.account, f.acme); !slices.Equal(got, []string{f.editor.ID}) {
			t.Errorf("bob's roles after forged grants: %v", got)
		}
		if got := roleIDs(t, e, f.carol, f.acme); len(got) != 2 {
			t.Errorf("carol's roles after a forged revoke: %v", got)
		}
		wantBody(t, "revoke", f.alice.post(roles, "account", f.bob.account.ID, "role", f.editor.ID, "action", "revoke"), "The role is revoked.")
		if got := roleIDs(t, e, f.bob.account, f.acme); len(got) != 0 {
			t.Errorf("bob's roles after the revocation: %v", got)
		}
		wantEvent(t, e, f.bob.account, "organization.role_revoked", f.alice.account.ID)
	})
}

func TestOrganizationRemoveMember(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		f := newOrgFixture(t, e)
		remove := orgPage(f.acme) + "/remove"
		confirm := f.alice.post(remove, "account", f.bob.account.ID)
		wantStatus(t, "confirmation", confirm, http.StatusOK)
		wantBody(t, "confirmation", confirm, "Remove bob@example.com from Acme?", `name="confirm" value="yes"`, ">Remove<", ">Cancel<")
		if _, err := e.store.GetOrganizationPerson(ctx, testStoreID, f.acme.ID, f.bob.account.ID); err != nil {
			t.Fatalf("the confirmation page removed bob: %v", err)
		}
		wantBody(t, "remove", f.alice.post(remove, "account", f.bob.account.ID, "confirm", "yes"), "The person is removed from the organization.")
		if _, err := e.store.GetOrganizationPerson(ctx, testStoreID, f.acme.ID, f.bob.account.ID); err == nil {
			t.Error("bob is still one of Acme's people")
		}
		if orgs, _ := e.store.ListAccountOrganizations(ctx, f.bob.account.ID); len(orgs) != 0 {
			t.Errorf("bob is still a member of %+v", orgs)
		}
		wantEvent(t, e, f.bob.account, "organization.member_removed", f.alice.account.ID)
		wantStatus(t, "remove again", f.alice.post(remove, "account", f.bob.account.ID, "confirm", "yes"), http.StatusNotFound)

		self := f.alice.post(remove, "account", f.alice.account.ID, "confirm", "yes")
		wantStatus(t, "remove oneself", self, http.StatusUnprocessableEntity)
		wantBody(t, "remove oneself", self, "You cannot remove yourself from the organization.")
		// Initech's only administrator holds an assignable administrating
		// role: revoking it would leave Initech without one.
		last := f.alice.post(orgPage(f.initech)+"/roles", "account", f.alice.account.ID, "role", f.manager.ID, "action", "revoke")
		wantStatus(t, "revoke the last administrator", last, http.StatusConflict)
		wantBody(t, "revoke the last administrator", last, "The organization needs at least one administrator")
		if got := roleIDs(t, e, f.alice.account, f.initech); !slices.Equal(got, []string{f.manager.ID}) {
			t.Errorf("alice's Initech roles after the refusal: %v", got)
		}
	})
}

func TestOrganizationInvitations(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		f := newOrgFixture(t, e)
		invite := orgPage(f.acme) + "/invitations"
		p := f.alice.get(orgPage(f.acme))
		wantBody(t, "form", p, `<label for="invite-email">`, `<option value="b2b-portal" selected>Acme Works portal</option>`,
			`<label for="invite-language">`, `<label for="invite-role-`+f.editor.ID+`">editor</label>`, ">Send invitation<")
		if contains(p.body, `value="`+f.auditor.ID+`"`) {
			t.Error("the invitation form offers a role that is not assignable")
		}
		bad := f.alice.post(invite, "email", "not-an-address", "client_id", "b2b-portal", "language", "de", "role_ids", f.auditor.ID)
		wantStatus(t, "refused invitation", bad, http.StatusUnprocessableEntity)
		wantBody(t, "refused invitation", bad, "Enter an email address.", "Choose only roles you may grant.",
			`value="not-an-address"`, `<option value="de" selected>`)
		if invs, _ := e.store.ListInvitations(ctx, testStoreID, f.acme.ID, "", 0); len(invs) != 0 {
			t.Fatalf("a refused invitation was stored: %+v", invs)
		}
		wantBody(t, "invite", f.alice.post(invite, "email", "new.hire@example.com", "client_id", "b2b-portal", "language", "de",
			"role_ids", f.editor.ID), "The invitation is on its way.", ">Revoke invitation to new.hire@example.com<")
		mail := e.next(t, "new.hire@example.com")
		if !contains(mail.Text, "login_hint=invitation") {
			t.Errorf("invitation e-mail without its link:\n%s", mail.Text)
		}
		invs, err := e.store.ListInvitations(ctx, testStoreID, f.acme.ID, "", 0)
		if err != nil || len(invs) != 1 || invs[0].CreatedByKind != "account" || invs[0].CreatedByID != f.alice.account.ID ||
			!slices.Equal(invs[0].RoleIDs, []string{f.editor.ID}) {
			t.Fatalf("invitations = %+v, %v", invs, err)
		}
		wantEvent(t, e, f.alice.account, "organization.invitation_sent", f.alice.account.ID)
		id := invs[0].ID
		wantBody(t, "resend", f.alice.post(invite+"/resend", "invitation", id), "The invitation is sent again")
		e.next(t, "new.hire@example.com")
		wantBody(t, "revoke", f.alice.post(invite+"/revoke", "invitation", id), "The invitation is revoked")
		if _, err := e.store.GetInvitation(ctx, testStoreID, id); err == nil {
			t.Error("the revoked invitation is still stored")
		}
		wantStatus(t, "revoke again", f.alice.post(invite+"/revoke", "invitation", id), http.StatusNotFound)
	})
}

func TestOrganizationRename(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		f := newOrgFixture(t, e)
		rename := orgPage(f.acme) + "/rename"
		taken := f.alice.post(rename, "name", "globex")
		wantStatus(t, "taken name", taken, http.StatusUnprocessableEntity)
		wantBody(t, "taken name", taken, "Another organization already has this name.", `value="globex"`, `aria-describedby="org-name-error"`)
		wantStatus(t, "empty name", f.alice.post(rename, "name", " "), http.StatusUnprocessableEntity)
		wantBody(t, "rename", f.alice.post(rename, "name", "Acme Corp"), "The organization is renamed.", "<h1>Acme Corp</h1>")
		o, err := e.store.GetOrganization(t.Context(), testStoreID, f.acme.ID)
		if err != nil || o.Name != "Acme Corp" {
			t.Errorf("organization after rename: %+v, %v", o, err)
		}
		wantEvent(t, e, f.alice.account, "organization.renamed", f.alice.account.ID)
	})
}

// A name as long as a self-registered company's may be (200 characters)
// is taken by the rename, and the form lets it be typed; one more is
// refused.
func TestOrganizationRenameLongName(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		f := newOrgFixture(t, e)
		rename := orgPage(f.acme) + "/rename"
		long := strings.Repeat("Ä", 200)
		wantStatus(t, "201 characters", f.alice.post(rename, "name", long+"x"), http.StatusUnprocessableEntity)
		wantBody(t, "a 200-character name", f.alice.post(rename, "name", long), "The organization is renamed.", `maxlength="200"`)
		if o, err := e.store.GetOrganization(t.Context(), testStoreID, f.acme.ID); err != nil || o.Name != long {
			t.Errorf("organization after rename: %+v, %v", o, err)
		}
	})
}

// Every page and post of organization administration answers 404 to an
// account that does not administer the organization it names, and to
// ids of people or invitations outside it.
func TestOrganizationIsolation(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		f := newOrgFixture(t, e)
		posts := map[string][]string{
			"/rename":             {"name", "Mine now"},
			"/roles":              {"account", f.dave.account.ID, "role", f.editor.ID, "action", "grant"},
			"/remove":             {"account", f.dave.account.ID, "confirm", "yes"},
			"/invitations":        {"email", "x@example.com", "client_id", "b2b-portal"},
			"/invitations/resend": {"invitation", "nope"},
			"/invitations/revoke": {"invitation", "nope"},
		}
		// Bob is a member of Acme without an administrating role.
		if contains(f.bob.get("/account/apps").body, "/account/organizations") {
			t.Error("a member who administers nothing sees the organization menu")
		}
		wantStatus(t, "bob's list", f.bob.get("/account/organizations"), http.StatusNotFound)
		wantStatus(t, "bob's page", f.bob.get(orgPage(f.acme)), http.StatusNotFound)
		for path, kv := range posts {
			wantStatus(t, "bob posts "+path, f.bob.post(orgPage(f.acme)+path, kv...), http.StatusNotFound)
		}
		// Alice administers Acme, not Globex.
		wantStatus(t, "globex's page", f.alice.get(orgPage(f.globex)), http.StatusNotFound)
		wantStatus(t, "unknown page", f.alice.get("/account/organizations/nope"), http.StatusNotFound)
		for path, kv := range posts {
			wantStatus(t, "alice posts to Globex "+path, f.alice.post(orgPage(f.globex)+path, kv...), http.StatusNotFound)
		}
		// Dave is one of Globex's people, not Acme's; Globex's invitation
		// is not Acme's.
		acme := orgPage(f.acme)
		wantStatus(t, "grant to an outsider", f.alice.post(acme+"/roles", "account", f.dave.account.ID, "role", f.editor.ID, "action", "grant"), http.StatusNotFound)
		wantStatus(t, "remove an outsider", f.alice.post(acme+"/remove", "account", f.dave.account.ID, "confirm", "yes"), http.StatusNotFound)
		f.dave.post(orgPage(f.globex)+"/invitations", "email", "g@example.com", "client_id", "b2b-portal")
		invs, _ := e.store.ListInvitations(ctx, testStoreID, f.globex.ID, "", 0)
		if len(invs) != 1 {
			t.Fatalf("dave's invitation: %+v", invs)
		}
		wantStatus(t, "resend Globex's invitation", f.alice.post(acme+"/invitations/resend", "invitation", invs[0].ID), http.StatusNotFound)
		wantStatus(t, "revoke Globex's invitation", f.alice.post(acme+"/invitations/revoke", "invitation", invs[0].ID), http.StatusNotFound)
		if o, _ := e.store.GetOrganization(ctx, testStoreID, f.globex.ID); o.Name != "Globex" {
			t.Errorf("Globex renamed to %q", o.Name)
		}
		if got := roleIDs(t, e, f.dave.account, f.acme); len(got) != 0 {
			t.Errorf("dave got roles in Acme: %v", got)
		}
		if _, err := e.store.GetInvitation(ctx, testStoreID, invs[0].ID); err != nil {
			t.Errorf("Globex's invitation: %v", err)
		}
		// With one organization, the list opens it.
		if p := f.dave.get("/account/organizations"); p.url.Path != orgPage(f.globex) {
			t.Errorf("dave's list went to %s", p.url)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// Anyone who registers a company administers one, and chooses its name
// and the addresses: the invitation e-mails one administrator has sent,
// new and resent, are capped (20 an hour, 100 a day), past which the
// page answers 429 with the form kept and nothing is sent.
func TestOrganizationInvitationsCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	f := newOrgFixture(t, e)
	invite := orgPage(f.acme) + "/invitations"
	for i := range 20 {
		p := f.alice.post(invite, "email", fmt.Sprintf("target%d@example.com", i), "client_id", "b2b-portal")
		wantBody(t, fmt.Sprintf("invitation %d", i), p, "The invitation is on its way.")
	}
	held := f.alice.post(invite, "email", "victim@example.com", "client_id", "b2b-portal")
	wantStatus(t, "the 21st invitation in an hour", held, http.StatusTooManyRequests)
	wantBody(t, "the 21st invitation in an hour", held, "You have sent many invitations recently.", `value="victim@example.com"`)
	if held.resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	invs, err := e.store.ListInvitations(ctx, testStoreID, f.acme.ID, "", 0)
	if err != nil || len(invs) != 20 {
		t.Fatalf("%d invitations, %v; want 20", len(invs), err)
	}
	wantStatus(t, "a resend past the cap", f.alice.post(invite+"/resend", "invitation", invs[0].ID), http.StatusTooManyRequests)
	if got, _ := e.store.GetInvitation(ctx, testStoreID, invs[0].ID); got.SendCount != invs[0].SendCount {
		t.Errorf("a held resend was sent: %+v", got)
	}
	// Another administrator has a budget of their own; an hour later
	// alice has hers again.
	f.dave.post(orgPage(f.globex)+"/invitations", "email", "g@example.com", "client_id", "b2b-portal")
	if invs, _ := e.store.ListInvitations(ctx, testStoreID, f.globex.ID, "", 0); len(invs) != 1 {
		t.Errorf("dave's invitation was held by alice's count: %+v", invs)
	}
	e.clock.Advance(time.Hour + time.Second)
	wantBody(t, "an hour later", f.alice.post(invite, "email", "later@example.com", "client_id", "b2b-portal"), "The invitation is on its way.")
}

// An organization administrator cannot tell which addresses have an
// account in the identity store (other organizations' people, lone
// customers): an invitation to such an address is sent like any other,
// and its owner accepts it by signing in.
func TestOrganizationInvitationTellsNoAccount(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		f := newOrgFixture(t, e)
		invite := orgPage(f.acme) + "/invitations"
		for _, email := range []string{"nobody@example.com", f.dave.account.Email, "Carol@Example.com"} {
			p := f.alice.post(invite, "email", email, "client_id", "b2b-portal")
			wantBody(t, "invitation to "+email, p, "The invitation is on its way.")
		}
		invs, err := e.store.ListInvitations(t.Context(), testStoreID, f.acme.ID, "", 0)
		if err != nil || len(invs) != 3 {
			t.Errorf("%d invitations, %v; want 3", len(invs), err)
		}
	})
}
