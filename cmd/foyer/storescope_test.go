package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// otherStoreClient makes a second identity store with an application and
// a first-party client of its own, and returns the client's relying party.
func otherStoreClient(t *testing.T, srv *testServer, firstParty bool) *relyingParty {
	t.Helper()
	ctx := context.Background()
	if err := srv.store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "partners", Name: "Partners",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil && !strings.Contains(err.Error(), "conflict") {
		t.Fatal(err)
	}
	if err := srv.store.CreateApplication(ctx, &storage.Application{ID: "partner-portal", StoreID: "partners", Name: "Partner portal"}); err != nil &&
		!strings.Contains(err.Error(), "conflict") {
		t.Fatal(err)
	}
	id, secret := srv.client(t, authz.ClientSpec{Name: "Partner portal", ApplicationID: "partner-portal",
		RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}, FirstParty: firstParty})
	return newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)
}

// TestSessionOfAnotherStoreIsNoSession: an SSO session whose account
// belongs to another identity store than the client's application is no
// session for that client: the sign-in page (of the client's store), or
// login_required for prompt=none. Checked again at resume and consent, so
// a sign-in finished in one store cannot be replayed for another.
func TestSessionOfAnotherStoreIsNoSession(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		shopID, shopSecret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code"}, FirstParty: true})
		shop := newRelyingParty(t, srv.issuer, shopID, shopSecret, oidc.ScopeOpenID)
		partner := otherStoreClient(t, srv, true)
		v := oauth2.GenerateVerifier()

		b := newBrowser(t, srv.Listener.Addr().String())
		if cb := b.signIn(shop.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass); cb.Query().Get("code") == "" {
			t.Fatalf("sign-in at the shop: %s", cb)
		}

		p := b.get(partner.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v)))
		if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
			t.Fatalf("partner client with a shop session: %d at %s, want the sign-in page:\n%s", p.status, p.url, p.body)
		}
		loc := b.get(partner.oauth.AuthCodeURL("state-0003", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("prompt", "none"))).location(t)
		if loc.Query().Get("error") != "login_required" || loc.Query().Get("code") != "" {
			t.Fatalf("prompt=none at the partner client with a shop session: %s", loc)
		}
		// The shop's own session still works for the shop.
		if loc := b.get(shop.oauth.AuthCodeURL("state-0004", oauth2.S256ChallengeOption(v))).location(t); loc.Query().Get("code") == "" {
			t.Fatalf("shop with its session: %s", loc)
		}
	})
}

// TestResumeChecksTheStore: an interaction of the partner store's client
// cannot be finished by a session of the shop's store (the password and
// passkey steps check the store; resume and consent check it again).
func TestResumeChecksTheStore(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	ctx := context.Background()
	srv.account(t, "alice@example.com", alicePass)
	shopID, shopSecret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	shop := newRelyingParty(t, srv.issuer, shopID, shopSecret, oidc.ScopeOpenID)
	for _, firstParty := range []bool{true, false} {
		partner := otherStoreClient(t, srv, firstParty)
		v := oauth2.GenerateVerifier()
		b := newBrowser(t, srv.Listener.Addr().String())
		// The partner client's sign-in page, left open ...
		p := b.get(partner.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)))
		_, form := parseForm(t, p.body)
		id := form.Get("interaction")
		// ... while the browser signs in at the shop; then the partner
		// interaction is pointed at the shop session and resumed.
		b.signIn(shop.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
		sessions, err := srv.store.ListSessionsByAccount(ctx, mustAccountID(t, srv, "alice@example.com"))
		if err != nil || len(sessions) == 0 {
			t.Fatalf("sessions: %v %v", sessions, err)
		}
		latest := slices.MaxFunc(sessions, func(a, b storage.Session) int { return a.CreatedAt.Compare(b.CreatedAt) })
		in := storedInteraction(t, srv, b, id)
		in.SessionID = latest.ID
		in.State = nil
		if err := srv.store.UpdateInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
		resume := srv.issuer + authz.ResumePath + "?" + url.Values{"interaction": {id}, "sig": {stepSig(t, srv, id, "resume")}}.Encode()
		p = b.get(resume)
		if loc, err := p.resp.Location(); err == nil {
			t.Fatalf("first party %v: resume with another store's session redirected to %s", firstParty, loc)
		}
		if p.status != http.StatusBadRequest {
			t.Fatalf("first party %v: resume: %d, want 400:\n%s", firstParty, p.status, p.body)
		}
	}
}

func mustAccountID(t *testing.T, srv *testServer, email string) string {
	t.Helper()
	a, err := srv.store.FindAccountByIdentifier(context.Background(), defaultStoreID, storage.IdentifierEmail, email)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
