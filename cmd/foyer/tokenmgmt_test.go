package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// postForm posts a form to Foyer, with HTTP Basic credentials when id is set.
func postForm(t *testing.T, u string, form url.Values, id, secret string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// signedInTokens signs alice in with the client and returns her tokens.
func signedInTokens(t *testing.T, srv *testServer, rp *relyingParty) *oauth2.Token {
	t.Helper()
	v := oauth2.GenerateVerifier()
	cb := newBrowser(t, srv.Listener.Addr().String()).signIn(
		rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		spec := authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true}
		clientID, secret := srv.client(t, spec)
		otherID, otherSecret := srv.client(t, spec)
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
		revoke := srv.issuer + authz.RevocationPath

		// unknown tokens: 200, as RFC 7009 section 2.2 requires
		if status, _ := postForm(t, revoke, url.Values{"token": {"no-such-token"}}, clientID, secret); status != http.StatusOK {
			t.Fatalf("revoking an unknown token: %d", status)
		}
		// wrong credentials: 401 invalid_client
		if status, body := postForm(t, revoke, url.Values{"token": {"x"}}, clientID, "wrong"); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Fatalf("bad client credentials: %d %v", status, body)
		}

		// another client cannot revoke alice's tokens for this client
		tok := signedInTokens(t, srv, rp)
		if status, body := postForm(t, revoke, url.Values{"token": {tok.RefreshToken}}, otherID, otherSecret); status != http.StatusBadRequest || body["error"] != "unauthorized_client" {
			t.Fatalf("another client revoking the token: %d %v, want 400 unauthorized_client", status, body)
		}
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("token stopped working after another client's revocation attempt: %v", err)
		}

		// revoking the refresh token ends the grant: refresh and access token
		if status, _ := postForm(t, revoke, url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, clientID, secret); status != http.StatusOK {
			t.Fatalf("revoke refresh token: %d", status)
		}
		_, err := rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		expectOAuthError(t, err, "invalid_grant")
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("access token still works after its refresh token was revoked")
		}

		// revoking the access token (no hint)
		tok = signedInTokens(t, srv, rp)
		if status, _ := postForm(t, revoke, url.Values{"token": {tok.AccessToken}}, clientID, secret); status != http.StatusOK {
			t.Fatalf("revoke access token: %d", status)
		}
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("revoked access token still works")
		}
	})
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	alice := srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
	apiID, apiSecret := srv.client(t, authz.ClientSpec{Name: "Orders API", GrantTypes: []string{"client_credentials"}, ResourceServer: true})
	publicID, _ := srv.client(t, authz.ClientSpec{Name: "SPA", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, Public: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess)
	tok := signedInTokens(t, srv, rp)
	introspect := srv.issuer + authz.IntrospectionPath

	status, body := postForm(t, introspect, url.Values{"token": {tok.AccessToken}}, apiID, apiSecret)
	if status != http.StatusOK || body["active"] != true || body["sub"] != alice.ID || body["client_id"] != clientID ||
		body["token_type"] != "Bearer" || body["iss"] != srv.issuer || body["username"] != nil ||
		!strings.Contains(body["scope"].(string), "email") || body["exp"] == nil {
		t.Fatalf("introspecting an access token: %d %v", status, body)
	}
	accessExp := body["exp"].(float64)
	status, body = postForm(t, introspect, url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, apiID, apiSecret)
	if status != http.StatusOK || body["active"] != true || body["token_type"] != "refresh_token" || body["exp"].(float64) <= accessExp {
		t.Fatalf("introspecting a refresh token: %d %v", status, body)
	}
	status, body = postForm(t, introspect, url.Values{"token": {"garbage"}}, apiID, apiSecret)
	if status != http.StatusOK || body["active"] != false || len(body) != 1 {
		t.Fatalf("introspecting garbage: %d %v (an inactive answer carries nothing else)", status, body)
	}

	// callers must authenticate as confidential clients, with Basic
	for name, call := range map[string]func() int{
		"no credentials": func() int { s, _ := postForm(t, introspect, url.Values{"token": {tok.AccessToken}}, "", ""); return s },
		"wrong secret": func() int {
			s, _ := postForm(t, introspect, url.Values{"token": {tok.AccessToken}}, apiID, "nope")
			return s
		},
		"public client": func() int {
			s, _ := postForm(t, introspect, url.Values{"token": {tok.AccessToken}}, publicID, "")
			return s
		},
		"bearer access token": func() int { return introspectWithBearer(t, introspect, tok.AccessToken, tok.AccessToken+"x") },
		"access_token parameter": func() int {
			s, _ := postForm(t, introspect+"?access_token="+url.QueryEscape(tok.AccessToken), url.Values{"token": {tok.RefreshToken}}, "", "")
			return s
		},
		"access_token in the body": func() int {
			s, _ := postForm(t, introspect, url.Values{"token": {tok.RefreshToken}, "access_token": {tok.AccessToken}}, "", "")
			return s
		},
	} {
		if got := call(); got != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, got)
		}
	}

	// a revoked token introspects as inactive
	postForm(t, srv.issuer+authz.RevocationPath, url.Values{"token": {tok.RefreshToken}}, clientID, secret)
	if _, body := postForm(t, introspect, url.Values{"token": {tok.AccessToken}}, apiID, apiSecret); body["active"] != false {
		t.Fatalf("revoked token introspects as %v", body)
	}
}

func introspectWithBearer(t *testing.T, u, bearer, token string) int {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
