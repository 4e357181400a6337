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
// way the CLI does, grants it the admin role and takes a token for it.
func newAdminAPI(t *testing.T, srv *testServer) (*adminAPI, string) {
	t.Helper()
	id, secret := srv.client(t, authz.ClientSpec{Name: "Automation", GrantTypes: []string{"client_credentials"},
		Scopes: []string{admin.Scope}})
	if err := srv.store.CreateAdminGrant(context.Background(), &storage.AdminGrant{
		PrincipalKind: storage.PrincipalClient, PrincipalID: id, Role: storage.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
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

// do calls the API; headers are name, value pairs (If-Match).
func (a *adminAPI) do(method, path string, body any, headers ...string) apiResponse {
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
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
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

// expect fails unless the answer has the status; an error must be a
// problem document (RFC 9457) and, when field is set, a 422 naming it.
func (r apiResponse) expect(t *testing.T, what string, status int, field string) apiResponse {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d %s; want %d", what, r.status, r.raw, status)
	}
	if status >= 400 && (r.header.Get("Content-Type") != "application/problem+json" || r.body["status"] != float64(status)) {
		t.Fatalf("%s: not a problem document: %s %s", what, r.header.Get("Content-Type"), r.raw)
	}
	if field != "" && r.problem(field) == "" {
		t.Fatalf("%s: the problem does not name %q: %s", what, field, r.raw)
	}
	return r
}

// problem is the detail the problem's errors give for field.
func (r apiResponse) problem(field string) string {
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok && m["field"] == field {
			d, _ := m["detail"].(string)
			return d
		}
	}
	return ""
}

// etag is the answer's ETag, for If-Match.
func (r apiResponse) etag() string { return r.header.Get("ETag") }

// A client made through the admin API works with real relying-party
// libraries, updates keep its secret, deletion ends its tokens, and each
// change is in the audit log as the admin client's.
func TestAdminAPIClientLifecycle(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		api, adminID := newAdminAPI(t, srv)

		list := api.do(http.MethodGet, "/clients?limit=200", nil).expect(t, "list", http.StatusOK, "")
		if ids := clientIDs(list); !slices.Contains(ids, adminID) || !slices.Contains(ids, "foyer-account") {
			t.Fatalf("list lacks the admin or account portal client: %v", ids)
		}

		checkPutOfGetChangesNothing(t, api)

		// create: 201, Location, ETag, the secret once
		created := api.do(http.MethodPost, "/clients", map[string]any{
			"client_name": "Shop", "redirect_uris": []string{rpCallback}, "first_party": true, "resource_server": true,
			"grant_types": []string{"authorization_code", "refresh_token", "client_credentials"},
			"scope":       "openid profile email offline_access",
		}).expect(t, "create", http.StatusCreated, "")
		id, _ := created.body["client_id"].(string)
		secret, _ := created.body["client_secret"].(string)
		if id == "" || len(secret) < 43 || created.body["client_secret_expires_at"] != 0.0 || created.etag() != `"1"` ||
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
			got.body["resource_server"] != true || got.etag() != `"1"` {
			t.Fatalf("get answered %s", got.raw)
		}

		etag := checkUpdate(t, srv, api, got, secret)

		// delete: 204, then 404; its tokens are gone
		api.do(http.MethodDelete, "/clients/"+id, nil, "If-Match", etag).expect(t, "delete", http.StatusNoContent, "")
		api.do(http.MethodGet, "/clients/"+id, nil).expect(t, "get deleted", http.StatusNotFound, "")
		api.do(http.MethodDelete, "/clients/"+id, nil, "If-Match", etag).expect(t, "delete again", http.StatusNotFound, "")
		if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("a deleted client's access token still works")
		}

		checkAuditLog(t, srv, adminID, id, secret)
	})
}

// checkPutOfGetChangesNothing on the bootstrapped public client, which is
// stored without an explicit auth method.
func checkPutOfGetChangesNothing(t *testing.T, api *adminAPI) {
	t.Helper()
	portal := api.do(http.MethodGet, "/clients/foyer-account", nil).expect(t, "get portal", http.StatusOK, "")
	same := api.do(http.MethodPut, "/clients/foyer-account", portal.body, "If-Match", portal.etag()).expect(t, "put portal back", http.StatusOK, "")
	for _, changes := range []string{"updated_at", "version"} {
		delete(portal.body, changes)
		delete(same.body, changes)
	}
	if !reflect.DeepEqual(portal.body, same.body) || portal.body["token_endpoint_auth_method"] != "none" {
		t.Fatalf("putting back what GET returned:\n%s\nbecame\n%s", portal.raw, same.raw)
	}
}

// checkUpdate: a full replace of what GET returned, edited, keeps the id
// and the secret; an invalid one changes nothing. It returns the ETag.
func checkUpdate(t *testing.T, srv *testServer, api *adminAPI, got apiResponse, secret string) string {
	t.Helper()
	id := got.body["client_id"].(string)
	edited := maps.Clone(got.body)
	edited["client_name"] = "Shop (renamed)"
	edited["redirect_uris"] = []string{rpCallback, "https://shop.example/cb"}
	edited["resource_server"] = false
	api.do(http.MethodPut, "/clients/"+id, edited).expect(t, "update without If-Match", http.StatusPreconditionRequired, "")
	updated := api.do(http.MethodPut, "/clients/"+id, edited, "If-Match", got.etag()).expect(t, "update", http.StatusOK, "")
	if updated.body["client_name"] != "Shop (renamed)" || len(updated.body["redirect_uris"].([]any)) != 2 || updated.body["resource_server"] != false ||
		updated.body["client_id"] != id || updated.body["created_at"] != got.body["created_at"] || updated.etag() != `"2"` {
		t.Fatalf("update answered %s", updated.raw)
	}
	api.do(http.MethodPut, "/clients/"+id, edited, "If-Match", got.etag()).expect(t, "a second update from the same read", http.StatusPreconditionFailed, "")
	clientToken(t, srv, id, secret) // the secret still works

	bad := map[string]any{"client_name": "x", "redirect_uris": []string{"http://shop.example/cb"}}
	api.do(http.MethodPut, "/clients/"+id, bad, "If-Match", updated.etag()).expect(t, "invalid update", http.StatusUnprocessableEntity, "redirect_uris")
	if again := api.do(http.MethodGet, "/clients/"+id, nil); again.body["client_name"] != "Shop (renamed)" {
		t.Fatalf("an invalid update changed the client: %s", again.raw)
	}
	return updated.etag()
}

func clientIDs(list apiResponse) []string {
	var ids []string
	clients, _ := list.body["items"].([]any)
	for _, c := range clients {
		if m, ok := c.(map[string]any); ok {
			ids = append(ids, m["client_id"].(string))
		}
	}
	return ids
}

// checkAuditLog: each change is in the audit log, by the admin client,
// from the caller's address, without the secret.
func checkAuditLog(t *testing.T, srv *testServer, adminID, clientID, secret string) {
	t.Helper()
	entries, err := srv.store.ListAuditEntries(context.Background(), storage.AuditFilter{TargetType: "client", TargetID: clientID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.ActorID != adminID || e.ActorKind != storage.PrincipalClient || e.Role != storage.RoleAdmin || e.IP == "" ||
			strings.Contains(e.Before+e.After, secret) {
			t.Errorf("audit entry %s: %+v", e.Action, e)
		}
		actions = append(actions, e.Action)
	}
	want := []string{"client.deleted", "client.updated", "client.created"} // newest first
	if !slices.Equal(actions, want) {
		t.Fatalf("audit entries %v, want %v", actions, want)
	}
}

// Real tokens that do not open the admin API: none, a refresh token, a
// client's token without foyer:admin, a customer's token even with
// foyer:admin, a foyer:admin client token of a client holding no role.
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
	// a foyer:admin token of a client without an admin role
	roleless, rolelessSecret := srv.client(t, authz.ClientSpec{Name: "Roleless", GrantTypes: []string{"client_credentials"}, Scopes: []string{admin.Scope}})
	rolelessTok := clientToken(t, srv, roleless, rolelessSecret, admin.Scope)

	before := len(clientIDs(api.do(http.MethodGet, "/clients?limit=200", nil)))
	tests := []struct {
		name, auth string
		status     int
		challenge  string
	}{
		{"no token", "", http.StatusUnauthorized, `Bearer realm="foyer-admin"`},
		{"basic credentials", "Basic " + "YWRtaW46YWRtaW4=", http.StatusUnauthorized, `Bearer realm="foyer-admin"`},
		{"garbage token", "Bearer not-a-token", http.StatusUnauthorized, `error="invalid_token"`},
		{"refresh token as bearer", "Bearer " + userTok.RefreshToken, http.StatusUnauthorized, `error="invalid_token"`},
		{"token without foyer:admin", "Bearer " + plainTok, http.StatusForbidden, ""},
		{"customer token with foyer:admin", "Bearer " + userTok.AccessToken, http.StatusForbidden, ""},
		{"client without an admin role", "Bearer " + rolelessTok, http.StatusForbidden, ""},
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
				var body map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				challenge := resp.Header.Get("WWW-Authenticate")
				if resp.StatusCode != tc.status || body["status"] != float64(tc.status) ||
					resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(challenge, tc.challenge) {
					t.Fatalf("%s: %d %v (WWW-Authenticate %q); want %d", method, resp.StatusCode, body, challenge, tc.status)
				}
			}
		})
	}
	// nothing was created by the refused requests
	if ids := clientIDs(api.do(http.MethodGet, "/clients?limit=200", nil)); len(ids) != before {
		t.Fatalf("clients after refused creates: %v", ids)
	}
}

// authz's validation, through the admin API: each problem under the field
// it is about (the decoding of bodies is tested beside the API, in admin).
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
		field, detail      string
	}{
		{"http redirect off loopback", "POST", "/clients", map[string]any{"client_name": "x", "redirect_uris": []string{"http://shop.example/cb"}},
			"redirect_uris", "only allowed on loopback"},
		{"fragment", "POST", "/clients", map[string]any{"client_name": "x", "redirect_uris": []string{"https://a.example/cb#x"}},
			"redirect_uris", "fragment"},
		{"no name", "POST", "/clients", map[string]any{"grant_types": []string{"client_credentials"}},
			"client_name", "a name is required"},
		{"public client credentials", "POST", "/clients", map[string]any{"client_name": "x", "public": true, "grant_types": []string{"client_credentials"}},
			"grant_types", "cannot use client_credentials"},
		{"unknown application", "POST", "/clients", map[string]any{"client_name": "x", "application_id": "nope", "grant_types": []string{"client_credentials"}},
			"application_id", `no application "nope"`},
		{"update to public", "PUT", "/clients/" + id, map[string]any{"client_name": "x", "public": true, "redirect_uris": []string{rpCallback}},
			"token_endpoint_auth_method", "having a secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := api.do(tc.method, tc.path, tc.body, "If-Match", confidential.etag()).expect(t, tc.name, http.StatusUnprocessableEntity, tc.field)
			if d := r.problem(tc.field); !strings.Contains(d, tc.detail) {
				t.Fatalf("%s: %q, want it to mention %q", tc.field, d, tc.detail)
			}
		})
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
	renamed := api.do(http.MethodPut, "/clients/"+id, got.body, "If-Match", got.etag()).expect(t, "an ordinary update", http.StatusOK, "")
	if r := call(t, http.MethodGet, configURI, regToken, nil); r.status != http.StatusOK {
		t.Fatalf("an ordinary admin update took the client from its registrant: %d", r.status)
	}
	got.body["first_party"] = true
	api.do(http.MethodPut, "/clients/"+id, got.body, "If-Match", renamed.etag()).expect(t, "make first-party", http.StatusOK, "")
	expect401(t, "registrant after the admin vouched", call(t, http.MethodPut, configURI, regToken,
		map[string]any{"client_name": "Partner", "redirect_uris": []string{"https://evil.example/cb"}}))
}

// A browser's cross-origin POST to the API is refused by the server's
// cross-origin protection even with a valid token, and creates nothing.
func TestAdminAPIRefusesCrossOriginPosts(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	api, _ := newAdminAPI(t, srv)
	before := len(clientIDs(api.do(http.MethodGet, "/clients?limit=200", nil)))
	for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		req, _ := http.NewRequest(http.MethodPost, api.base+"/clients", strings.NewReader(`{"client_name":"x","grant_types":["client_credentials"]}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+api.token)
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin POST with %s: %d, want 403", h[0], resp.StatusCode)
		}
	}
	if ids := clientIDs(api.do(http.MethodGet, "/clients?limit=200", nil)); len(ids) != before {
		t.Fatalf("a cross-origin POST created a client: %v", ids)
	}
}
