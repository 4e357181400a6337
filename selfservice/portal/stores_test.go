package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// Per-store portals: the harness's default store is testStoreID with the
// client testPortalClient; a second store "second" has its own portal
// client "portal-second" in its own application, as cmd/foyer provisions.
const secondStore = "second"

func storeClient(storeID string) string {
	if storeID == storage.AdministratorsStoreID {
		return ""
	}
	return testPortalClient + "-" + storeID
}

// bothStores runs f over SQLite and PostgreSQL with a portal that knows
// per-store clients and a second store that has one.
func bothStores(t *testing.T, f func(t *testing.T, e *testEnv)) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newEnvWith(t, newStore(t), func(c *Config) { c.StoreClient = storeClient })
		ctx := context.Background()
		for _, is := range []string{secondStore, storage.AdministratorsStoreID} {
			if err := e.store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: is, Name: is,
				IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.store.CreateApplication(ctx, &storage.Application{ID: "account-second", StoreID: secondStore, Name: "Second portal"}); err != nil {
			t.Fatal(err)
		}
		e.appClient(t, "account-second", storeClient(secondStore), "Account portal", "")
		f(t, e)
	})
}

// authorizeClient is the client_id a page at authz's stand-in was asked
// for, and the flow cookie's client.
func (u *user) authorizeClient(p *page) (asked, flow string) {
	u.t.Helper()
	if !p.toSignIn() {
		u.t.Fatalf("not sent to sign in: %s\n%s", p.url, p.body)
	}
	base, _ := url.Parse(u.e.issuer)
	for _, c := range u.client.Jar.Cookies(base) {
		if c.Name == u.e.handler.cookies().Name(flowCookie) {
			var st flowState
			if err := u.e.handler.flowCodec().Decode(flowCookie, c.Value, &st); err != nil {
				u.t.Fatal(err)
			}
			flow = st.Client
		}
	}
	return p.url.Query().Get("client_id"), flow
}

func TestStorePortalSignIn(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, e *testEnv) {
		anon := e.browser(t, nil, "")
		// ?store= picks that store's client, through the launcher's
		// redirect and the sign-in, and the flow remembers it.
		p := anon.get("/account?store=" + secondStore)
		if asked, flow := anon.authorizeClient(p); asked != "portal-second" || flow != "portal-second" {
			t.Errorf("?store=second: authorize as %q, flow %q; want portal-second", asked, flow)
		}
		// Without it: the default store's client, as before.
		p = e.browser(t, nil, "").get("/account")
		if asked := p.url.Query().Get("client_id"); asked != testPortalClient {
			t.Errorf("/account: authorize as %q, want %q", asked, testPortalClient)
		}
		p = e.browser(t, nil, "").get("/account?store=" + testStoreID)
		if asked := p.url.Query().Get("client_id"); asked != testPortalClient {
			t.Errorf("?store=default store: authorize as %q, want %q", asked, testPortalClient)
		}
	})
}

func TestStorePortalUnknownStore(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		// A store whose would-be portal client belongs to another store's
		// application is no portal either.
		if err := e.store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "third", Name: "Third",
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		e.client(t, storeClient("third"), "Impostor") // in the default store's application
		for _, store := range []string{"nope", storage.AdministratorsStoreID, "third", "ghost"} {
			for _, path := range []string{"/account?store=", "/account/login?store=", "/account/apps?store="} {
				p := e.browser(t, nil, "").get(path + url.QueryEscape(store))
				wantStatus(t, path+store, p, http.StatusNotFound)
				if p.toSignIn() {
					t.Errorf("%s%s went to sign in", path, store)
				}
			}
		}
	})
}

func TestStorePortalSignedInElsewhere(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, e *testEnv) {
		// A customer of the second store, signed in: their own pages,
		// with their store's portal application standing in.
		second := e.browser(t, e.account(t, secondStore, "sam@example.com"), "")
		second.signIn()
		p := second.get("/account/profile")
		wantStatus(t, "second store's profile", p, http.StatusOK)
		wantBody(t, "second store's profile", p, "sam@example.com", "Second portal")
		// A fresh sign-in ("Sign in again") stays in their store.
		p = second.get("/account/login?fresh=1")
		if asked, flow := second.authorizeClient(p); asked != "portal-second" || flow != "portal-second" {
			t.Errorf("fresh sign-in: authorize as %q, flow %q; want portal-second", asked, flow)
		}
		// A customer of the default store asking for the second store's
		// portal is sent to sign in there, not shown their own pages.
		first := e.signedIn(t, "fay@example.com")
		p = first.get("/account/apps?store=" + secondStore)
		if asked, _ := first.authorizeClient(p); asked != "portal-second" {
			t.Errorf("default customer at ?store=second: authorize as %q", asked)
		}
		p = first.get("/account/apps?store=" + testStoreID)
		wantStatus(t, "own store named", p, http.StatusOK)
	})
}

func TestStorePortalLinks(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		if err := e.store.CreateApplication(ctx, &storage.Application{ID: "shop", StoreID: secondStore, Name: "Shop"}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SetApplicationSlug(ctx, "shop", "shop"); err != nil {
			t.Fatal(err)
		}
		// The friendly URL of an application of the second store signs in
		// through that store's portal.
		anon := e.browser(t, nil, "")
		if asked, _ := anon.authorizeClient(anon.get("/a/shop")); asked != "portal-second" {
			t.Errorf("/a/shop: authorize as %q, want portal-second", asked)
		}
		// Signing out of the second store's portal links back to it.
		second := e.browser(t, e.account(t, secondStore, "sue@example.com"), "")
		second.signIn()
		p := second.post(BasePath + "/logout")
		wantStatus(t, "sign out", p, http.StatusOK)
		wantBody(t, "sign out", p, `href="/account?store=second"`)
		// A failed sign-in names no store it was not given.
		p = e.browser(t, nil, "").get(CallbackPath + "?state=x&code=y")
		wantBody(t, "failed sign-in", p, `href="/account"`)
	})
}

// The launcher of each store's customer lists that store's applications
// only.
func TestStorePortalLauncherPerStore(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		launchApp(t, e, "shop", "Default Shop", "https://shop.example/login", storage.PortalSettings{LauncherEnabled: true})
		if err := e.store.CreateApplication(ctx, &storage.Application{ID: "bazaar", StoreID: secondStore, Name: "Second Bazaar"}); err != nil {
			t.Fatal(err)
		}
		e.appClient(t, "bazaar", "bazaar-client", "Second Bazaar", "https://bazaar.example/login")
		if err := e.store.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: "bazaar", LauncherEnabled: true}); err != nil {
			t.Fatal(err)
		}
		second := e.browser(t, e.account(t, secondStore, "sal@example.com"), "")
		second.signIn()
		p := second.get("/account/apps")
		wantStatus(t, "second store's launcher", p, http.StatusOK)
		wantBody(t, "second store's launcher", p, ">Second Bazaar</a>")
		if strings.Contains(p.body, "Default Shop") {
			t.Errorf("the second store's launcher shows the default store's application:\n%s", p.body)
		}
		p = e.signedIn(t, "dan@example.com").get("/account/apps")
		wantBody(t, "default launcher", p, ">Default Shop</a>")
		if strings.Contains(p.body, "Second Bazaar") {
			t.Errorf("the default store's launcher shows the second store's application:\n%s", p.body)
		}
	})
}

// TestStorePortalOwnPolicies: the security page of an account of another
// store follows that store's portal application (its passwordless mode,
// its password policy), not the default store's.
func TestStorePortalOwnPolicies(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		u := e.browser(t, e.account(t, secondStore, "bob@example.com"), "")
		u.signIn()
		if err := e.store.SetMFAPolicy(ctx, "account-second", storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true}); err != nil {
			t.Fatal(err)
		}
		if sec := u.get("/account/security"); strings.Contains(sec.body, `name="current_password"`) {
			t.Error("the second store's portal is passwordless, yet the password form is offered")
		}
		p := u.post("/account/password", "current_password", testPassword, "new_password", "amber-harbour-lantern-42", "new_password_confirm", "amber-harbour-lantern-42")
		wantStatus(t, "password post in the second store's passwordless portal", p, http.StatusNotFound)
	})
}
