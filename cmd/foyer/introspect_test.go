package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// introspects posts a token to the introspection endpoint as a client and
// reports whether it came back active; an inactive answer must carry
// nothing else.
func introspects(t *testing.T, srv *testServer, token, id, secret string) bool {
	t.Helper()
	status, body := postForm(t, srv.issuer+authz.IntrospectionPath, url.Values{"token": {token}}, id, secret)
	if status != http.StatusOK || (body["active"] != true && len(body) != 1) {
		t.Fatalf("introspection by %s: %d %v", id, status, body)
	}
	return body["active"] == true
}

// Only the token's own client and clients an administrator marked as
// resource servers learn about a token; a self-registered client cannot
// mark itself one; and a disabled account's tokens are inactive, as
// UserInfo already treats them.
func TestIntrospectionLimitedToOwnerAndResourceServers(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		alice := srv.account(t, "alice@example.com", alicePass)
		shopID, shopSecret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
		otherID, otherSecret := srv.client(t, authz.ClientSpec{Name: "Other", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "client_credentials"}})
		apiID, apiSecret := srv.client(t, authz.ClientSpec{Name: "API", GrantTypes: []string{"client_credentials"}, ResourceServer: true})
		reg := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, srv.initialToken(t, 1, time.Hour), map[string]any{
			"client_name": "Self", "grant_types": []string{"client_credentials"}, "resource_server": true})
		if reg.status != http.StatusCreated {
			t.Fatalf("registration: %d %v", reg.status, reg.body)
		}
		rp := newRelyingParty(t, srv.issuer, shopID, shopSecret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
		tok := signedInTokens(t, srv, rp)

		for _, token := range []string{tok.AccessToken, tok.RefreshToken} {
			if !introspects(t, srv, token, shopID, shopSecret) || !introspects(t, srv, token, apiID, apiSecret) {
				t.Error("the token's own client or a resource server was refused")
			}
			if introspects(t, srv, token, otherID, otherSecret) || introspects(t, srv, token, reg.str("client_id"), reg.str("client_secret")) {
				t.Error("another client, not a resource server, introspected the token")
			}
		}
		// A client's own client-credentials token has no account behind it.
		cc := clientcredentials.Config{ClientID: otherID, ClientSecret: otherSecret, TokenURL: srv.issuer + authz.TokenPath}
		own, err := cc.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !introspects(t, srv, own.AccessToken, otherID, otherSecret) {
			t.Error("a client cannot introspect its own client-credentials token")
		}

		if err := srv.store.SetAccountStatus(context.Background(), alice.ID, storage.AccountDisabled); err != nil {
			t.Fatal(err)
		}
		if _, err := rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("UserInfo answered for a disabled account")
		}
		for _, token := range []string{tok.AccessToken, tok.RefreshToken} {
			if introspects(t, srv, token, apiID, apiSecret) || introspects(t, srv, token, shopID, shopSecret) {
				t.Error("a disabled account's token introspects as active")
			}
		}
	})
}

// TestIntrospectionRefusesTokenCredentials: fosite would take an access
// token (header, query, urlencoded or multipart body) as the caller's
// credential and ignore HTTP Basic, whose client id is then nobody's
// proof. Any such request is invalid_client, so a client cannot name
// itself the token's owner (or a resource server) with a wrong secret and
// its own access token.
func TestIntrospectionRefusesTokenCredentials(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	shopID, shopSecret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
	otherID, otherSecret := srv.client(t, authz.ClientSpec{Name: "Other", GrantTypes: []string{"client_credentials"}})
	tok := signedInTokens(t, srv, newRelyingParty(t, srv.issuer, shopID, shopSecret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess))
	cc := clientcredentials.Config{ClientID: otherID, ClientSecret: otherSecret, TokenURL: srv.issuer + authz.TokenPath}
	own, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body, contentType := multipartBody(t, map[string]string{"token": tok.RefreshToken, "access_token": own.AccessToken})
	req, _ := http.NewRequest(http.MethodPost, srv.issuer+authz.IntrospectionPath, body)
	req.Header.Set("Content-Type", contentType)
	req.SetBasicAuth(url.QueryEscape(shopID), "not-the-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&got)
	_ = resp.Body.Close()
	// A multipart body is no form RFC 7662 allows: refused before anyone
	// is authenticated (httpin.StrictForm), so the token in it opens nothing.
	if resp.StatusCode != http.StatusBadRequest || got["error"] != "invalid_request" {
		t.Fatalf("Basic with the owner's id, a wrong secret and an access token in a multipart body: %d %v", resp.StatusCode, got)
	}
	// The owner with its real credentials still sees its token.
	if !introspects(t, srv, tok.RefreshToken, shopID, shopSecret) {
		t.Fatal("the owner no longer sees its own refresh token")
	}
}

// TestIntrospectionStaysInItsIdentityStore: a resource server learns about
// the tokens of clients whose application is in its own identity store
// only (another application of the same store included); a token of
// another store's client answers {"active": false}, as an unknown token
// does, so an administrator of one store cannot read another's tokens
// through a resource server of its own. Each token's own client still
// sees it.
func TestIntrospectionStaysInItsIdentityStore(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		if err := srv.store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "partners", Name: "Partners",
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		for _, app := range []storage.Application{
			{ID: "partner-api", StoreID: "partners", Name: "Partner API"},
			{ID: "reports", StoreID: "default", Name: "Reports"}, // the default store's, another application
		} {
			if err := srv.store.CreateApplication(ctx, &app); err != nil {
				t.Fatal(err)
			}
		}
		shopID, shopSecret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
		apiID, apiSecret := srv.client(t, authz.ClientSpec{Name: "API", GrantTypes: []string{"client_credentials"}, ResourceServer: true})
		reportsID, reportsSecret := srv.client(t, authz.ClientSpec{Name: "Reports API", ApplicationID: "reports",
			GrantTypes: []string{"client_credentials"}, ResourceServer: true})
		partnerRSID, partnerRSSecret := srv.client(t, authz.ClientSpec{Name: "Partner API", ApplicationID: "partner-api",
			GrantTypes: []string{"client_credentials"}, ResourceServer: true})
		partnerID, partnerSecret := srv.client(t, authz.ClientSpec{Name: "Partner job", ApplicationID: "partner-api",
			GrantTypes: []string{"client_credentials"}})

		tok := signedInTokens(t, srv, newRelyingParty(t, srv.issuer, shopID, shopSecret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess))
		for _, token := range []string{tok.AccessToken, tok.RefreshToken} {
			if !introspects(t, srv, token, shopID, shopSecret) || !introspects(t, srv, token, apiID, apiSecret) ||
				!introspects(t, srv, token, reportsID, reportsSecret) {
				t.Error("the token's own client or a resource server of its store was refused")
			}
			if introspects(t, srv, token, partnerRSID, partnerRSSecret) {
				t.Error("a resource server of another identity store introspected a default-store token")
			}
		}

		cc := clientcredentials.Config{ClientID: partnerID, ClientSecret: partnerSecret, TokenURL: srv.issuer + authz.TokenPath}
		job, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !introspects(t, srv, job.AccessToken, partnerID, partnerSecret) || !introspects(t, srv, job.AccessToken, partnerRSID, partnerRSSecret) {
			t.Error("the partner token's own client or the partners' resource server was refused")
		}
		if introspects(t, srv, job.AccessToken, apiID, apiSecret) || introspects(t, srv, job.AccessToken, reportsID, reportsSecret) {
			t.Error("a default-store resource server introspected a partners token")
		}
	})
}
