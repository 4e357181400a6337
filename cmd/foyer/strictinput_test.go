package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
)

// TestStrictInput: what a filter in front of Foyer could read differently
// is refused — a repeated parameter or a body that is not a form at the
// form endpoints, a JSON key given twice at registration — and the same
// request without the ambiguity still works, so the refusal is the
// ambiguity's alone.
func TestStrictInput(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	id, secret := srv.client(t, authz.ClientSpec{Name: "Robot", GrantTypes: []string{"client_credentials"}, Scopes: []string{"read"}})
	post := func(path, contentType, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.issuer+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.SetBasicAuth(id, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	const form = "application/x-www-form-urlencoded"
	refused := []struct{ what, path, contentType, body string }{
		{"repeated grant_type", "/oauth2/token", form, "grant_type=client_credentials&grant_type=password"},
		{"repeated scope", "/oauth2/token", form, "grant_type=client_credentials&scope=read&scope=write"},
		{"multipart", "/oauth2/token", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--b--\r\n"},
		{"garbage type", "/oauth2/token", "text/x-garbage", "grant_type=client_credentials"},
		{"no type", "/oauth2/token", "", "grant_type=client_credentials"},
		{"repeated token at revocation", "/oauth2/revoke", form, "token=a&token=b"},
		{"repeated token at introspection", "/oauth2/introspect", form, "token=a&token=b"},
		{"JSON at PAR", "/oauth2/par", "application/json", `{"response_type":"code"}`},
	}
	for _, c := range refused {
		status, body := post(c.path, c.contentType, c.body)
		if status != http.StatusBadRequest || body["error"] != "invalid_request" {
			t.Errorf("%s: %d %v, want 400 invalid_request", c.what, status, body)
		}
	}
	if status, body := post("/oauth2/token", form+"; charset=utf-8", "grant_type=client_credentials&scope=read"); status != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("a plain client-credentials request: %d %v", status, body)
	}

	token := srv.initialToken(t, 2, time.Hour)
	dup := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, token,
		`{"client_name":"App","redirect_uris":["https://app.example/cb"],"redirect_uris":["https://evil.example/cb"]}`)
	if dup.status != http.StatusBadRequest || dup.str("error") != "invalid_client_metadata" || !strings.Contains(dup.str("error_description"), "redirect_uris") {
		t.Fatalf("registration with a duplicate key: %d %v", dup.status, dup.body)
	}
	ok := call(t, http.MethodPost, srv.issuer+authz.RegistrationPath, token, `{"client_name":"App","redirect_uris":["https://app.example/cb"]}`)
	if ok.status != http.StatusCreated {
		t.Fatalf("the same registration without the duplicate: %d %v (the refused one must not have used the token up)", ok.status, ok.body)
	}
}
