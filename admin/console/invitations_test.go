package console

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

// invitationFixture is store A with an organizational application
// (client acme-portal) and a plain one (client shop), organization Acme,
// role member, group beta and a profile attribute the console shows.
type invitationFixture struct {
	acme, member, group string
	base                string
}

func newInvitationFixture(t *testing.T, e *testEnv) *invitationFixture {
	t.Helper()
	ctx := context.Background()
	s := e.store.(consoleStore)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.GetIdentityStore(ctx, storeA)
	must(err)
	st.Attributes = []storage.AttributeDef{{Name: "given_name", Label: "Given name", AdminVisible: true, AdminEditable: true},
		{Name: "birthday", Type: storage.AttrDate, AdminVisible: true}}
	must(s.UpdateIdentityStore(ctx, st, st.Version))
	for id, org := range map[string]bool{"acme-portal": true, "shop": false} {
		app := &storage.Application{StoreID: storeA, Name: id + " app", Organizational: org}
		must(s.CreateApplication(ctx, app))
		must(s.CreateClient(ctx, &storage.Client{ID: id, ApplicationID: app.ID, Name: id, RedirectURIs: []string{"https://rp.example/cb"},
			InitiateLoginURI: "https://" + id + ".example/start", GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"},
			Scopes: []string{"openid"}, Public: true, TokenEndpointAuthMethod: "none"}))
	}
	org := &storage.Organization{StoreID: storeA, Name: "Acme"}
	must(s.CreateOrganization(ctx, org))
	role := &storage.StoreRole{StoreID: storeA, Name: "member"}
	must(s.CreateStoreRole(ctx, role))
	group := &storage.Group{StoreID: storeA, Name: "beta"}
	must(s.CreateGroup(ctx, group))
	return &invitationFixture{acme: org.ID, member: role.ID, group: group.ID, base: "/admin/stores/" + storeA + "/invitations"}
}

// TestInvitationConsole: support invites a customer through the form
// (the organization's Update button brings its clients, keeping what was
// typed; refused input comes back next to its field), sees it listed and
// in detail, resends it and revokes it after confirming.
func TestInvitationConsole(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newInvitationFixture(t, e)
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))

		list := br.get(t, f.base)
		if list.status != http.StatusOK || !strings.Contains(list.body, `href="`+f.base+`/new"`) || !strings.Contains(list.body, "No invitations.") ||
			!strings.Contains(list.body, `href="`+f.base+`" aria-current="page"`) {
			t.Fatalf("empty list: %d\n%s", list.status, list.body)
		}
		form := br.get(t, f.base+"/new")
		if form.status != http.StatusOK || !strings.Contains(form.body, `<option value="shop" selected>`) || strings.Contains(form.body, `value="acme-portal"`) ||
			!strings.Contains(form.body, `<label for="invite-email">Email</label>`) || !strings.Contains(form.body, `<label for="invite-attr-given_name">Given name</label>`) {
			t.Fatalf("form without organization: %d\n%s", form.status, form.body)
		}
		typed := url.Values{"organization_id": {f.acme}, "email": {"new.hire@example.com"}, "language": {"de"},
			"group_ids": {f.group}, "attributes.given_name": {"Ada"}, "refresh": {"yes"}}
		refreshed := br.post(t, f.base+"/new", typed)
		if refreshed.status != http.StatusOK || !strings.Contains(refreshed.body, `<option value="acme-portal" selected>`) ||
			strings.Contains(refreshed.body, `value="shop"`) || !strings.Contains(refreshed.body, `value="new.hire@example.com"`) ||
			!strings.Contains(refreshed.body, `value="Ada"`) || !strings.Contains(refreshed.body, `name="role_ids" value="`+f.member+`"`) {
			t.Fatalf("refreshed form: %d\n%s", refreshed.status, refreshed.body)
		}
		if len(e.auditActions(t)) != 0 {
			t.Fatal("the refresh sent something")
		}

		typed.Del("refresh")
		typed.Set("client_id", "shop") // a plain application's client for an organization
		refused := br.post(t, f.base+"/new", typed)
		if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, `id="client_id-error"`) ||
			!strings.Contains(refused.body, `value="new.hire@example.com"`) || !strings.Contains(refused.body, `value="Ada"`) ||
			!strings.Contains(refused.body, `<option value="`+f.acme+`" selected>`) {
			t.Fatalf("refused form: %d\n%s", refused.status, refused.body)
		}
		typed.Set("client_id", "acme-portal")
		typed.Set("attributes.birthday", "not a date")
		refused = br.post(t, f.base+"/new", typed)
		if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, `id="invite-attr-birthday-error"`) ||
			!strings.Contains(refused.body, `value="not a date"`) || !strings.Contains(refused.body, `<option value="acme-portal" selected>`) {
			t.Fatalf("refused attribute: %d\n%s", refused.status, refused.body)
		}

		typed.Del("attributes.birthday")
		typed.Set("role_ids", f.member)
		sent := br.post(t, f.base+"/new", typed)
		if sent.status != http.StatusSeeOther || !strings.HasPrefix(sent.location, f.base+"/") || !strings.Contains(sent.location, "notice=invitation_sent") {
			t.Fatalf("send: %d %q\n%s", sent.status, sent.location, sent.body)
		}
		item := strings.SplitN(sent.location, "?", 2)[0]
		msgs, err := e.store.ListNotifications(context.Background(), 10)
		if err != nil || len(msgs) != 1 || msgs[0].To != "new.hire@example.com" || msgs[0].Kind != "invitation" ||
			!strings.Contains(msgs[0].Text, e.server.URL+"/oauth2/initiate?") || !strings.Contains(msgs[0].Text, "support@example.com") {
			t.Fatalf("queued e-mails: %+v (%v)", msgs, err)
		}
		detail := br.get(t, sent.location)
		for _, want := range []string{"new.hire@example.com", "Acme", "acme-portal", "member", "beta", "Given name", "Ada", "Pending", "The invitation is sent.",
			`action="` + item + `/resend"`, `href="` + item + `/revoke"`} {
			if !strings.Contains(html.UnescapeString(detail.body), want) {
				t.Errorf("detail lacks %q", want)
			}
		}
		list = br.get(t, f.base)
		if !strings.Contains(list.body, `href="`+item+`"`) || !strings.Contains(list.body, "Pending") {
			t.Errorf("list: %s", list.body)
		}

		if r := br.post(t, item+"/resend", nil); r.status != http.StatusSeeOther || !strings.Contains(r.location, "notice=invitation_resent") {
			t.Errorf("resend: %d %q", r.status, r.location)
		}
		if c := br.get(t, item+"/revoke"); c.status != http.StatusOK || !strings.Contains(c.body, `name="confirm" value="yes"`) {
			t.Errorf("confirm page: %d\n%s", c.status, c.body)
		}
		if r := br.post(t, item+"/revoke", nil); r.status != http.StatusSeeOther || r.location != item+"/revoke" {
			t.Errorf("revoke without confirm: %d %q", r.status, r.location)
		}
		if r := br.post(t, item+"/revoke", url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, f.base+"?notice=invitation_revoked") {
			t.Errorf("revoke: %d %q", r.status, r.location)
		}
		if r := br.get(t, item); r.status != http.StatusNotFound {
			t.Errorf("revoked invitation: %d", r.status)
		}
		if list := br.get(t, f.base); strings.Contains(list.body, "new.hire@example.com") {
			t.Errorf("a revoked invitation is listed")
		}
		if got := e.auditActions(t); len(got) != 3 || got[0] != "invitation.revoked" || got[1] != "invitation.resent" || got[2] != "invitation.sent" {
			t.Errorf("audit = %v", got)
		}
	})
}

// TestInvitationConsoleRoles: an auditor sees invitations but neither
// the form nor the actions; an administrator of store B sees none of
// store A's.
func TestInvitationConsoleRoles(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		f := newInvitationFixture(t, e)
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		sent := support.post(t, f.base+"/new", url.Values{"client_id": {"shop"}, "email": {"a@example.com"}})
		if sent.status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", sent.status, sent.body)
		}
		item := strings.SplitN(sent.location, "?", 2)[0]

		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		list := auditor.get(t, f.base)
		if list.status != http.StatusOK || !strings.Contains(list.body, "a@example.com") || strings.Contains(list.body, f.base+"/new") {
			t.Errorf("auditor's list: %d\n%s", list.status, list.body)
		}
		if d := auditor.get(t, item); d.status != http.StatusOK || strings.Contains(d.body, "/resend") || strings.Contains(d.body, "/revoke") {
			t.Errorf("auditor's detail: %d\n%s", d.status, d.body)
		}
		for _, r := range []response{auditor.get(t, f.base+"/new"), auditor.post(t, f.base+"/new", url.Values{"client_id": {"shop"}, "email": {"b@example.com"}}),
			auditor.post(t, item+"/resend", nil), auditor.get(t, item+"/revoke"), auditor.post(t, item+"/revoke", url.Values{"confirm": {"yes"}})} {
			if r.status != http.StatusForbidden {
				t.Errorf("auditor: %d; want 403", r.status)
			}
		}
		acct := e.account(t, storeA, "a@example.com")
		if err := e.store.CompleteInvitation(context.Background(), strings.TrimPrefix(item, f.base+"/"), acct.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		done := support.get(t, item)
		if done.status != http.StatusOK || !strings.Contains(done.body, "Done") || strings.Contains(done.body, item+"/resend") ||
			!strings.Contains(done.body, `href="/admin/stores/`+storeA+`/accounts/`+acct.ID+`"`) {
			t.Errorf("accepted invitation: %d\n%s", done.status, done.body)
		}
		other := e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleAdmin, storeB)))
		if r := other.get(t, f.base); r.status == http.StatusOK {
			t.Errorf("an administrator of store B sees store A's invitations")
		}
		if r := other.get(t, item); r.status == http.StatusOK {
			t.Errorf("an administrator of store B sees store A's invitation")
		}
	})
}
