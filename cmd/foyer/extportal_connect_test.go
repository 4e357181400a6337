package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"foyer/authz"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestExtPortalConnect links an identity of a real upstream, a second
// Foyer, from the account portal: the settings page offers "Connect", the
// post sends the browser to the upstream's authorization endpoint (found
// by discovery, the client secret opened with the server's sealer), the
// upstream signs its customer in and sends the browser back to the
// callback every provider registers, with a state whose digest the
// portal stored. The callback (selfservice's) then links the identity;
// while this server has no such route the test ends there.
func TestExtPortalConnect(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		ctx := t.Context()
		up := startServer(t, newStore(t))
		srv := startServer(t, newStore(t))
		const providerID = "upstream-foyer"
		callback := srv.issuer + "/login/external/" + providerID + "/callback"
		clientID, secret := up.client(t, authz.ClientSpec{Name: "Main Foyer", RedirectURIs: []string{callback},
			GrantTypes: []string{"authorization_code"}, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}, FirstParty: true})
		up.account(t, "alice.up@example.com", alicePass)
		sealer, err := newUpstreamSealer([]byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := sealer.SealUpstreamSecret(providerID, upstream.FieldClientSecret, []byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.store.CreateUpstreamProvider(ctx, &storage.UpstreamProvider{ID: providerID, StoreID: defaultStoreID,
			Name: "Upstream Foyer", Kind: storage.UpstreamOIDC, Issuer: up.issuer, ClientID: clientID, ClientSecretSealed: sealed,
			Scopes: []string{oidc.ScopeOpenID, "email"}, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		alice := newPortalUser(t, srv, "alice@example.com")

		wantBody(t, "settings", alice.get("/account/settings"), ">Connect Upstream Foyer<", `value="`+providerID+`"`)
		p := alice.post("/account/settings/connect", "provider", providerID)
		auth := p.location(t)
		if auth.Host != up.Listener.Addr().String() || auth.Query().Get("redirect_uri") != callback ||
			auth.Query().Get("client_id") != clientID || auth.Query().Get("login_hint") != "alice@example.com" {
			t.Fatalf("connect went to %s", auth)
		}
		back := newBrowser(t, up.Listener.Addr().String()).signIn(auth.String(), "alice.up@example.com", alicePass)
		if back.Scheme+"://"+back.Host+back.Path != callback || back.Query().Get("code") == "" {
			t.Fatalf("the upstream sent the browser to %s", back)
		}
		if back.Query().Get("state") != auth.Query().Get("state") {
			t.Fatalf("state changed on the way: %s", back)
		}
		p = alice.b.get(back.String())
		wantStatus(t, "back from the upstream", p, http.StatusOK)
		if p.url.Path != "/account/settings" || p.url.Query().Get("external") != "linked" {
			t.Fatalf("after the callback: %s", p.url)
		}
		wantBody(t, "linked", p, "The account is linked", ">Unlink Upstream Foyer<", "alice.up@example.com")
		if xs, err := srv.store.ListExternalIdentities(ctx, alice.account.ID); err != nil || len(xs) != 1 ||
			xs[0].Provider != providerID || xs[0].Email != "alice.up@example.com" {
			t.Errorf("identities %+v, %v", xs, err)
		}
		events, err := srv.store.ListEvents(ctx, alice.account.ID, 20)
		if err != nil || !strings.Contains(eventKinds(events), "external.linked") {
			t.Errorf("events %v, %v", eventKinds(events), err)
		}
	})
}

func eventKinds(events []storage.Event) string {
	kinds := make([]string, 0, len(events))
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	return strings.Join(kinds, " ")
}
