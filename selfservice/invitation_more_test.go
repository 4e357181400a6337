package selfservice_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/invite"
	"foyer/selfservice/selfservicetest"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const invOtherPass = "quartz-meadow-lantern-77"

func testInviteExistingAccount(t *testing.T, s storage.Store) {
	ctx := context.Background()
	open := func(p *storage.SelfServicePolicy) { p.Onboarding.InviteeMayChangeEmail = true } // the address may be taken
	e := newInviteEnv(t, s, open)
	acct := e.Account(t, invitee, invOtherPass)
	inv, hint := e.invite(t, invitee)
	id, b, p := e.open(t, selfservicetest.ClientID, hint)
	if !p.Has("identifier") || !strings.Contains(p.Body, `value="`+invitee+`"`) || !strings.Contains(p.Body, "Sign in to accept your invitation.") {
		t.Fatalf("an invited account is not asked to sign in with the address filled in: %d\n%s", p.Status, p.Body)
	}
	p = b.Submit(p, nil)
	if done := b.Submit(p, map[string]string{"password": invOtherPass}); done.Body != "resumed" {
		t.Fatalf("sign-in: %d\n%s", done.Status, done.Body)
	}
	if res := e.Resumed(t, id); res.AccountID != acct.ID {
		t.Errorf("signed in as %s; want %s", res.AccountID, acct.ID)
	}
	checkJoined(t, e, acct.ID)
	if done, _ := s.GetInvitation(ctx, selfservicetest.StoreID, inv.ID); done.Status != storage.InvitationDone || done.AccountID != acct.ID {
		t.Errorf("invitation = %+v; want done by the account", done)
	}
}

// An account of another address signs in where the invitation fixes the
// address: it is told, not signed in, and sent back to sign in as the
// invited address, which then accepts.
func testInviteWrongAccount(t *testing.T, s storage.Store) {
	e := newInviteEnv(t, s, nil)
	_, hint := e.invite(t, invitee) // sent before the account exists: a read-only invitation
	owner := e.Account(t, invitee, newcomerPass)
	other := e.Account(t, "colleague@example.com", invOtherPass)
	id, b, p := e.open(t, selfservicetest.ClientID, hint)
	p = b.Submit(p, map[string]string{"identifier": other.Email})
	wrong := b.Submit(p, map[string]string{"password": invOtherPass})
	if wrong.Status != http.StatusForbidden || !strings.Contains(wrong.Body, "Continue as "+invitee) || e.WasResumed(id) {
		t.Fatalf("another account's sign-in: %d\n%s", wrong.Status, wrong.Body)
	}
	if roles, _ := s.ListAccountRoles(context.Background(), other.ID); len(roles) != 0 {
		t.Errorf("the other account got the invitation's roles: %+v", roles)
	}
	link := invFind(t, wrong.Body, `href="([^"]*/login\?[^"]+)"`)
	p = b.Get(e.Server.URL + strings.ReplaceAll(link, "&amp;", "&"))
	if !p.Has("identifier") || !strings.Contains(p.Body, `value="`+invitee+`"`) {
		t.Fatalf("the page's link does not lead to signing in as the invited address:\n%s", p.Body)
	}
	p = b.Submit(p, nil)
	if done := b.Submit(p, map[string]string{"password": newcomerPass}); done.Body != "resumed" {
		t.Fatalf("sign-in as the invited address: %d\n%s", done.Status, done.Body)
	}
	checkJoined(t, e, owner.ID)
}

// Revoked, expired and replaced links, and a link opened through another
// application's client, all get the one "no longer valid" page.
func testInviteUnusable(t *testing.T, s storage.Store) {
	ctx := context.Background()
	e := newInviteEnv(t, s, nil)
	revoked, revokedHint := e.invite(t, "revoked@example.com")
	invMust(t, e.Invites.Revoke(ctx, selfservicetest.StoreID, revoked.ID))
	resent, replacedHint := e.invite(t, "resent@example.com")
	_, err := e.Invites.Resend(ctx, selfservicetest.StoreID, resent.ID)
	invMust(t, err)
	newHint := e.lastHint(t, "resent@example.com")
	_, otherAppHint := e.invite(t, "elsewhere@example.com")
	otherApp := &storage.Application{StoreID: selfservicetest.StoreID, Name: "Other"}
	invMust(t, s.CreateApplication(ctx, otherApp))
	otherClient := &storage.Client{ID: "other", ApplicationID: otherApp.ID, Name: "Other", Public: true,
		RedirectURIs: []string{"https://other.example/cb"}, GrantTypes: []string{"authorization_code"},
		ResponseTypes: []string{"code"}, Scopes: []string{"openid"}}
	invMust(t, s.CreateClient(ctx, otherClient))
	_, expiredHint := e.invite(t, "late@example.com")
	cases := []struct{ name, client, hint string }{
		{"revoked", selfservicetest.ClientID, revokedHint},
		{"replaced by a resend", selfservicetest.ClientID, replacedHint},
		{"another application's client", otherClient.ID, otherAppHint},
		{"forged", selfservicetest.ClientID, "invitation:forged"},
	}
	check := func(name, client, hint string) {
		t.Helper()
		id, b, p := e.open(t, client, hint)
		if p.Status != http.StatusGone || !strings.Contains(p.Body, "This invitation is no longer valid") ||
			!strings.Contains(p.Body, "ask whoever invited you") || p.Has("password") {
			t.Errorf("%s: %d\n%s", name, p.Status, p.Body)
			return
		}
		// Its next step is the ordinary sign-in, the hint not typed in.
		link := invFind(t, p.Body, `href="([^"]*/login\?[^"]+)"`)
		next := b.Get(e.Server.URL + strings.ReplaceAll(link, "&amp;", "&"))
		if !next.Has("identifier") || strings.Contains(next.Body, "invitation:") || e.WasResumed(id) {
			t.Errorf("%s: the sign-in after the page:\n%s", name, next.Body)
		}
	}
	for _, c := range cases {
		check(c.name, c.client, c.hint)
	}
	e.Clock.Advance(7*24*time.Hour + time.Second)
	check("expired", selfservicetest.ClientID, expiredHint)
	check("resent, then expired", selfservicetest.ClientID, newHint)
	for _, email := range []string{"revoked@example.com", "resent@example.com", "elsewhere@example.com", "late@example.com"} {
		if _, err := s.FindAccountByIdentifier(ctx, selfservicetest.StoreID, storage.IdentifierEmail, email); err == nil {
			t.Errorf("an unusable link made the account %s", email)
		}
	}
}

// Two sign-ups with one invitation, submitted at once: one account.
func testInviteRace(t *testing.T, s storage.Store) {
	ctx := context.Background()
	e := newInviteEnv(t, s, func(p *storage.SelfServicePolicy) { p.Onboarding.InviteeMayChangeEmail = true })
	_, hint := e.invite(t, invitee)
	type tab struct {
		b *selfservicetest.Browser
		p *selfservicetest.Page
	}
	var tabs []tab
	for range 2 {
		_, b, p := e.open(t, selfservicetest.ClientID, hint)
		tabs = append(tabs, tab{b, p})
	}
	emails := []string{invitee, "second@example.com"}
	pages := make(chan *selfservicetest.Page, 2)
	for i, tb := range tabs {
		go func() {
			action, values := selfservicetest.Form(t, tb.p.Body)
			for k, v := range inviteeFields(emails[i]) {
				values.Set(k, v)
			}
			pages <- tb.b.Post(tb.p.URL, action, values)
		}()
	}
	var resumed int
	for range 2 {
		if p := <-pages; p.Body == "resumed" || strings.Contains(p.Body, "Check your email") {
			resumed++
		} else if p.Status != http.StatusGone {
			t.Errorf("the losing sign-up: %d\n%s", p.Status, p.Body)
		}
	}
	var accounts int
	for _, email := range emails {
		if _, err := s.FindAccountByIdentifier(ctx, selfservicetest.StoreID, storage.IdentifierEmail, email); err == nil {
			accounts++
		}
	}
	if resumed != 1 || accounts != 1 {
		t.Errorf("%d sign-ups succeeded, %d accounts made; want one of each", resumed, accounts)
	}
}

// regexpFind returns the first group of pattern in body.
func invFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in:\n%s", pattern, body)
	}
	return m[1]
}

// A browser signed in with another account opens a read-only invitation:
// it is told, and goes on to the invited address's sign-up.
func testInviteSignedInElsewhere(t *testing.T, s storage.Store) {
	e := newInviteEnv(t, s, nil)
	e.Account(t, "colleague@example.com", invOtherPass)
	_, hint := e.invite(t, invitee)
	b := e.Browser(t)
	first := e.Interaction(t, b, "", nil)
	p := b.Submit(b.Get(e.LoginURL(first)), map[string]string{"identifier": "colleague@example.com"})
	if done := b.Submit(p, map[string]string{"password": invOtherPass}); done.Body != "resumed" {
		t.Fatalf("sign-in as the colleague: %d\n%s", done.Status, done.Body)
	}
	id := e.Interaction(t, b, "", map[string]string{"login_hint": hint})
	told := b.Get(e.LoginURL(id))
	if told.Status != http.StatusForbidden || !strings.Contains(told.Body, "You are signed in as colleague@example.com.") ||
		!strings.Contains(told.Body, "Continue as "+invitee) {
		t.Fatalf("a browser signed in elsewhere: %d\n%s", told.Status, told.Body)
	}
	link := invFind(t, told.Body, `href="([^"]*/register\?[^"]+)"`)
	signup := b.Get(e.Server.URL + strings.ReplaceAll(link, "&amp;", "&"))
	if done := b.Submit(signup, inviteeFields(invitee)); done.Body != "resumed" {
		t.Fatalf("the sign-up after the page: %d\n%s", done.Status, done.Body)
	}
	if res := e.Resumed(t, id); res.AccountID == "" {
		t.Error("no account signed in")
	} else {
		checkJoined(t, e, res.AccountID)
	}
}

// An invitee whose chosen username another account holds is told so
// next to the username, and can choose another: the read-only invited
// address is not blamed (the page would leave no way forward).
func TestInvitationSignupUsernameTaken(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		s := newStore(t)
		e := newInviteEnv(t, s, nil)
		e.AccountWith(t, &storage.Account{Username: "ada-lovelace"}, "")
		inv, hint := e.invite(t, invitee)
		_, b, p := e.open(t, selfservicetest.ClientID, hint)
		fields := inviteeFields(invitee)
		fields["username"] = "ada-lovelace"
		got := b.Submit(p, fields)
		if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "This username is taken.") ||
			strings.Contains(got.Body, "An account with this email address already exists") {
			t.Fatalf("a taken username: %d\n%s", got.Status, got.Body)
		}
		if pending, _ := s.GetInvitation(context.Background(), selfservicetest.StoreID, inv.ID); pending.Status != storage.InvitationPending {
			t.Errorf("a refused sign-up used the invitation: %+v", pending)
		}
		fields["username"] = "ada-l"
		if done := b.Submit(got, fields); done.Body != "resumed" {
			t.Errorf("with another username: %d\n%s", done.Status, done.Body)
		}
	})
}

// Where the policy does not let invitees use upstream providers
// (external.invitations off), the invitation's pages show no button, and
// a crafted post to a provider's start is refused like an unknown
// provider: the invitee cannot accept with an external identity anyway.
func TestInvitationExternalNotOffered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqltest.SQLite(t)
	env := selfservicetest.New(t, selfservicetest.Options{Store: s, Upstream: upstream.New(upstream.Config{}),
		App: func(a *storage.Application) {
			pol := storage.DefaultSelfServicePolicy()
			pol.RegistrationEnabled = false
			pol.External.Providers = []string{"up-1"}
			a.SelfService, a.Organizational = pol, true
		},
		Client: func(c *storage.Client) { c.InitiateLoginURI = "https://shop.example/start" },
	})
	invMust(t, s.CreateUpstreamProvider(ctx, &storage.UpstreamProvider{ID: "up-1", StoreID: selfservicetest.StoreID,
		Name: "Upstream One", Kind: storage.UpstreamOAuth2, AuthURL: "https://up.example/authorize",
		TokenURL: "https://up.example/token", UserInfoURL: "https://up.example/userinfo", ClientID: "foyer", Enabled: true}))
	org := &storage.Organization{StoreID: selfservicetest.StoreID, Name: "Acme Corp"}
	invMust(t, s.CreateOrganization(ctx, org))
	_, err := env.Invites.Send(ctx, invite.Request{StoreID: selfservicetest.StoreID, OrganizationID: org.ID,
		ClientID: selfservicetest.ClientID, Email: invitee, By: invite.Sender{Kind: "administrator", ID: "a1", Name: "Olivia Ops"}})
	invMust(t, err)
	e := &inviteEnv{Env: env, org: org}
	id, b, p := e.open(t, selfservicetest.ClientID, e.lastHint(t, invitee))
	if !p.Has("password_confirm") || strings.Contains(p.Body, "Upstream One") {
		t.Fatalf("the invitation's sign-up: %d\n%s", p.Status, p.Body)
	}
	for _, purpose := range []string{"register", "login"} {
		got := b.Post(p.URL, "/login/external/up-1", url.Values{"interaction": {id}, "sig": {env.Steps.Sign(id, purpose)}})
		if got.Status != http.StatusNotFound || strings.Contains(got.URL.Host, "up.example") {
			t.Errorf("a crafted start (%s) in an invitation's flow: %d at %s", purpose, got.Status, got.URL)
		}
	}
}
