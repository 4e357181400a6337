package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// initialToken stores an initial access token the way
// "foyer client token create" does and returns it.
func (s *testServer) initialToken(t *testing.T, uses int, ttl time.Duration) string {
	t.Helper()
	token := rand.Text()
	digest := sha256.Sum256([]byte(token))
	err := s.store.CreateInitialAccessToken(context.Background(), &storage.InitialAccessToken{
		TokenHash: digest[:], RemainingUses: uses, ExpiresAt: time.Now().Add(ttl)})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// regResponse is an answer of the registration or configuration endpoint.
type regResponse struct {
	status int
	header http.Header
	body   map[string]any
}

// call sends a registration request: body (JSON-encoded unless a string)
// with the bearer token when not empty.
func call(t *testing.T, method, u, token string, body any) regResponse {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, u, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := regResponse{status: resp.StatusCode, header: resp.Header}
	_ = json.NewDecoder(resp.Body).Decode(&out.body)
	return out
}

func (r regResponse) str(key string) string { s, _ := r.body[key].(string); return s }

// expect401 checks RFC 6750's answer to a missing or bad bearer token.
func expect401(t *testing.T, what string, r regResponse) {
	t.Helper()
	if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer error="invalid_token"`) {
		t.Errorf("%s: got %d (WWW-Authenticate %q) %v, want 401 with a Bearer challenge", what, r.status, r.header.Get("WWW-Authenticate"), r.body)
	}
}

// TestDynamicRegistration: a client registered under RFC 7591 signs alice
// in (through the consent page: it is third-party), and manages its
// registration under RFC 7592.
func TestDynamicRegistration(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		srv.account(t, "alice@example.com", alicePass)
		ctx := context.Background()
		provider, err := oidc.NewProvider(ctx, srv.issuer)
		if err != nil {
			t.Fatal(err)
		}
		var disc struct {
			RegistrationEndpoint string   `json:"registration_endpoint"`
			AuthMethods          []string `json:"token_endpoint_auth_methods_supported"`
			Introspection        []string `json:"introspection_endpoint_auth_methods_supported"`
		}
		if err := provider.Claims(&disc); err != nil || disc.RegistrationEndpoint != srv.issuer+authz.RegistrationPath ||
			strings.Join(disc.AuthMethods, " ") != "client_secret_basic client_secret_post private_key_jwt none" ||
			strings.Join(disc.Introspection, " ") != "client_secret_basic" {
			t.Fatalf("discovery: %+v %v", disc, err)
		}

		reg := call(t, http.MethodPost, disc.RegistrationEndpoint, srv.initialToken(t, 1, time.Hour), map[string]any{
			"client_name": "Partner Travel", "redirect_uris": []string{rpCallback},
			"grant_types": []string{"authorization_code", "refresh_token", "client_credentials"}, "response_types": []string{"code"},
			"scope": "openid email offline_access", "contacts": []string{"ops@partner.example"},
			"client_uri": "https://partner.example", "unknown_metadata": "ignored",
		})
		id, secret, regToken := reg.str("client_id"), reg.str("client_secret"), reg.str("registration_access_token")
		if reg.status != http.StatusCreated || id == "" || secret == "" || regToken == "" || reg.body["client_secret_expires_at"] != 0.0 ||
			reg.body["client_id_issued_at"] == nil || reg.str("registration_client_uri") != disc.RegistrationEndpoint+"/"+id ||
			reg.str("token_endpoint_auth_method") != "client_secret_basic" || reg.str("scope") != "openid email offline_access" ||
			reg.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("registration: %d %v", reg.status, reg.body)
		}
		stored, err := srv.store.GetClient(ctx, id)
		if err != nil || stored.FirstParty || stored.ApplicationID != defaultApplicationID || len(stored.RegistrationTokenHash) != 32 {
			t.Fatalf("stored client: %+v %v", stored, err)
		}

		// a full relying-party flow, through the consent page
		rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, "email")
		f := &consentFixture{srv: srv, clientID: id, rp: rp, b: newBrowser(t, srv.Listener.Addr().String())}
		v := oauth2.GenerateVerifier()
		p := f.b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)))
		p = f.b.submit(p, map[string]string{"identifier": "alice@example.com"})
		p = expectConsentPage(t, f.b.submit(p, map[string]string{"password": alicePass}))
		if !strings.Contains(p.body, "Partner Travel") {
			t.Errorf("the consent page does not name the client:\n%s", p.body)
		}
		if !strings.Contains(p.body, "it has not been verified") {
			t.Errorf("the consent page does not say a self-registered client is unverified:\n%s", p.body)
		}
		code := expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0001")
		tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(v))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if _, err := rp.verifier.Verify(ctx, tok.Extra("id_token").(string)); err != nil {
			t.Fatalf("ID token: %v", err)
		}
		// registered for client_secret_basic: client_secret_post is refused
		cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: srv.issuer + authz.TokenPath, AuthStyle: oauth2.AuthStyleInParams}
		_, err = cc.Token(ctx)
		expectOAuthError(t, err, "invalid_client")

		manageRegistration(t, srv, reg.str("registration_client_uri"), id, secret, regToken)
	})
}

// manageRegistration drives RFC 7592 read, update and delete.
func manageRegistration(t *testing.T, srv *testServer, configURI, id, secret, regToken string) {
	ctx := context.Background()
	read := call(t, http.MethodGet, configURI, regToken, nil)
	if read.status != http.StatusOK || read.str("client_id") != id || read.str("client_name") != "Partner Travel" ||
		read.body["client_secret"] != nil || read.str("registration_access_token") != regToken {
		t.Fatalf("read: %d %v", read.status, read.body)
	}
	expect401(t, "read without a token", call(t, http.MethodGet, configURI, "", nil))
	expect401(t, "read with the client secret", call(t, http.MethodGet, configURI, secret, nil))
	cliID, _ := srv.client(t, authz.ClientSpec{Name: "CLI", RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
	expect401(t, "read a client registered by an admin", call(t, http.MethodGet, srv.issuer+authz.RegistrationPath+"/"+cliID, regToken, nil))
	expect401(t, "read an unknown client", call(t, http.MethodGet, srv.issuer+authz.RegistrationPath+"/nope", regToken, nil))

	update := map[string]any{"client_id": id, "client_name": "Partner Travel 2",
		"redirect_uris": []string{rpCallback, "https://partner.example/cb"}, "grant_types": []string{"authorization_code", "client_credentials"}}
	expect401(t, "update with a wrong token", call(t, http.MethodPut, configURI, regToken+"x", update))
	if r := call(t, http.MethodPut, configURI, regToken, map[string]any{"client_id": "other", "client_name": "X", "redirect_uris": []string{rpCallback}}); r.status != http.StatusBadRequest || r.str("error") != "invalid_client_metadata" {
		t.Errorf("changing client_id: %d %v", r.status, r.body)
	}
	if r := call(t, http.MethodPut, configURI, regToken, map[string]any{"client_name": "X", "redirect_uris": []string{"javascript:alert(1)"}}); r.status != http.StatusBadRequest || r.str("error") != "invalid_redirect_uri" {
		t.Errorf("update to a javascript: redirect: %d %v", r.status, r.body)
	}
	up := call(t, http.MethodPut, configURI, regToken, update)
	if up.status != http.StatusOK || up.str("client_name") != "Partner Travel 2" || len(up.body["redirect_uris"].([]any)) != 2 ||
		up.body["client_secret"] != nil || up.str("scope") != strings.Join(authz.DefaultScopes, " ") {
		t.Fatalf("update: %d %v", up.status, up.body)
	}
	// the secret was kept: the client still authenticates with it
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: srv.issuer + authz.TokenPath}
	if _, err := cc.Token(ctx); err != nil {
		t.Fatalf("client credentials after update: %v", err)
	}

	expect401(t, "delete with a wrong token", call(t, http.MethodDelete, configURI, "wrong", nil))
	if r := call(t, http.MethodDelete, configURI, regToken, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %v", r.status, r.body)
	}
	if _, err := srv.store.GetClient(ctx, id); err == nil {
		t.Fatal("deleted client still stored")
	}
	expect401(t, "read after delete", call(t, http.MethodGet, configURI, regToken, nil))
}

// TestRegistrationErrors: RFC 7591 section 3.2.2's errors; a rejected
// registration spends no use of the initial access token.
func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	endpoint := srv.issuer + authz.RegistrationPath
	token := srv.initialToken(t, 1, time.Hour)
	good := func(mutate func(m map[string]any)) map[string]any {
		m := map[string]any{"client_name": "RP", "redirect_uris": []string{rpCallback}}
		mutate(m)
		return m
	}
	key := newClientKey(t, jose.RS256, "k1")
	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"javascript: redirect URI", good(func(m map[string]any) { m["redirect_uris"] = []string{"javascript:alert(1)"} }), "invalid_redirect_uri"},
		{"data: redirect URI", good(func(m map[string]any) { m["redirect_uris"] = []string{"data:text/html,hi"} }), "invalid_redirect_uri"},
		{"fragment", good(func(m map[string]any) { m["redirect_uris"] = []string{"https://rp.example/cb#x"} }), "invalid_redirect_uri"},
		{"wildcard", good(func(m map[string]any) { m["redirect_uris"] = []string{"https://*.rp.example/cb"} }), "invalid_redirect_uri"},
		{"http off loopback", good(func(m map[string]any) { m["redirect_uris"] = []string{"http://rp.example/cb"} }), "invalid_redirect_uri"},
		{"bad post-logout URI", good(func(m map[string]any) { m["post_logout_redirect_uris"] = []string{"javascript:x"} }), "invalid_redirect_uri"},
		{"unknown grant type", good(func(m map[string]any) { m["grant_types"] = []string{"password"} }), "invalid_client_metadata"},
		{"public client with client_credentials", good(func(m map[string]any) {
			m["grant_types"], m["token_endpoint_auth_method"] = []string{"client_credentials"}, "none"
		}), "invalid_client_metadata"},
		{"foyer:admin scope", good(func(m map[string]any) { m["scope"] = "openid foyer:admin" }), "invalid_client_metadata"},
		{"unsupported auth method", good(func(m map[string]any) { m["token_endpoint_auth_method"] = "client_secret_jwt" }), "invalid_client_metadata"},
		{"private_key_jwt without keys", good(func(m map[string]any) { m["token_endpoint_auth_method"] = "private_key_jwt" }), "invalid_client_metadata"},
		{"jwks and jwks_uri", good(func(m map[string]any) {
			m["jwks"], m["jwks_uri"] = json.RawMessage(key.jwks(t)), "https://rp.example/jwks"
		}), "invalid_client_metadata"},
		{"jwks_uri over http", good(func(m map[string]any) { m["jwks_uri"] = "http://rp.example/jwks" }), "invalid_client_metadata"},
		{"implicit response type", good(func(m map[string]any) { m["response_types"] = []string{"token"} }), "invalid_client_metadata"},
		{"not JSON", "client_name=RP", "invalid_client_metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, http.MethodPost, endpoint, token, tc.body)
			if r.status != http.StatusBadRequest || r.str("error") != tc.want || r.str("error_description") == "" {
				t.Fatalf("got %d %v, want 400 %s", r.status, r.body, tc.want)
			}
		})
	}

	expect401(t, "no token", call(t, http.MethodPost, endpoint, "", good(func(map[string]any) {})))
	expect401(t, "unknown token", call(t, http.MethodPost, endpoint, "not-a-token", good(func(map[string]any) {})))
	expect401(t, "expired token", call(t, http.MethodPost, endpoint, srv.initialToken(t, 5, -time.Minute), good(func(map[string]any) {})))
	// the rejected registrations spent nothing: the one use is still there
	if r := call(t, http.MethodPost, endpoint, token, good(func(map[string]any) {})); r.status != http.StatusCreated {
		t.Fatalf("registration with the token's only use: %d %v", r.status, r.body)
	}
	expect401(t, "used-up token", call(t, http.MethodPost, endpoint, token, good(func(map[string]any) {})))

	// every RFC 7591 field is optional, client_name too
	nameless := call(t, http.MethodPost, endpoint, srv.initialToken(t, 1, time.Hour), good(func(m map[string]any) { delete(m, "client_name") }))
	if nameless.status != http.StatusCreated || nameless.str("client_name") != "Unnamed client" {
		t.Fatalf("registration without client_name: %d %v", nameless.status, nameless.body)
	}
}

// TestDynamicPrivateKeyJWTClient: a client registers its key set by value
// and authenticates with assertions.
func TestDynamicPrivateKeyJWTClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	key := newClientKey(t, jose.ES256, "k1")
	reg := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, srv.initialToken(t, 1, time.Hour), map[string]any{
		"client_name": "Service", "grant_types": []string{"client_credentials"}, "token_endpoint_auth_method": "private_key_jwt",
		"token_endpoint_auth_signing_alg": "ES256", "jwks": json.RawMessage(key.jwks(t)),
	})
	id := reg.str("client_id")
	if reg.status != http.StatusCreated || reg.body["client_secret"] != nil || reg.body["jwks"] == nil {
		t.Fatalf("registration: %d %v", reg.status, reg.body)
	}
	tokenURL := srv.issuer + authz.TokenPath
	cc := clientcredentials.Config{ClientID: id, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams,
		EndpointParams: assertionParams(key.sign(t, newAssertionClaims(id, tokenURL)))}
	if _, err := cc.Token(context.Background()); err != nil {
		t.Fatalf("client credentials: %v", err)
	}
}
