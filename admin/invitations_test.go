package admin

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// invitationsAPI is the API over a real database: store "eu" with an
// organizational application (client "acme-portal") and a plain one
// (client "shop", and "bare" without a brand portal), organizations Acme
// and Globex, a role, a group, an attribute the console shows and one it
// hides, and a customer; store "us" beside it. Tokens: support, auditor
// and an administrator of us only.
type invitationsAPI struct {
	*storesAPI
	invites       *invite.Service
	clock         *testClock
	acme, globex  string
	member, group string
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var invitationGrants = map[string]storage.AdminGrant{
	"support-bot": {Role: storage.RoleSupport},
	"auditor-bot": {Role: storage.RoleAuditor},
	"us-admin":    {Role: storage.RoleAdmin, StoreIDs: []string{"us"}},
}

func newInvitationsAPI(t *testing.T, s storage.Store) *invitationsAPI {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	attrs := []storage.AttributeDef{{Name: "given_name", AdminVisible: true, AdminEditable: true},
		{Name: "secret_note", Visible: false}}
	for _, id := range []string{storage.AdministratorsStoreID, "eu", "us"} {
		must(s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id, Attributes: attrs,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}))
	}
	tokens := fakeTokens{}
	for client, g := range invitationGrants {
		g.PrincipalKind, g.PrincipalID = storage.PrincipalClient, client
		must(s.CreateAdminGrant(ctx, &g))
		tokens[client] = Principal{ClientID: client, Scopes: []string{Scope}}
	}
	e := &invitationsAPI{clock: &testClock{t: time.Now().UTC().Truncate(time.Second)}}
	orgApp := &storage.Application{ID: "acme-app", StoreID: "eu", Name: "Acme Portal", Organizational: true}
	plainApp := &storage.Application{ID: "shop-app", StoreID: "eu", Name: "Shop"}
	must(s.CreateApplication(ctx, orgApp))
	must(s.CreateApplication(ctx, plainApp))
	for id, app := range map[string]string{"acme-portal": orgApp.ID, "shop": plainApp.ID, "bare": plainApp.ID} {
		c := &storage.Client{ID: id, ApplicationID: app, Name: id, RedirectURIs: []string{"https://rp.example/cb"},
			GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}, Scopes: []string{"openid"},
			Public: true, TokenEndpointAuthMethod: "none"}
		if id != "bare" {
			c.InitiateLoginURI = "https://" + id + ".example/start"
		}
		must(s.CreateClient(ctx, c))
	}
	for _, o := range []*storage.Organization{{StoreID: "eu", Name: "Acme"}, {StoreID: "eu", Name: "Globex"}} {
		must(s.CreateOrganization(ctx, o))
		if o.Name == "Acme" {
			e.acme = o.ID
		} else {
			e.globex = o.ID
		}
	}
	role := &storage.StoreRole{StoreID: "eu", Name: "member"}
	must(s.CreateStoreRole(ctx, role))
	group := &storage.Group{StoreID: "eu", Name: "beta"}
	must(s.CreateGroup(ctx, group))
	e.member, e.group = role.ID, group.ID
	must(s.CreateAccount(ctx, &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "taken@example.com"}))

	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	must(err)
	mailer := notify.NewService(s, renderer, e.clock.Now)
	cfg := invite.Config{Issuer: "https://id.example", InitiatePath: "/oauth2/initiate", Languages: renderer.Languages(), Now: e.clock.Now}
	e.invites = invite.New(s, mailer, cfg) // finds invitations by their links, as the sign-up pages do
	core := manage.NewCore(s, e.clock.Now)
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(core, s, nil, ""), Audit: manage.NewAudit(s),
		Applications: manage.NewApplications(core, s), Policies: manage.NewPolicies(core, s),
		Invitations: manage.NewInvitations(core, s, mailer, cfg)})
	must(err)
	router := mux.NewRouter()
	h.Mount(router)
	e.storesAPI = &storesAPI{s: s, router: router}
	return e
}

func bothInvitationsAPI(t *testing.T, fn func(t *testing.T, e *invitationsAPI)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newInvitationsAPI(t, newStore(t)))
	})
}

// invitationMail is the newest invitation e-mail to to: its link's login
// hint, and how many such e-mails there are.
func (e *invitationsAPI) invitationMail(t *testing.T, to string) (hint string, count int) {
	t.Helper()
	msgs, err := e.s.ListNotifications(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To != to || m.Kind != "invitation" {
			continue
		}
		count++
		if hint != "" {
			continue
		}
		link := regexp.MustCompile(`https://id\.example/oauth2/initiate\?\S+`).FindString(m.Text)
		u, err := url.Parse(link)
		if err != nil || link == "" {
			t.Fatalf("invitation e-mail without a link: %q", m.Text)
		}
		hint = u.Query().Get("login_hint")
	}
	return hint, count
}

func (e *invitationsAPI) lastAudit(t *testing.T) storage.AuditEntry {
	t.Helper()
	entries, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{Limit: 1})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	return entries[0]
}

func (e *invitationsAPI) send(t *testing.T, body map[string]any) manage.Invitation {
	t.Helper()
	return decodeBody[manage.Invitation](t, e.must(t, http.StatusCreated, "support-bot", http.MethodPost, "/stores/eu/invitations", encode(t, body), ""))
}

func TestInvitationsAPISendListResendRevoke(t *testing.T) {
	bothInvitationsAPI(t, func(t *testing.T, e *invitationsAPI) {
		rec := e.must(t, http.StatusCreated, "support-bot", http.MethodPost, "/stores/eu/invitations", encode(t, map[string]any{
			"organization_id": e.acme, "client_id": "acme-portal", "email": "new.hire@example.com", "language": "de",
			"role_ids": []string{e.member}, "group_ids": []string{e.group}, "attributes": map[string]string{"given_name": "Ada"}}), "")
		inv := decodeBody[manage.Invitation](t, rec)
		if inv.Status != manage.InvitationPending || inv.OrganizationName != "Acme" || inv.ClientName != "acme-portal" ||
			inv.CreatedBy.Kind != "client" || inv.CreatedBy.ID != "support-bot" || inv.Attributes["given_name"] != "Ada" ||
			rec.Header().Get("Location") != APIPrefix+"/stores/eu/invitations/"+inv.ID {
			t.Fatalf("sent %+v at %q", inv, rec.Header().Get("Location"))
		}
		first, n := e.invitationMail(t, "new.hire@example.com")
		if n != 1 || !invite.IsLoginHint(first) {
			t.Fatalf("e-mails %d, hint %q", n, first)
		}
		entry := e.lastAudit(t)
		token := strings.TrimPrefix(first, "invitation:")
		if entry.Action != "invitation.sent" || entry.TargetID != inv.ID || !strings.Contains(entry.After, "new.hire@example.com") ||
			!strings.Contains(entry.After, `"organization":"Acme"`) || strings.Contains(entry.After+entry.Before, token) {
			t.Errorf("audit entry = %+v", entry)
		}
		if strings.Contains(rec.Body.String(), token) || strings.Contains(rec.Body.String(), "token") {
			t.Errorf("the answer shows the token: %s", rec.Body)
		}
		e.clock.Advance(time.Minute) // newest first: a later sending
		other := e.send(t, map[string]any{"client_id": "shop", "email": "shopper@example.com"})

		got := decodeBody[manage.Invitation](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, "/stores/eu/invitations/"+inv.ID, "", ""))
		if got.Email != "new.hire@example.com" || len(got.RoleIDs) != 1 || got.Language != "de" {
			t.Errorf("detail = %+v", got)
		}
		ids := func(path string) []string {
			l := decodeBody[list[manage.Invitation]](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, path, "", ""))
			var out []string
			for _, x := range l.Items {
				out = append(out, x.ID)
			}
			return out
		}
		if all := ids("/stores/eu/invitations"); len(all) != 2 || all[0] != other.ID {
			t.Errorf("list = %v; want newest (%s) first", all, other.ID)
		}
		if none := ids("/stores/eu/invitations?organization=none"); len(none) != 1 || none[0] != other.ID {
			t.Errorf("?organization=none = %v", none)
		}
		if acme := ids("/stores/eu/invitations?organization=" + e.acme); len(acme) != 1 || acme[0] != inv.ID {
			t.Errorf("?organization=acme = %v", acme)
		}
		if globex := ids("/stores/eu/invitations?organization=" + e.globex); len(globex) != 0 {
			t.Errorf("?organization=globex = %v", globex)
		}
		page := decodeBody[list[manage.Invitation]](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, "/stores/eu/invitations?limit=1", "", ""))
		if len(page.Items) != 1 || page.NextCursor == "" {
			t.Fatalf("first page = %+v", page)
		}
		if rest := ids("/stores/eu/invitations?limit=1&cursor=" + page.NextCursor); len(rest) != 1 || rest[0] != inv.ID {
			t.Errorf("second page = %v", rest)
		}

		e.clock.Advance(time.Hour)
		again := decodeBody[manage.Invitation](t, e.must(t, http.StatusOK, "support-bot", http.MethodPost, "/stores/eu/invitations/"+inv.ID+"/resend", "", ""))
		second, n := e.invitationMail(t, "new.hire@example.com")
		if again.SendCount != 2 || n != 2 || second == first || !again.ExpiresAt.After(inv.ExpiresAt) {
			t.Errorf("resend: %+v, %d e-mails, same hint %v", again, n, second == first)
		}
		if _, err := e.invites.Find(t.Context(), first, "acme-portal"); !errors.Is(err, invite.ErrUnusable) {
			t.Errorf("the replaced link still works: %v", err)
		}
		if _, err := e.invites.Find(t.Context(), second, "acme-portal"); err != nil {
			t.Errorf("the new link: %v", err)
		}
		if entry := e.lastAudit(t); entry.Action != "invitation.resent" || entry.TargetID != inv.ID ||
			strings.Contains(entry.After, strings.TrimPrefix(second, "invitation:")) {
			t.Errorf("resend audit = %+v", entry)
		}

		e.must(t, http.StatusNoContent, "support-bot", http.MethodDelete, "/stores/eu/invitations/"+inv.ID, "", "")
		if entry := e.lastAudit(t); entry.Action != "invitation.revoked" || entry.TargetID != inv.ID || !strings.Contains(entry.Before, "new.hire@example.com") {
			t.Errorf("revoke audit = %+v", entry)
		}
		e.must(t, http.StatusNotFound, "auditor-bot", http.MethodGet, "/stores/eu/invitations/"+inv.ID, "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodDelete, "/stores/eu/invitations/"+inv.ID, "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodPost, "/stores/eu/invitations/"+inv.ID+"/resend", "", "")
		if all := ids("/stores/eu/invitations"); len(all) != 1 || all[0] != other.ID {
			t.Errorf("after revocation: %v", all)
		}
		if _, err := e.invites.Find(t.Context(), second, "acme-portal"); !errors.Is(err, invite.ErrUnusable) {
			t.Errorf("a revoked invitation's link still works: %v", err)
		}

		e.clock.Advance(8 * 24 * time.Hour)
		if x := decodeBody[manage.Invitation](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, "/stores/eu/invitations/"+other.ID, "", "")); x.Status != manage.InvitationExpired {
			t.Errorf("status past expiry = %q", x.Status)
		}
	})
}

// Each problem of an invitation is a 422 naming its field, and nothing is
// stored or sent.
func TestInvitationsAPIValidation(t *testing.T) {
	bothInvitationsAPI(t, func(t *testing.T, e *invitationsAPI) {
		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"plain client for an organization", map[string]any{"organization_id": e.acme, "client_id": "shop", "email": "a@example.com"}, "client_id"},
			{"organizational client without one", map[string]any{"client_id": "acme-portal", "email": "a@example.com"}, "client_id"},
			{"client without a brand portal", map[string]any{"client_id": "bare", "email": "a@example.com"}, "client_id"},
			{"no client", map[string]any{"email": "a@example.com"}, "client_id"},
			{"unknown organization", map[string]any{"organization_id": "nope", "client_id": "acme-portal", "email": "a@example.com"}, "organization_id"},
			{"bad address", map[string]any{"client_id": "shop", "email": "not-an-address"}, "email"},
			{"read-only address taken", map[string]any{"client_id": "shop", "email": "taken@example.com"}, "email"},
			{"language", map[string]any{"client_id": "shop", "email": "a@example.com", "language": "sv"}, "language"},
			{"roles without organization", map[string]any{"client_id": "shop", "email": "a@example.com", "role_ids": []string{e.member}}, "role_ids"},
			{"unknown role", map[string]any{"organization_id": e.acme, "client_id": "acme-portal", "email": "a@example.com", "role_ids": []string{"nope"}}, "role_ids"},
			{"unknown group", map[string]any{"client_id": "shop", "email": "a@example.com", "group_ids": []string{"nope"}}, "group_ids"},
			{"unknown attribute", map[string]any{"client_id": "shop", "email": "a@example.com", "attributes": map[string]string{"shoe_size": "9"}}, "attributes.shoe_size"},
			{"attribute the console hides", map[string]any{"client_id": "shop", "email": "a@example.com", "attributes": map[string]string{"secret_note": "x"}}, "attributes.secret_note"},
		} {
			rec := e.must(t, http.StatusUnprocessableEntity, "support-bot", http.MethodPost, "/stores/eu/invitations", encode(t, c.body), "")
			if !strings.Contains(rec.Body.String(), `"field": "`+c.field+`"`) {
				t.Errorf("%s: %s; want a problem with field %s", c.name, rec.Body, c.field)
			}
		}
		both := e.must(t, http.StatusUnprocessableEntity, "support-bot", http.MethodPost, "/stores/eu/invitations", encode(t, map[string]any{
			"client_id": "shop", "email": "bad", "attributes": map[string]string{"secret_note": "x"}}), "")
		if !strings.Contains(both.Body.String(), `"field": "email"`) || !strings.Contains(both.Body.String(), `"field": "attributes.secret_note"`) {
			t.Errorf("every problem at once: %s", both.Body)
		}
		e.must(t, http.StatusBadRequest, "support-bot", http.MethodPost, "/stores/eu/invitations", `{"mail":"a@example.com"}`, "")
		l := decodeBody[list[manage.Invitation]](t, e.must(t, http.StatusOK, "support-bot", http.MethodGet, "/stores/eu/invitations", "", ""))
		msgs, err := e.s.ListNotifications(t.Context(), 10)
		if err != nil || len(l.Items) != 0 || len(msgs) != 0 {
			t.Errorf("refused invitations left %d invitations, %d messages (%v)", len(l.Items), len(msgs), err)
		}
	})
}

// Support may send, an auditor only read; an administrator of another
// store is refused, the administrators store has no invitations, and an
// accepted invitation cannot be resent.
func TestInvitationsAPIRefusals(t *testing.T) {
	bothInvitationsAPI(t, func(t *testing.T, e *invitationsAPI) {
		body := encode(t, map[string]any{"client_id": "shop", "email": "a@example.com"})
		e.must(t, http.StatusForbidden, "auditor-bot", http.MethodPost, "/stores/eu/invitations", body, "")
		e.must(t, http.StatusForbidden, "us-admin", http.MethodPost, "/stores/eu/invitations", body, "")
		e.must(t, http.StatusForbidden, "us-admin", http.MethodGet, "/stores/eu/invitations", "", "")
		e.must(t, http.StatusForbidden, "us-admin", http.MethodGet, "/stores/eu/invitation-clients", "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodGet, "/stores/"+storage.AdministratorsStoreID+"/invitations", "", "")
		e.must(t, http.StatusNotFound, "support-bot", http.MethodGet, "/stores/nowhere/invitations", "", "")
		e.must(t, http.StatusOK, "us-admin", http.MethodGet, "/stores/us/invitations", "", "")
		inv := e.send(t, map[string]any{"client_id": "shop", "email": "a@example.com"})
		e.must(t, http.StatusNotFound, "support-bot", http.MethodGet, "/stores/us/invitations/"+inv.ID, "", "")
		e.must(t, http.StatusForbidden, "auditor-bot", http.MethodPost, "/stores/eu/invitations/"+inv.ID+"/resend", "", "")
		e.must(t, http.StatusForbidden, "auditor-bot", http.MethodDelete, "/stores/eu/invitations/"+inv.ID, "", "")
		acct := &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "a@example.com"}
		if err := e.s.CreateAccount(t.Context(), acct); err != nil {
			t.Fatal(err)
		}
		if err := e.s.CompleteInvitation(t.Context(), inv.ID, acct.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.must(t, http.StatusConflict, "support-bot", http.MethodPost, "/stores/eu/invitations/"+inv.ID+"/resend", "", "")
		done := decodeBody[manage.Invitation](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, "/stores/eu/invitations/"+inv.ID, "", ""))
		if done.Status != manage.InvitationDone || done.AccountID != acct.ID || done.AcceptedAt == nil {
			t.Errorf("accepted invitation = %+v", done)
		}
	})
}

// The clients an invitation may name follow the organization choice.
func TestInvitationClientsAPI(t *testing.T) {
	bothInvitationsAPI(t, func(t *testing.T, e *invitationsAPI) {
		clients := func(query string) []string {
			l := decodeBody[list[manage.InvitationClient]](t, e.must(t, http.StatusOK, "auditor-bot", http.MethodGet, "/stores/eu/invitation-clients"+query, "", ""))
			var out []string
			for _, c := range l.Items {
				out = append(out, c.ApplicationName+"/"+c.ClientID)
			}
			return out
		}
		if got := clients("?organization=" + e.acme); len(got) != 1 || got[0] != "Acme Portal/acme-portal" {
			t.Errorf("with an organization: %v", got)
		}
		for _, q := range []string{"", "?organization=none"} {
			if got := clients(q); len(got) != 1 || got[0] != "Shop/shop" {
				t.Errorf("%q: %v; want the plain application's client with a portal", q, got)
			}
		}
		e.must(t, http.StatusNotFound, "auditor-bot", http.MethodGet, "/stores/eu/invitation-clients?organization=nope", "", "")
		if got := decodeBody[list[manage.InvitationClient]](t, e.must(t, http.StatusOK, "us-admin", http.MethodGet, "/stores/us/invitation-clients", "", "")); len(got.Items) != 0 {
			t.Errorf("us clients: %+v", got)
		}
	})
}
