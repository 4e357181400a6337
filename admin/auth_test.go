package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// fakeTokens is a TokenValidator over a fixed table; "broken" fails as
// the server would.
type fakeTokens map[string]Principal

func (f fakeTokens) ValidateAccessToken(_ context.Context, token string) (Principal, error) {
	if token == "broken" {
		return Principal{}, errors.New("database gone")
	}
	p, ok := f[token]
	if !ok {
		return Principal{}, ErrInvalidToken
	}
	return p, nil
}

// grantsOnly is the part of manage.CoreStore that authentication reads:
// accounts and grants. (The HTTP tests over real stores cover the rest.)
type grantsOnly struct {
	manage.CoreStore
	accounts map[string]*storage.Account
	grants   map[string][]storage.AdminGrant
}

func (g grantsOnly) GetAccount(_ context.Context, id string) (*storage.Account, error) {
	if a, ok := g.accounts[id]; ok {
		return a, nil
	}
	return nil, storage.ErrNotFound
}

func (g grantsOnly) ListAdminGrants(_ context.Context, kind storage.PrincipalKind, id string) ([]storage.AdminGrant, error) {
	return g.grants[string(kind)+":"+id], nil
}

func TestAuthorized(t *testing.T) {
	t.Parallel()
	store := grantsOnly{
		accounts: map[string]*storage.Account{
			"adm":      {ID: "adm", StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: "a@example.com"},
			"disabled": {ID: "disabled", StoreID: storage.AdministratorsStoreID, Status: storage.AccountDisabled},
			"customer": {ID: "customer", StoreID: "default", Status: storage.AccountEnabled},
			"nobody":   {ID: "nobody", StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled},
		},
		grants: map[string][]storage.AdminGrant{
			"administrator:adm":      {{Role: storage.RoleAuditor}},
			"administrator:disabled": {{Role: storage.RoleOwner}},
			"administrator:customer": {{Role: storage.RoleOwner}},
			"client:robot":           {{Role: storage.RoleAdmin}},
		},
	}
	tokens := fakeTokens{
		"console":          {Subject: "adm", ClientID: manage.ConsoleClientID, Scopes: []string{"openid"}},
		"console-disabled": {Subject: "disabled", ClientID: manage.ConsoleClientID},
		"console-customer": {Subject: "customer", ClientID: manage.ConsoleClientID},
		"console-no-role":  {Subject: "nobody", ClientID: manage.ConsoleClientID},
		"admin-elsewhere":  {Subject: "adm", ClientID: "some-app", Scopes: []string{Scope}},
		"robot":            {ClientID: "robot", Scopes: []string{Scope}},
		"robot-no-scope":   {ClientID: "robot", Scopes: []string{"api"}},
		"other-client":     {ClientID: "other", Scopes: []string{Scope}},
	}
	h, err := New(Deps{Tokens: tokens, Core: manage.NewCore(store, nil), Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(nil, nil, nil, ""), Audit: manage.NewAudit(nil),
		Applications: manage.NewApplications(nil, nil), Policies: manage.NewPolicies(nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	var got manage.Actor
	endpoint := h.authorized(func(w http.ResponseWriter, _ *http.Request, a manage.Actor) error {
		got = a
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	tests := []struct {
		name, auth string
		status     int
		kind       storage.PrincipalKind
		challenge  string // what WWW-Authenticate must contain; "" when it must be absent
	}{
		{"administrator", "Bearer console", 204, storage.PrincipalAdministrator, ""},
		{"scheme case", "bearer console", 204, storage.PrincipalAdministrator, ""},
		{"client credentials", "Bearer robot", 204, storage.PrincipalClient, ""},
		{"no token", "", 401, "", `Bearer realm="foyer-admin"`},
		{"basic", "Basic YWRtaW46YWRtaW4=", 401, "", `Bearer realm="foyer-admin"`},
		{"empty bearer", "Bearer ", 401, "", `Bearer realm="foyer-admin"`},
		{"unknown token", "Bearer nope", 401, "", `error="invalid_token"`},
		{"disabled administrator", "Bearer console-disabled", 403, "", ""},
		{"customer through the console client", "Bearer console-customer", 403, "", ""},
		{"administrator without a role", "Bearer console-no-role", 403, "", ""},
		{"administrator's token of another client", "Bearer admin-elsewhere", 403, "", ""},
		{"client token without foyer:admin", "Bearer robot-no-scope", 403, "", ""},
		{"client without a grant", "Bearer other-client", 403, "", ""},
		{"validator failing", "Bearer broken", 500, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = manage.Actor{}
			req := httptest.NewRequest(http.MethodGet, "/admin/api/v1/x", nil)
			req.Header.Set("User-Agent", "test-agent")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			endpoint(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			challenge := rec.Header().Get("WWW-Authenticate")
			if tc.challenge == "" && challenge != "" || !strings.Contains(challenge, tc.challenge) {
				t.Fatalf("WWW-Authenticate %q, want %q", challenge, tc.challenge)
			}
			if tc.status != 204 {
				if p := decodeProblem(t, rec); p.Detail == "" || strings.Contains(rec.Body.String(), "database gone") {
					t.Fatalf("problem %s", rec.Body)
				}
				if got.Kind != "" {
					t.Fatalf("the endpoint ran for a refused token")
				}
				return
			}
			if got.Kind != tc.kind || got.ID == "" || got.UserAgent != "test-agent" || got.IP == "" || len(got.Grants) == 0 {
				t.Fatalf("actor %+v", got)
			}
		})
	}
}
