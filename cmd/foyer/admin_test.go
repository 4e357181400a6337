package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"foyer/admin"
	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// adminAPI calls the admin REST API as a script would: Go's plain HTTP
// client, no browser headers.
type adminAPI struct {
	t     *testing.T
	base  string
	token string
}

// apiResponse is one answer of the admin API.
type apiResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// newAdminAPI registers a client_credentials client with foyer:admin the
// way the CLI does and takes a token for it.
func newAdminAPI(t *testing.T, srv *testServer) (*adminAPI, string) {
	t.Helper()
	id, secret := srv.client(t, authz.ClientSpec{Name: "Automation", GrantTypes: []string{"client_credentials"},
		Scopes: []string{admin.Scope}})
	return &adminAPI{t: t, base: srv.issuer + admin.APIPrefix, token: clientToken(t, srv, id, secret, admin.Scope)}, id
}

// clientToken gets an access token with the client credentials grant.
func clientToken(t *testing.T, srv *testServer, id, secret string, scopes ...string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: srv.issuer + authz.TokenPath,
		Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("client credentials token: %v", err)
	}
	return tok.AccessToken
}

func (a *adminAPI) do(method, path string, body any) apiResponse {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out := apiResponse{status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if len(out.raw) > 0 {
		if err := json.Unmarshal(out.raw, &out.body); err != nil {
			a.t.Fatalf("%s %s: %d, not a JSON object: %q", method, path, resp.StatusCode, out.raw)
		}
	}
	return out
}

// expect fails unless the answer has the status and, for errors, the code.
func (r apiResponse) expect(t *testing.T, what string, status int, errCode string) apiResponse {
	t.Helper()
	if r.status != status || errCode != "" && r.body["error"] != errCode {
		t.Fatalf("%s: %d %s; want %d %s", what, r.status, r.raw, status, errCode)
	}
	return r
}

func TestAdminAPIClientLifecycle(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		api, adminID := newAdminAPI(t, srv)

		list := api.do(http.MethodGet, "/clients", nil).expect(t, "list", http.StatusOK, "")
		if ids := clientIDs(list); !slices.Contains(ids, adminID) || !slices.Contains(ids, "foyer-account") {
			t.Fatalf("list lacks the admin or account portal client: %v", ids)
		}

		checkPutOfGetChangesNothing(t, api)

		// create: 201, Location, the secret once
		created := api.do(http.MethodPost, "/clients", map[string]any{
			"client_name": "Shop", "redirect_uris": []string{rpCallback}, "first_party": true, "resource_server": true,
			"grant_types": []string{"authorization_code", "refresh_token", "client_credentials"},
			"scope":       "openid profile email offline_access",
		}).expect(t, "create", http.StatusCreated, "")
		id, _ := created.body["client_id"].(string)
		secret, _ := created.body["client_secret"].(string)
		if id == "" || len(secret) < 43 || created.body["client_secret_expires_at"] != 0.0 ||
			created.header.Get("Location") != admin.APIPrefix+"/clients/"+id {
			t.Fatalf("create answered %s (Location %q)", created.raw, created.header.Get("Location"))
		}
		if created.body["token_endpoint_auth_method"] != "client_secret_basic" || created.body["application_id"] != defaultApplicationID {
			t.Fatalf("create defaults: %s", created.raw)
		}

		// the new client works: a code flow and client credentials
		rp := newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess)
		tok := signedInTokens(t, srv, rp)
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("the created client's token at UserInfo: %v", err)
		}
		clientToken(t, srv, id, secret)

		// read: the same, never the secret
		got := api.do(http.MethodGet, "/clients/"+id, nil).expect(t, "get", http.StatusOK, "")
		if got.body["client_name"] != "Shop" || got.body["scope"] != "openid profile email offline_access" || got.body["client_secret"] != nil ||
			got.body["resource_server"] != true {
			t.Fatalf("get answered %s", got.raw)
		}

		checkUpdate(t, srv, api, got, secret)

		// delete: 204, then 404; its tokens are gone
		api.do(http.MethodDelete, "/clients/"+id, nil).expect(t, "delete", http.StatusNoContent, "")
		api.do(http.MethodGet, "/clients/"+id, nil).expect(t, "get deleted", http.StatusNotFound, "not_found")
		api.do(http.MethodDelete, "/clients/"+id, nil).expect(t, "delete again", http.StatusNotFound, "not_found")
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("a deleted client's access token still works")
		}

		checkAuditLog(t, srv, adminID, id)
	})
}

// checkPutOfGetChangesNothing on the bootstrapped public client, which is
// stored without an explicit auth method.
func checkPutOfGetChangesNothing(t *testing.T, api *adminAPI) {
	t.Helper()
	portal := api.do(http.MethodGet, "/clients/foyer-account", nil).expect(t, "get portal", http.StatusOK, "")
	same := api.do(http.MethodPut, "/clients/foyer-account", portal.body).expect(t, "put portal back", http.StatusOK, "")
	delete(portal.body, "updated_at")
	delete(same.body, "updated_at")
	if !reflect.DeepEqual(portal.body, same.body) || portal.body["token_endpoint_auth_method"] != "none" {
		t.Fatalf("putting back what GET returned:\n%s\nbecame\n%s", portal.raw, same.raw)
	}
}

// checkUpdate: a full replace of what GET returned, edited, keeps the id
// and the secret; an invalid one changes nothing.
func checkUpdate(t *testing.T, srv *testServer, api *adminAPI, got apiResponse, secret string) {
	t.Helper()
	id := got.body["client_id"].(string)
	edited := maps.Clone(got.body)
	edited["client_name"] = "Shop (renamed)"
	edited["redirect_uris"] = []string{rpCallback, "https://shop.example/cb"}
	edited["resource_server"] = false
	updated := api.do(http.MethodPut, "/clients/"+id, edited).expect(t, "update", http.StatusOK, "")
	if updated.body["client_name"] != "Shop (renamed)" || len(updated.body["redirect_uris"].([]any)) != 2 || updated.body["resource_server"] != false ||
		updated.body["client_id"] != id || updated.body["created_at"] != got.body["created_at"] {
		t.Fatalf("update answered %s", updated.raw)
	}
	clientToken(t, srv, id, secret) // the secret still works

	bad := map[string]any{"client_name": "x", "redirect_uris": []string{"http://shop.example/cb"}}
	api.do(http.MethodPut, "/clients/"+id, bad).expect(t, "invalid update", http.StatusBadRequest, "invalid_redirect_uri")
	if again := api.do(http.MethodGet, "/clients/"+id, nil); again.body["client_name"] != "Shop (renamed)" {
		t.Fatalf("an invalid update changed the client: %s", again.raw)
	}
}

func clientIDs(list apiResponse) []string {
	var ids []string
	clients, _ := list.body["clients"].([]any)
	for _, c := range clients {
		if m, ok := c.(map[string]any); ok {
			ids = append(ids, m["client_id"].(string))
		}
	}
	return ids
}

// checkAuditLog: each change is in the audit log, by the admin client.
func checkAuditLog(t *testing.T, srv *testServer, adminID, clientID string) {
	t.Helper()
	events, err := srv.store.ListEvents(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		if e.Data["client_id"] != clientID {
			continue
		}
		if e.Actor != adminID || e.Data["actor_type"] != "client" || e.IP == "" {
			t.Errorf("audit event %s: actor %q (%s), ip %q", e.Kind, e.Actor, e.Data["actor_type"], e.IP)
		}
		kinds = append(kinds, e.Kind)
	}
	want := []string{"client.deleted", "client.updated", "client.created"} // newest first
	if !slices.Equal(kinds, want) {
		t.Fatalf("audit events %v, want %v", kinds, want)
	}
}

func TestAdminAPIRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	api, _ := newAdminAPI(t, srv)

	// a user's tokens, from a client that may request foyer:admin
	userClient, userSecret := srv.client(t, authz.ClientSpec{Name: "Console", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code", "refresh_token"}, FirstParty: true,
		Scopes: []string{"openid", "offline_access", admin.Scope}})
	userTok := signedInTokens(t, srv, newRelyingParty(t, srv.issuer, userClient, userSecret, oidc.ScopeOpenID, oidc.ScopeOfflineAccess, admin.Scope))
	// a client token without foyer:admin
	plainID, plainSecret := srv.client(t, authz.ClientSpec{Name: "Worker", GrantTypes: []string{"client_credentials"}, Scopes: []string{"reports"}})
	plainTok := clientToken(t, srv, plainID, plainSecret, "reports")

	before := len(clientIDs(api.do(http.MethodGet, "/clients", nil)))
	tests := []struct {
		name, auth string
		status     int
		errCode    string
	}{
		{"no token", "", http.StatusUnauthorized, "invalid_request"},
		{"basic credentials", "Basic " + "YWRtaW46YWRtaW4=", http.StatusUnauthorized, "invalid_request"},
		{"garbage token", "Bearer not-a-token", http.StatusUnauthorized, "invalid_token"},
		{"refresh token as bearer", "Bearer " + userTok.RefreshToken, http.StatusUnauthorized, "invalid_token"},
		{"token without foyer:admin", "Bearer " + plainTok, http.StatusForbidden, "insufficient_scope"},
		{"user token with foyer:admin", "Bearer " + userTok.AccessToken, http.StatusForbidden, "insufficient_scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				req, _ := http.NewRequest(method, api.base+"/clients", strings.NewReader(`{"client_name":"x","grant_types":["client_credentials"]}`))
				req.Header.Set("Content-Type", "application/json")
				if tc.auth != "" {
					req.Header.Set("Authorization", tc.auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]string
				_ = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != tc.status || body["error"] != tc.errCode || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
					t.Fatalf("%s: %d %v (WWW-Authenticate %q); want %d %s", method, resp.StatusCode, body,
						resp.Header.Get("WWW-Authenticate"), tc.status, tc.errCode)
				}
			}
		})
	}
	// nothing was created by the refused requests
	if ids := clientIDs(api.do(http.MethodGet, "/clients", nil)); len(ids) != before {
		t.Fatalf("clients after refused creates: %v", ids)
	}
}

func TestAdminAPIRefusesBadInput(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	api, _ := newAdminAPI(t, srv)
	confidential := api.do(http.MethodPost, "/clients", map[string]any{"client_name": "Svc", "grant_types": []string{"client_credentials"}}).
		expect(t, "create", http.StatusCreated, "")
	id := confidential.body["client_id"].(string)

	tests := []struct {
		name, method, path string
		body               any
		status             int
		errCode, detail    string
	}{
		{"http redirect off loopback", "POST", "/clients", map[string]any{"client_name": "x", "redirect_uris": []string{"http://shop.example/cb"}},
			400, "invalid_redirect_uri", "only allowed on loopback"},
		{"fragment", "POST", "/clients", map[string]any{"client_name": "x", "redirect_uris": []string{"https://a.example/cb#x"}},
			400, "invalid_redirect_uri", "fragment"},
		{"no name", "POST", "/clients", map[string]any{"grant_types": []string{"client_credentials"}},
			400, "invalid_client_metadata", "a name is required"},
		{"public client credentials", "POST", "/clients", map[string]any{"client_name": "x", "public": true, "grant_types": []string{"client_credentials"}},
			400, "invalid_client_metadata", "cannot use client_credentials"},
		{"unknown application", "POST", "/clients", map[string]any{"client_name": "x", "application_id": "nope", "grant_types": []string{"client_credentials"}},
			400, "invalid_client_metadata", `application "nope" does not exist`},
		{"unknown field", "POST", "/clients", `{"client_name":"x","grant_types":["client_credentials"],"client_secret":"mine"}`,
			400, "invalid_request", `unknown field "client_secret"`},
		{"wrong type", "POST", "/clients", `{"client_name":["x"]}`, 400, "invalid_request", `"client_name" has the wrong type`},
		{"not JSON", "POST", "/clients", `client_name=x`, 400, "invalid_request", "not valid JSON"},
		{"two objects", "POST", "/clients", `{"client_name":"x"} {}`, 400, "invalid_request", "single JSON object"},
		{"too large", "POST", "/clients", `{"client_name":"` + strings.Repeat("x", 70<<10) + `"}`, 400, "invalid_request", "larger than"},
		{"unknown client", "GET", "/clients/nope", nil, 404, "not_found", ""},
		{"update unknown client", "PUT", "/clients/nope", map[string]any{"client_name": "x", "grant_types": []string{"client_credentials"}}, 404, "not_found", ""},
		{"delete unknown client", "DELETE", "/clients/nope", nil, 404, "not_found", ""},
		{"update to public", "PUT", "/clients/" + id, map[string]any{"client_name": "x", "public": true, "redirect_uris": []string{rpCallback}},
			400, "invalid_client_metadata", "having a secret"},
		{"update with another client_id", "PUT", "/clients/" + id, map[string]any{"client_id": "other", "client_name": "x", "grant_types": []string{"client_credentials"}},
			400, "invalid_request", "does not match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := api.do(tc.method, tc.path, tc.body).expect(t, tc.name, tc.status, tc.errCode)
			if d, _ := r.body["error_description"].(string); !strings.Contains(d, tc.detail) {
				t.Fatalf("error_description %q, want it to mention %q", d, tc.detail)
			}
		})
	}
	// a form post (the wrong content type) is refused before anything else
	req, _ := http.NewRequest(http.MethodPost, api.base+"/clients", strings.NewReader(`{"client_name":"x"}`))
	req.Header.Set("Authorization", "Bearer "+api.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("form-encoded create: %d", resp.StatusCode)
	}
	if got := api.do(http.MethodGet, "/clients/"+id, nil); got.body["client_name"] != "Svc" || got.body["public"] != false {
		t.Fatalf("refused updates changed the client: %s", got.raw)
	}
}

// The CLI registers the client that calls the admin API.
func TestCLICreatesAnAdminClient(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("client", "create", "--name", "Automation", "--grant", "client_credentials", "--scope", admin.Scope, "--json")
	var created map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || created["client_secret"] == "" {
		t.Fatalf("client create --scope %s: exit %d, %q %q", admin.Scope, code, out, errOut)
	}
}

// TestAdminVouchingTakesOverASelfRegisteredClient: once an admin makes a
// dynamically registered client first-party (no consent page), its
// registrant's registration access token no longer manages it.
func TestAdminVouchingTakesOverASelfRegisteredClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	api, _ := newAdminAPI(t, srv)
	reg := call(t, http.MethodPost, srv.issuer+"/oauth2/register", srv.initialToken(t, 1, time.Hour),
		map[string]any{"client_name": "Partner", "redirect_uris": []string{"https://partner.example/cb"}})
	if reg.status != http.StatusCreated {
		t.Fatalf("registration: %d %v", reg.status, reg.body)
	}
	configURI, regToken, id := reg.str("registration_client_uri"), reg.str("registration_access_token"), reg.str("client_id")
	if r := call(t, http.MethodGet, configURI, regToken, nil); r.status != http.StatusOK {
		t.Fatalf("the registrant reads its client: %d", r.status)
	}
	got := api.do(http.MethodGet, "/clients/"+id, nil).expect(t, "read", http.StatusOK, "")
	got.body["client_name"] = "Partner (renamed)"
	api.do(http.MethodPut, "/clients/"+id, got.body).expect(t, "an ordinary update", http.StatusOK, "")
	if r := call(t, http.MethodGet, configURI, regToken, nil); r.status != http.StatusOK {
		t.Fatalf("an ordinary admin update took the client from its registrant: %d", r.status)
	}
	got.body["first_party"] = true
	api.do(http.MethodPut, "/clients/"+id, got.body).expect(t, "make first-party", http.StatusOK, "")
	expect401(t, "registrant after the admin vouched", call(t, http.MethodPut, configURI, regToken,
		map[string]any{"client_name": "Partner", "redirect_uris": []string{"https://evil.example/cb"}}))
}
