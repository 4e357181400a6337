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
