package main

import (
	"bytes"
	"context"
	"mime/multipart"
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

const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// pushAuthCodeURL pushes, as client id (HTTP Basic with secret, or just
// client_id in the body for a public client), exactly the parameters the
// relying party would have put in its authorization URL, and returns the
// short authorization URL that refers to them.
func pushAuthCodeURL(t *testing.T, srv *testServer, rp *relyingParty, state string, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	long, err := url.Parse(rp.oauth.AuthCodeURL(state, opts...))
	if err != nil {
		t.Fatal(err)
	}
	status, body := push(t, srv, long.Query(), rp.oauth.ClientID, rp.oauth.ClientSecret)
	uri, _ := body["request_uri"].(string)
	if status != http.StatusCreated || !strings.HasPrefix(uri, requestURIPrefix) || body["expires_in"] != float64(90) {
		t.Fatalf("push: %d %v, want 201 with a request_uri and expires_in 90", status, body)
	}
	return parAuthURL(srv, rp.oauth.ClientID, uri)
}

// push posts form to the PAR endpoint, authenticated with HTTP Basic when
// secret is set (a public client sends only its client_id in the form).
func push(t *testing.T, srv *testServer, form url.Values, clientID, secret string) (int, map[string]any) {
	t.Helper()
	if secret == "" {
		form.Set("client_id", clientID)
		return postForm(t, srv.issuer+authz.PARPath, form, "", "")
	}
	form.Del("client_id") // HTTP Basic names the client
	return postForm(t, srv.issuer+authz.PARPath, form, clientID, secret)
}

// parAuthURL is the authorization URL that uses a pushed request.
func parAuthURL(srv *testServer, clientID, requestURI string) string {
	return srv.issuer + authz.AuthorizePath + "?" + url.Values{"client_id": {clientID}, "request_uri": {requestURI}}.Encode()
}

// TestPushedAuthorizationRequests: a real relying party pushes its request,
// sends the browser with only client_id and request_uri, the user signs in
// (the request survives the detour), and the code exchange yields an ID
// token with the pushed nonce. The request_uri works once.
func TestPushedAuthorizationRequests(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		alice := srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email")

		var meta struct {
			Endpoint string `json:"pushed_authorization_request_endpoint"`
			Required *bool  `json:"require_pushed_authorization_requests"`
		}
		if err := rp.provider.Claims(&meta); err != nil || meta.Endpoint != srv.issuer+authz.PARPath || meta.Required == nil || *meta.Required {
			t.Fatalf("discovery: %+v (%v)", meta, err)
		}

		v := oauth2.GenerateVerifier()
		authURL := pushAuthCodeURL(t, srv, rp, "state-0001", oauth2.S256ChallengeOption(v), oidc.Nonce("nonce-0001"))
		// Parameters added in the browser do not count: only the pushed ones.
		b := newBrowser(t, srv.Listener.Addr().String())
		cb := b.signIn(authURL+"&state=tampered&redirect_uri="+url.QueryEscape("https://evil.example/cb"), "alice@example.com", alicePass)
		if !strings.HasPrefix(cb.String(), rpCallback) || cb.Query().Get("state") != "state-0001" || cb.Query().Get("code") == "" {
			t.Fatalf("callback = %s", cb)
		}
		tok, err := rp.oauth.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		id, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatalf("verify ID token: %v", err)
		}
		if id.Subject != alice.ID || id.Nonce != "nonce-0001" {
			t.Fatalf("ID token: sub %s nonce %s", id.Subject, id.Nonce)
		}

		// used once: the same request_uri again is an error page, not a code
		p := b.get(authURL)
		if p.status != http.StatusBadRequest || p.resp.Header.Get("Location") != "" {
			t.Fatalf("reused request_uri: %d, Location %q", p.status, p.resp.Header.Get("Location"))
		}
		// with the SSO session a fresh push issues a code at once
		loc := b.get(pushAuthCodeURL(t, srv, rp, "state-0002", oauth2.S256ChallengeOption(v))).location(t)
		if loc.Query().Get("code") == "" || loc.Query().Get("state") != "state-0002" {
			t.Fatalf("SSO with a pushed request: %s", loc)
		}
	})
}

// TestPushedAuthorizationFormPost: a pushed request with
// response_mode=form_post answers by form_post after sign-in.
func TestPushedAuthorizationFormPost(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
	v := oauth2.GenerateVerifier()
	authURL := pushAuthCodeURL(t, srv, rp, "state-0001", oauth2.S256ChallengeOption(v),
		oauth2.SetAuthURLParam("response_mode", "form_post"))

	b := newBrowser(t, srv.Listener.Addr().String())
	p := b.get(authURL)
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	p = b.submit(p, map[string]string{"password": alicePass})
	action, values := parseForm(t, p.body)
	if p.status != http.StatusOK || action != rpCallback || values.Get("code") == "" || values.Get("state") != "state-0001" {
		t.Fatalf("form_post after a pushed request: %d action=%q values=%v", p.status, action, values)
	}
	tok, err := rp.oauth.Exchange(context.Background(), values.Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := rp.verifier.Verify(context.Background(), tok.Extra("id_token").(string)); err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
}

// TestPushedAuthorizationRequired: a client registered with
// require_pushed_authorization_requests is refused a plain request
// (invalid_request) and served through PAR, also through the consent page
// of a third-party client.
func TestPushedAuthorizationRequired(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		clientID, secret := parRequiredClient(t, srv, authz.ClientSpec{Name: "Partner Travel",
			RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID, "email")
		b := newBrowser(t, srv.Listener.Addr().String())
		v := oauth2.GenerateVerifier()

		loc := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v))).location(t)
		if !strings.HasPrefix(loc.String(), rpCallback) || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "state-0001" {
			t.Fatalf("plain request from a PAR-only client: %s", loc)
		}

		// sign in, then the consent page (a third-party client), then the code
		p := b.get(pushAuthCodeURL(t, srv, rp, "state-0002", oauth2.S256ChallengeOption(v)))
		p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
		p = b.submit(p, map[string]string{"password": alicePass})
		p = b.submit(expectConsentPage(t, p), map[string]string{"decision": "allow"})
		code := expectCode(t, p, "state-0002")
		if _, err := rp.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(v)); err != nil {
			t.Fatalf("exchange: %v", err)
		}
	})
}

// parRequiredClient registers a client that must use PAR.
func parRequiredClient(t *testing.T, srv *testServer, spec authz.ClientSpec) (string, string) {
	t.Helper()
	id, secret := srv.client(t, spec)
	ctx := context.Background()
	c, err := srv.store.GetClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c.RequirePushedAuthorizationRequests = true
	if err := srv.store.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	return id, secret
}

// TestPushedRequestIgnoresMultipartAdditions: parameters added in a
// multipart body next to request_uri change nothing.
func TestPushedRequestIgnoresMultipartAdditions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, "openid")
	authURL, _ := url.Parse(pushAuthCodeURL(t, srv, rp, "state-0001"))

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("prompt", "none")
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, authURL.String(), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := newBrowser(t, srv.Listener.Addr().String()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	p := readPage(t, resp)
	// prompt=none from the body would have answered login_required; the
	// pushed request (no prompt) shows the sign-in page instead.
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="identifier"`) {
		t.Fatalf("got %d at %s (Location %q), want the sign-in page", p.status, p.url, p.resp.Header.Get("Location"))
	}
}
