package portal

import (
	"context"
	"net/http"
	"net/url"
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
	alice.client.Jar.SetCookies(base, []*http.Cookie{{Name: zoneCookie, Value: url.QueryEscape("Europe/Berlin")}})
	shows("the browser's zone", alice, berlin)
	alice.client.Jar.SetCookies(base, []*http.Cookie{{Name: zoneCookie, Value: "Nowhere%2FAtlantis"}})
	shows("an unknown zone", alice, time.UTC)

	bob := &storage.Account{StoreID: testStoreID, Status: storage.AccountEnabled, Email: "bob@example.com", EmailConfirmed: true,
		Attributes: map[string]string{"zoneinfo": "America/New_York"}}
	if err := e.store.CreateAccount(ctx, bob); err != nil {
		t.Fatal(err)
	}
	b := e.device(t, bob, firefoxLinux)
	b.client.Jar.SetCookies(base, []*http.Cookie{{Name: zoneCookie, Value: url.QueryEscape("Europe/Berlin")}})
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
