package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const (
	rpCallback  = "http://127.0.0.1:9/callback"
	rpLoggedOut = "http://127.0.0.1:9/logged-out"
	alicePass   = "correct horse battery staple"
)

// relyingParty is a real OIDC client: x/oauth2 plus go-oidc.
type relyingParty struct {
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newRelyingParty(t *testing.T, issuer, clientID, secret string, scopes ...string) *relyingParty {
	t.Helper()
	provider, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	endpoint := provider.Endpoint()
	// Foyer's confidential clients authenticate with client_secret_basic.
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	return &relyingParty{
		provider: provider,
		oauth: oauth2.Config{
			ClientID: clientID, ClientSecret: secret, Endpoint: endpoint,
			RedirectURL: rpCallback, Scopes: scopes,
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: clientID}),
	}
}

func TestAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		alice := srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{
			Name: "Shop", RedirectURIs: []string{rpCallback}, PostLogoutRedirectURIs: []string{rpLoggedOut},
			GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}, FirstParty: true,
		})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess)
		b := newBrowser(t, srv.Listener.Addr().String())

		// authorize with PKCE and nonce, sign in through the pages
		verifier := oauth2.GenerateVerifier()
		authURL := rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-0001"),
			oauth2.SetAuthURLParam("login_hint", "alice@example.com"))
		first := b.get(authURL)
		if !strings.Contains(first.body, `value="alice@example.com"`) {
			t.Fatalf("login_hint did not pre-fill the identifier:\n%s", first.body)
		}
		cb := b.signIn(authURL, "alice@example.com", alicePass)
		if cb.Query().Get("state") != "state-0001" || cb.Query().Get("code") == "" || cb.Query().Get("iss") != srv.issuer {
			t.Fatalf("callback = %s, want code and state-1", cb)
		}

		// code → tokens; ID token verified with the published keys
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		idToken, err := rp.verifier.Verify(ctx, rawID)
		if err != nil {
			t.Fatalf("verify ID token: %v", err)
		}
		var claims struct {
			Nonce    string   `json:"nonce"`
			AuthTime int64    `json:"auth_time"`
			ACR      string   `json:"acr"`
			AMR      []string `json:"amr"`
			SID      string   `json:"sid"`
		}
		if err := idToken.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if idToken.Subject != alice.ID || claims.Nonce != "nonce-0001" || claims.AuthTime == 0 ||
			claims.ACR != "1" || !slices.Equal(claims.AMR, []string{"pwd"}) || claims.SID == "" {
			t.Fatalf("ID token claims: sub=%s %+v", idToken.Subject, claims)
		}
		if err := idToken.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Fatalf("at_hash: %v", err)
		}

		// UserInfo
		info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		if info.Subject != alice.ID || info.Email != "alice@example.com" || !info.EmailVerified {
			t.Fatalf("userinfo = %+v", info)
		}

		// refresh rotates; the old refresh token is then rejected and its
		// whole family revoked
		refreshed, err := rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if refreshed.RefreshToken == "" || refreshed.RefreshToken == tok.RefreshToken || refreshed.AccessToken == tok.AccessToken {
			t.Fatal("refresh did not rotate the tokens")
		}
		_, err = rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		expectOAuthError(t, err, "invalid_grant")
		_, err = rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token()
		expectOAuthError(t, err, "invalid_grant")

		// client credentials
		cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: rp.provider.Endpoint().TokenURL}
		if ccTok, err := cc.Token(ctx); err != nil || ccTok.AccessToken == "" {
			t.Fatalf("client credentials: %v", err)
		}

		// SSO: a second authorization needs no sign-in
		again := b.get(rp.oauth.AuthCodeURL("state-0002", oauth2.S256ChallengeOption(verifier)))
		if loc := again.location(t); loc.Query().Get("code") == "" {
			t.Fatalf("SSO did not issue a code: %s", loc)
		}

		// end session with id_token_hint; then prompt=none gives login_required
		endSession := srv.issuer + "/oauth2/logout?" + url.Values{
			"id_token_hint": {rawID}, "post_logout_redirect_uri": {rpLoggedOut}, "state": {"bye"},
		}.Encode()
		out := b.get(endSession).location(t)
		if out.String() != rpLoggedOut+"?state=bye" {
			t.Fatalf("logout redirect = %s", out)
		}
		none := b.get(rp.oauth.AuthCodeURL("state-0003", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "none")))
		if loc := none.location(t); loc.Query().Get("error") != "login_required" || loc.Query().Get("state") != "state-0003" ||
			loc.Query().Get("iss") != srv.issuer {
			t.Fatalf("prompt=none after logout = %s", loc)
		}
	})
}

func expectOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("expected OAuth error %s, got %v", code, err)
	}
	if re.ErrorCode != code {
		t.Fatalf("error = %s (%s), want %s", re.ErrorCode, re.ErrorDescription, code)
	}
}

// TestPromptLoginAndMaxAgeForceSignIn: with a live session, prompt=login and
// an exceeded max_age show the sign-in page again, and the new auth_time is
// later than the first.
func TestPromptLoginAndMaxAgeForceSignIn(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	b := newBrowser(t, srv.Listener.Addr().String())
	v := oauth2.GenerateVerifier()
	b.signIn(rp.oauth.AuthCodeURL("state-xyz", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)

	for _, param := range []oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("prompt", "login"),
		oauth2.SetAuthURLParam("max_age", "0"),
	} {
		p := b.get(rp.oauth.AuthCodeURL("state-xyz", oauth2.S256ChallengeOption(v), param))
		if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
			t.Fatalf("expected a fresh sign-in page, got %d %s", p.status, p.url)
		}
	}
	// max_age generous enough: no sign-in
	p := b.get(rp.oauth.AuthCodeURL("state-xyz", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("max_age", "3600")))
	if p.location(t).Query().Get("code") == "" {
		t.Fatal("max_age=3600 should reuse the session")
	}
	// prompt=login completes with a code carrying a fresh auth_time
	cb := b.signIn(rp.oauth.AuthCodeURL("state-xyz", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("prompt", "login")), "alice@example.com", alicePass)
	tok, err := rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange after prompt=login: %v", err)
	}
	id, err := rp.verifier.Verify(context.Background(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		AuthTime int64 `json:"auth_time"`
	}
	_ = id.Claims(&c)
	if time.Since(time.Unix(c.AuthTime, 0)) > time.Minute {
		t.Fatalf("auth_time %d is not fresh", c.AuthTime)
	}
}
