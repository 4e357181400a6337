package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// adminPrefix is where the admin REST API lives.
const adminPrefix = "/admin/api/v1"

// adminAPI calls the admin REST API as a client-credentials client holding
// an admin role, as automation does.
type adminAPI struct {
	t            *target
	clientID     string
	clientSecret string
	mu           sync.Mutex
	token        string
}

// provisionAdmin registers the client with the CLI, grants it the owner
// role (it changes the store's schema, creates a group and starts a job:
// configuration and account writes) and takes a token.
func provisionAdmin(ctx context.Context, srv *server, t *target) (*adminAPI, error) {
	out, err := srv.cli(ctx, "client", "create", "--name", "bench-admin", "--grant", "client_credentials",
		"--scope", "foyer:admin", "--json")
	if err != nil {
		return nil, err
	}
	var client struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &client); err != nil || client.Secret == "" {
		return nil, fmt.Errorf("foyer client create printed %q", out)
	}
	if _, err := srv.cli(ctx, "client", "roles", "set", "--id", client.ID, "--role", "owner"); err != nil {
		return nil, err
	}
	a := &adminAPI{t: t, clientID: client.ID, clientSecret: client.Secret}
	return a, a.refresh(ctx)
}

// refresh takes a new access token (after a restart or expiry).
func (a *adminAPI) refresh(ctx context.Context) error {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"foyer:admin"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.t.issuer+"/oauth2/token", strings.NewReader(form))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.clientID), url.QueryEscape(a.clientSecret))
	r, err := do(a.t.httpClient(nil), req)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return statusError(req, r)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("admin token: 200 without access_token: %s", snippet(r.body))
	}
	a.mu.Lock()
	a.token = tok.AccessToken
	a.mu.Unlock()
	return nil
}

// call sends one request to path (under the API prefix) with a JSON body
// (nil for none) and extra headers as name, value pairs; a 401 takes a
// new token once.
func (a *adminAPI) call(ctx context.Context, method, path string, body any, headers ...string) (*reply, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, a.t.issuer+adminPrefix+path, bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		a.mu.Lock()
		req.Header.Set("Authorization", "Bearer "+a.token)
		a.mu.Unlock()
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		r, err := do(a.t.httpClient(nil), req)
		if err != nil || r.status != http.StatusUnauthorized || attempt > 0 {
			return r, err
		}
		if err := a.refresh(ctx); err != nil {
			return nil, err
		}
	}
}

// getJSON GETs path and decodes a 200 into v.
func (a *adminAPI) getJSON(ctx context.Context, path string, v any) error {
	r, err := a.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %s", path, r.status, snippet(r.body))
	}
	return json.Unmarshal(r.body, v)
}

// benchSchema is the attribute schema the bench gives the default store
// before seeding it: what a shop's customer store holds.
var benchSchema = []map[string]any{
	{"name": "given_name", "label": "Given name", "required": true, "visible": true, "editable": true},
	{"name": "family_name", "label": "Family name", "required": true, "visible": true, "editable": true},
	{"name": "birthdate", "label": "Birth date", "type": "date", "visible": true, "editable": true},
	{"name": "city", "label": "City", "visible": true, "editable": true},
	{"name": "country", "label": "Country", "visible": true, "editable": true},
	{"name": "customer_number", "label": "Customer number", "visible": true},
	{"name": "tier", "label": "Tier", "type": "enum", "options": []string{"free", "plus", "pro", "enterprise"}},
	{"name": "newsletter", "label": "Newsletter", "type": "boolean", "visible": true, "editable": true},
}

// setSchema gives the store benchSchema through the API (GET, then PUT
// with If-Match).
func (a *adminAPI) setSchema(ctx context.Context, storeID string) error {
	path := "/stores/" + url.PathEscape(storeID)
	r, err := a.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %s", path, r.status, snippet(r.body))
	}
	var store map[string]any
	if err := json.Unmarshal(r.body, &store); err != nil {
		return err
	}
	store["attributes"] = benchSchema
	r, err = a.call(ctx, http.MethodPut, path, store, "If-Match", r.header.Get("ETag"))
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("PUT %s: status %d: %s", path, r.status, snippet(r.body))
	}
	return nil
}
