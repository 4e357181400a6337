package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/authz/backchannel"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// TestBackchannelLogout: a relying party that registered a
// backchannel_logout_uri is sent a signed logout token naming the session
// and the account when the user logs out at Foyer, even after its tokens
// are gone.
func TestBackchannelLogout(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		received := make(chan string, 4)
		bc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("logout_token") == "" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			received <- r.PostForm.Get("logout_token")
			w.WriteHeader(http.StatusOK)
		}))
		t.Cleanup(bc.Close)

		srv := startServer(t, newStore(t))
		ctx := context.Background()
		alice := srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{
			Name: "Shop", RedirectURIs: []string{rpCallback}, PostLogoutRedirectURIs: []string{rpLoggedOut},
			GrantTypes: []string{"authorization_code"}, FirstParty: true,
			BackchannelLogoutURI: bc.URL + "/backchannel", BackchannelLogoutSessionRequired: true,
		})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
		var meta struct {
			Supported        bool `json:"backchannel_logout_supported"`
			SessionSupported bool `json:"backchannel_logout_session_supported"`
		}
		if err := rp.provider.Claims(&meta); err != nil || !meta.Supported || !meta.SessionSupported {
			t.Fatalf("discovery: %+v, %v; want back-channel logout with sessions advertised", meta, err)
		}
		b := newBrowser(t, srv.Listener.Addr().String())

		verifier := oauth2.GenerateVerifier()
		cb := b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier)), "alice@example.com", alicePass)
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		idToken, err := rp.verifier.Verify(ctx, rawID)
		if err != nil {
			t.Fatalf("verify ID token: %v", err)
		}
		var idClaims struct {
			SID string `json:"sid"`
		}
		if err := idToken.Claims(&idClaims); err != nil || idClaims.SID == "" {
			t.Fatalf("ID token sid: %q, %v", idClaims.SID, err)
		}

		// Without offline_access the client holds only short-lived tokens;
		// once the cleanup has dropped them it must still hear of the logout.
		if _, err := srv.store.DeleteExpiredTokens(ctx, time.Now().Add(24*time.Hour), 1000); err != nil {
			t.Fatal(err)
		}

		endSession := srv.issuer + "/oauth2/logout?" + url.Values{
			"id_token_hint": {rawID}, "post_logout_redirect_uri": {rpLoggedOut},
		}.Encode()
		if out := b.get(endSession).location(t); out.String() != rpLoggedOut {
			t.Fatalf("logout redirect = %s", out)
		}

		var raw string
		select {
		case raw = <-received:
		case <-time.After(10 * time.Second):
			t.Fatal("no logout token reached the relying party")
		}
		checkLogoutToken(t, rp, raw, alice.ID, idClaims.SID)
	})
}

// checkLogoutToken validates a logout token as OIDC Back-Channel Logout
// 1.0 section 2.6 asks a relying party to.
func checkLogoutToken(t *testing.T, rp *relyingParty, raw, sub, sid string) {
	t.Helper()
	jws, err := jose.ParseSigned(raw)
	if err != nil || len(jws.Signatures) != 1 {
		t.Fatalf("parse logout token: %v", err)
	}
	if typ := jws.Signatures[0].Header.ExtraHeaders["typ"]; typ != backchannel.TokenType {
		t.Errorf("typ = %v, want %s", typ, backchannel.TokenType)
	}
	// The same keys and checks as an ID token: issuer, audience, expiry.
	token, err := rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify logout token: %v", err)
	}
	var claims struct {
		SID    string                    `json:"sid"`
		Nonce  *string                   `json:"nonce"`
		JTI    string                    `json:"jti"`
		Events map[string]map[string]any `json:"events"`
	}
	if err := token.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims.Events[backchannel.EventURI]; !ok || claims.Nonce != nil || claims.JTI == "" {
		t.Errorf("logout token claims %+v: want the back-channel event, a jti and no nonce", claims)
	}
	if token.Subject != sub || claims.SID != sid {
		t.Errorf("logout token sub %q sid %q; want the account %q and the ID token's sid %q", token.Subject, claims.SID, sub, sid)
	}
}

func TestCLIBackchannelLogoutFlags(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Shop", "--redirect-uri", "https://shop.example/cb",
		"--backchannel-logout-uri", "https://shop.example/backchannel", "--backchannel-logout-session-required", "--json")
	if code != 0 {
		t.Fatalf("client create: exit %d: %s", code, errOut)
	}
	var created map[string]string
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(t.Context(), c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, err := store.GetClient(t.Context(), created["client_id"])
	if err != nil || got.BackchannelLogoutURI != "https://shop.example/backchannel" || !got.BackchannelLogoutSessionRequired {
		t.Fatalf("stored client = %+v, %v", got, err)
	}

	code, _, errOut = c.run("client", "create", "--name", "x", "--redirect-uri", "https://shop.example/cb",
		"--backchannel-logout-uri", "http://shop.example/backchannel")
	if code != 2 || !strings.Contains(errOut, "backchannel_logout_uri") {
		t.Fatalf("plain-http backchannel URI: exit %d, %q; want exit 2 naming backchannel_logout_uri", code, errOut)
	}
}
