package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestBrandPortalLogin: Foyer sends the browser to the client's brand
// portal with iss, login_hint and target_link_uri; the portal starts an
// ordinary authorization request and Foyer's page comes up pre-filled.
func TestBrandPortalLogin(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	var rp *relyingParty
	var seen url.Values
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.Query()
		http.Redirect(w, r, rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
			oauth2.SetAuthURLParam("login_hint", seen.Get("login_hint"))), http.StatusFound)
	}))
	defer portal.Close()
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		InitiateLoginURI: portal.URL + "/start", GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp = newRelyingParty(t, srv.issuer, clientID, secret, "openid")

	b := newBrowser(t, srv.Listener.Addr().String())
	initiate := srv.issuer + authz.InitiatePath + "?" + url.Values{"client_id": {clientID},
		"login_hint": {"alice@example.com"}, "target_link_uri": {portal.URL + "/orders"}}.Encode()
	toPortal := b.get(initiate).location(t)
	if !strings.HasPrefix(toPortal.String(), portal.URL+"/start?") {
		t.Fatalf("initiate sent the browser to %s", toPortal)
	}
	page := b.get(toPortal.String()) // the portal redirects back to Foyer's authorize
	if seen.Get("iss") != srv.issuer || seen.Get("target_link_uri") != portal.URL+"/orders" {
		t.Fatalf("portal received %v", seen)
	}
	if !strings.Contains(page.body, `value="alice@example.com"`) {
		t.Fatalf("Foyer's sign-in page is not pre-filled from the portal's login_hint:\n%s", page.body)
	}

	for name, q := range map[string]url.Values{
		"unknown client":   {"client_id": {"nope"}},
		"foreign target":   {"client_id": {clientID}, "target_link_uri": {"https://evil.example/"}},
		"client no portal": {"client_id": {srv.clientWithoutPortal(t)}},
	} {
		p := newBrowser(t, "").get(srv.issuer + authz.InitiatePath + "?" + q.Encode())
		if p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
			t.Errorf("%s: status %d, Location %q", name, p.status, p.resp.Header.Get("Location"))
		}
	}
}

// clientWithoutPortal registers a client without a brand portal.
func (s *testServer) clientWithoutPortal(t *testing.T) string {
	id, _ := s.client(t, authz.ClientSpec{Name: "Plain", RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
	return id
}

// TestInitiateRefusesSelfRegisteredClients: a dynamically registered
// client's initiate_login_uri is not a portal the operator vouched for.
func TestInitiateRefusesSelfRegisteredClients(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	c := &storage.Client{ID: "self-registered", ApplicationID: defaultApplicationID, Name: "Anyone",
		RedirectURIs: []string{"https://evil.example/cb"}, InitiateLoginURI: "https://evil.example/start",
		GrantTypes: []string{"authorization_code"}, RegistrationTokenHash: []byte("digest")}
	if err := srv.store.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	p := newBrowser(t, "").get(srv.issuer + authz.InitiatePath + "?client_id=self-registered&login_hint=a")
	if p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want an error page", p.status, p.resp.Header.Get("Location"))
	}
}
