package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// portalSignIn opens the portal in b and signs in through the login pages;
// it returns the page the portal lands on (the application launcher).
func portalSignIn(t *testing.T, srv *testServer, b *browser, identifier, password string) *page {
	t.Helper()
	p := b.get(srv.issuer + "/account")
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("opening the portal: expected the sign-in page, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	p = b.submit(p, map[string]string{"identifier": identifier})
	p = b.submit(p, map[string]string{"password": password})
	if p.status != http.StatusOK || p.url.Path != "/account/apps" {
		t.Fatalf("after sign-in: %d at %s:\n%s", p.status, p.url, p.body)
	}
	return p
}

// post sends a same-origin form post to path, as the portal's forms do.
func (b *browser) post(srv *testServer, path string, values url.Values) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.issuer+path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.issuer)
	resp, err := b.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	return readPage(b.t, resp)
}

func TestPortalSignIn(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		b := newBrowser(t, srv.Listener.Addr().String())
		p := portalSignIn(t, srv, b, "alice@example.com", alicePass)
		for _, want := range []string{"Your applications", "alice@example.com", `href="/account/profile"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("launcher lacks %q:\n%s", want, p.body)
			}
		}
	})
}

// portalUser is a signed-in portal customer for tests.
type portalUser struct {
	srv     *testServer
	b       *browser
	account *storage.Account
}

func newPortalUser(t *testing.T, srv *testServer, email string) *portalUser {
	t.Helper()
	a := srv.account(t, email, alicePass)
	b := newBrowser(t, srv.Listener.Addr().String())
	portalSignIn(t, srv, b, email, alicePass)
	return &portalUser{srv: srv, b: b, account: a}
}

func (u *portalUser) get(path string) *page { return u.b.get(u.srv.issuer + path) }

func (u *portalUser) post(path string, kv ...string) *page {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return u.b.post(u.srv, path, v)
}

// signedOut reports whether the browser's portal session is gone: the
// portal sends it to the sign-in page.
func (u *portalUser) signedOut(t *testing.T) bool {
	t.Helper()
	p := u.get("/account/security")
	return strings.Contains(p.body, `name="identifier"`)
}

func wantStatus(t *testing.T, what string, p *page, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d at %s, want %d:\n%s", what, p.status, p.url, status, p.body)
	}
}

func wantBody(t *testing.T, what string, p *page, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: page at %s lacks %q:\n%s", what, p.url, s, p.body)
		}
	}
}

func TestPortalSignOutEndsSSO(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		u := newPortalUser(t, srv, "alice@example.com")
		p := u.post("/account/logout")
		wantStatus(t, "sign out", p, http.StatusOK)
		if !u.signedOut(t) {
			t.Error("portal still signed in after signing out")
		}
		list, err := srv.store.ListSessionsByAccount(t.Context(), u.account.ID)
		if err != nil || len(list) != 0 {
			t.Errorf("SSO sessions after portal sign-out: %d, %v", len(list), err)
		}
	})
}

func TestPortalCallbackRefusesBadState(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(srv.issuer + "/account/callback?code=x&state=y")
	wantStatus(t, "callback without flow", p, http.StatusBadRequest)
}

func TestPortalRefusesCrossOriginPosts(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	u := newPortalUser(t, srv, "alice@example.com")
	for _, path := range []string{"/account/profile", "/account/delete", "/account/sessions/end-others", "/account/consents", "/account/password"} {
		req, _ := http.NewRequest(http.MethodPost, srv.issuer+path, strings.NewReader("given_name=Mallory&confirm=yes&consent=marketing&decision=in"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := u.b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	a, err := srv.store.GetAccount(t.Context(), u.account.ID)
	if err != nil || a.Attributes["given_name"] != "" {
		t.Errorf("account changed by cross-origin posts: %+v, %v", a, err)
	}
}
