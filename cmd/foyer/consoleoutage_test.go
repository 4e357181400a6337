package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// TestConsoleDuringOutage: an administrator signed in to the console
// through the real sign-in, with PostgreSQL cut, gets the themed 503 page
// with Retry-After on the console's pages and forms, sign-out included —
// never a 500, a redirect to sign in or a cleared cookie — and, once the
// database is back, the same sign-in opens the console and posts its
// forms again.
func TestConsoleDuringOutage(t *testing.T) {
	t.Parallel()
	srv, proxy := startBehindPGProxy(t)
	b := consoleSignIn(t, srv, "ops@example.com")
	dash := b.get(srv.issuer + manage.ConsoleBasePath)
	if dash.status != http.StatusOK || dash.url.Path != manage.ConsoleBasePath {
		t.Fatalf("console before the outage: %d at %s", dash.status, dash.url)
	}
	token := formTokenOf(t, dash.body)
	groups := manage.ConsoleBasePath + "/stores/" + defaultStoreID + "/groups"

	proxy.cut()
	noRedirect := &http.Client{Jar: b.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{manage.ConsoleBasePath, manage.ConsoleBasePath + "/applications", manage.ConsoleBasePath + "/audit", groups} {
		req, _ := http.NewRequest(http.MethodGet, srv.issuer+path, nil)
		expectConsole503(t, noRedirect, "GET "+path, req)
	}
	expectConsole503(t, noRedirect, "POST "+groups, consoleForm(srv, groups, url.Values{"form_token": {token}, "name": {"during"}}))
	// Signing out cannot end a session it cannot read: 503, cookies kept.
	logout := manage.ConsoleBasePath + "/logout"
	expectConsole503(t, noRedirect, "POST "+logout, consoleForm(srv, logout, url.Values{"form_token": {token}}))

	proxy.restore()
	// The pool finds its connections dead and dials again; a request that
	// met a dead one may fail, the next ones not (bounded, no sleeping).
	var p *page
	for range 5 {
		if p = b.get(srv.issuer + manage.ConsoleBasePath); p.status == http.StatusOK {
			break
		}
	}
	if p.status != http.StatusOK || p.url.Path != manage.ConsoleBasePath {
		t.Fatalf("console after the outage: %d at %s", p.status, p.url)
	}
	resp, err := noRedirect.Do(consoleForm(srv, groups, url.Values{"form_token": {token}, "name": {"after"}}))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "notice=created") {
		t.Fatalf("creating a group after the outage: %d Location %q", resp.StatusCode, loc)
	}
	if !strings.Contains(srv.logs.String(), "console: storage failure: answered 503") {
		t.Error("the 503s were not logged")
	}
}

// consoleSignIn makes email an owner in the administrators store and signs
// a browser in to the console through the authorization endpoint and the
// console's callback (the console's MFA turned off: its sign-in with MFA
// is the browser tests' to show).
func consoleSignIn(t *testing.T, srv *testServer, email string) *browser {
	t.Helper()
	ctx := context.Background()
	a, err := createAccount(ctx, srv.store, accountSpec{StoreID: storage.AdministratorsStoreID, Email: email, Password: alicePass, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.store.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator,
		PrincipalID: a.ID, Role: storage.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	if err := srv.store.SetMFAPolicy(ctx, manage.ConsoleApplicationID, storage.DefaultMFAPolicy()); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(srv.issuer + manage.ConsoleBasePath)
	if !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("opening the console: expected the sign-in page, got %d at %s:\n%s", p.status, p.url, p.body)
	}
	p = b.submit(p, map[string]string{"identifier": email})
	p = b.submit(p, map[string]string{"password": alicePass})
	if p.status != http.StatusOK || p.url.Path != manage.ConsoleBasePath {
		t.Fatalf("after the console sign-in: %d at %s:\n%s", p.status, p.url, p.body)
	}
	return b
}

var formTokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// formTokenOf is the console form token a page's forms post.
func formTokenOf(t *testing.T, body string) string {
	t.Helper()
	m := formTokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token in the page:\n%s", body)
	}
	return m[1]
}

// consoleForm is a same-origin form post to a console path.
func consoleForm(srv *testServer, path string, v url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, srv.issuer+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.issuer)
	return req
}

// expectConsole503 checks that req is answered with the themed 503 page
// and Retry-After, and that the answer leaves the console's cookie alone.
func expectConsole503(t *testing.T, c *http.Client, what string, req *http.Request) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	p := readPage(t, resp)
	if p.status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(p.body, "temporarily unavailable") {
		t.Errorf("%s during the outage: %d Retry-After=%q Location=%q\n%.400s; want the 503 page with Retry-After",
			what, p.status, resp.Header.Get("Retry-After"), resp.Header.Get("Location"), p.body)
	}
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "foyer_admin") || strings.Contains(c.Name, "foyer_session") {
			t.Errorf("%s during the outage sets cookie %s=%q (MaxAge %d)", what, c.Name, c.Value, c.MaxAge)
		}
	}
}
