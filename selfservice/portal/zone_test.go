package portal

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// TestSessionTimesInCustomerZone: the security page shows when each
// session signed in as a <time> in the page's language and the
// customer's zone: the account's zoneinfo attribute, else the zone the
// browser's script remembered (a name Go knows), else UTC, said so.
func TestSessionTimesInCustomerZone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sqltest.SQLite(t))
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	york, _ := time.LoadLocation("America/New_York")
	base, _ := url.Parse(e.issuer)
	shows := func(what string, u *user, loc *time.Location) {
		t.Helper()
		sessions, err := e.store.ListSessionsByAccount(ctx, u.account.ID)
		if err != nil || len(sessions) != 1 {
			t.Fatalf("%s: sessions %v %v", what, sessions, err)
		}
		m := themes.NewMoment("en", sessions[0].AuthTime, loc)
		wantBody(t, what, u.get("/account/security"), `<time datetime="`+attrEscaped(m.ISO)+`">signed in `+m.Text+`</time>`)
	}

	alice := e.device(t, e.account(t, "", "alice@example.com"), firefoxLinux)
	shows("no zone known", alice, time.UTC)
	alice.client.Jar.SetCookies(base, []*http.Cookie{{Name: "foyer_tz", Value: url.QueryEscape("Europe/Berlin")}})
	shows("the browser's zone", alice, berlin)
	alice.client.Jar.SetCookies(base, []*http.Cookie{{Name: "foyer_tz", Value: "Nowhere%2FAtlantis"}})
	shows("an unknown zone", alice, time.UTC)

	bob := &storage.Account{StoreID: testStoreID, Status: storage.AccountEnabled, Email: "bob@example.com", EmailConfirmed: true,
		Attributes: map[string]string{"zoneinfo": "America/New_York"}}
	if err := e.store.CreateAccount(ctx, bob); err != nil {
		t.Fatal(err)
	}
	b := e.device(t, bob, firefoxLinux)
	b.client.Jar.SetCookies(base, []*http.Cookie{{Name: "foyer_tz", Value: url.QueryEscape("Europe/Berlin")}})
	shows("the account's zoneinfo over the browser's", b, york)
}

// attrEscaped is s as html/template writes it in an attribute.
func attrEscaped(s string) string {
	out := ""
	for _, r := range s {
		if r == '+' {
			out += "&#43;"
			continue
		}
		out += string(r)
	}
	return out
}

// TestPortalTimesInCustomerZone: the other times the portal shows (a
// factor added and last used, a linked identity, a consent and its
// history) are <time>s in the page's language and the account's zone
// too, not UTC.
func TestPortalTimesInCustomerZone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sqltest.SQLite(t))
	ctx := context.Background()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	acct := &storage.Account{StoreID: testStoreID, Status: storage.AccountEnabled, Email: "carol@example.com", EmailConfirmed: true,
		Language: "de", Attributes: map[string]string{"zoneinfo": "Asia/Tokyo"}}
	if err := e.store.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	u := e.browser(t, acct, "")
	u.signIn()
	shows := func(what, path string, at time.Time, key string) {
		t.Helper()
		m := themes.NewMoment("de", at, tokyo)
		if !strings.HasSuffix(m.Text, " JST") {
			t.Fatalf("%s: %q is not in Tokyo's zone", what, m.Text)
		}
		text := m.Text
		if key != "" {
			text = html.EscapeString(u.e.handler.render.T("de", key, m.Text))
		}
		wantBody(t, what, u.get(path), `<time datetime="`+attrEscaped(m.ISO)+`">`+text+`</time>`)
	}

	used := e.clock.Now().Add(-time.Hour)
	if err := e.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorEmail,
		Address: acct.Email, LastUsedAt: &used}); err != nil {
		t.Fatal(err)
	}
	auths, err := e.store.ListAuthenticators(ctx, acct.ID)
	if err != nil || len(auths) != 1 || auths[0].LastUsedAt == nil {
		t.Fatalf("authenticators %+v %v", auths, err)
	}
	shows("a factor added", "/account/security", auths[0].CreatedAt, "account.mfa.added")
	shows("a factor last used", "/account/security", *auths[0].LastUsedAt, "account.mfa.last_used")

	if err := e.store.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: "google", Subject: "g-carol"}); err != nil {
		t.Fatal(err)
	}
	links, err := e.store.ListExternalIdentities(ctx, acct.ID)
	if err != nil || len(links) != 1 {
		t.Fatalf("links %+v %v", links, err)
	}
	shows("a linked identity", "/account/settings", links[0].CreatedAt, "account.settings.linked_at")

	wantStatus(t, "opt in", u.post("/account/consents", "consent", "marketing", "decision", "in"), http.StatusOK)
	events, err := e.store.ListConsentEvents(ctx, acct.ID)
	if err != nil || len(events) != 1 {
		t.Fatalf("consent events %+v %v", events, err)
	}
	m := themes.NewMoment("de", events[0].CreatedAt, tokyo)
	if p := u.get("/account/privacy"); strings.Count(p.body, `<time datetime="`+attrEscaped(m.ISO)+`">`+m.Text+`</time>`) != 2 {
		t.Errorf("privacy: the consent and its history do not both show %q:\n%s", m.Text, p.body)
	}
}

// TestInvitationExpiryInBrowserZone: an organization's pending
// invitation says until when it is valid in the zone the administrator's
// browser remembered (no zoneinfo on the account) and the page's language.
func TestInvitationExpiryInBrowserZone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sqltest.SQLite(t))
	f := newOrgFixture(t, e)
	expires := e.clock.Now().Add(72 * time.Hour)
	mustDo(t, e.store.CreateInvitation(context.Background(), &storage.Invitation{StoreID: testStoreID, OrganizationID: f.acme.ID,
		ClientID: "b2b-portal", Email: "erin@example.com", Status: storage.InvitationPending, TokenHash: []byte("hash"),
		CreatedAt: e.clock.Now(), SentAt: e.clock.Now(), ExpiresAt: expires}))
	base, _ := url.Parse(e.issuer)
	f.alice.client.Jar.SetCookies(base, []*http.Cookie{{Name: "foyer_tz", Value: url.QueryEscape("America/Sao_Paulo")}})
	sao, _ := time.LoadLocation("America/Sao_Paulo")
	m := themes.NewMoment("en", expires, sao)
	wantBody(t, "invitation", f.alice.get(orgPage(f.acme)), "erin@example.com",
		`<time datetime="`+attrEscaped(m.ISO)+`">`+html.EscapeString(e.handler.render.T("en", "account.org.invitation_expires", m.Text))+`</time>`)
}
