package admin

import (
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// newVerificationAPI is storesAPI with the verification services and a
// customer of "eu" and one of "us".
func newVerificationAPI(t *testing.T, s storage.Store) (e *storesAPI, euAcct, usAcct string) {
	t.Helper()
	ctx := t.Context()
	e = newStoresAPI(t, s)
	if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "us", Name: "us",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
		t.Fatal(err)
	}
	core := manage.NewCore(s, nil)
	h, err := New(Deps{Tokens: e.tokens(t), Core: core, Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(core, s, nil, ""), Audit: manage.NewAudit(s),
		Applications: manage.NewApplications(core, s), Policies: manage.NewPolicies(core, s),
		Stores: StoreServices{Stores: manage.NewStores(core, s), Groups: manage.NewGroups(core, s),
			Roles: manage.NewRoles(core, s), Organizations: manage.NewOrganizations(core, s)},
		Verification: VerificationServices{Policies: manage.NewVerificationPolicies(core, s),
			Accounts: manage.NewAccountVerifications(core, s)}})
	if err != nil {
		t.Fatal(err)
	}
	e.router = mux.NewRouter()
	h.Mount(e.router)
	ids := []string{}
	for _, st := range []string{"eu", "us"} {
		a := &storage.Account{StoreID: st, Email: "c@example.com", Status: storage.AccountEnabled}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	// A limited support client of "us" only.
	if err := s.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: "us-support-bot",
		Role: storage.RoleSupport, StoreIDs: []string{"us"}}); err != nil {
		t.Fatal(err)
	}
	return e, ids[0], ids[1]
}

// tokens are the storesAPI's tokens plus the us-support-bot's.
func (e *storesAPI) tokens(t *testing.T) fakeTokens {
	t.Helper()
	tokens := fakeTokens{"customer": {Subject: "someone", ClientID: "shop", Scopes: []string{Scope}}}
	for client := range botGrants {
		tokens[client] = Principal{ClientID: client, Scopes: []string{Scope}}
	}
	tokens["us-support-bot"] = Principal{ClientID: "us-support-bot", Scopes: []string{Scope}}
	return tokens
}

func TestVerificationPoliciesAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		e, _, _ := newVerificationAPI(t, newStore(t))
		const path = "/stores/eu/verification-policies"
		body := `{"name":"Branch","methods":["in person","document check"]}`
		e.must(t, 403, "support-bot", "POST", path, body, "")
		e.must(t, 403, "auditor-bot", "POST", path, body, "")
		e.must(t, 404, "us-support-bot", "GET", path, "", "")
		e.must(t, 422, "admin-bot", "POST", path, `{"name":"Empty","methods":[]}`, "")
		rec := e.must(t, 201, "admin-bot", "POST", path, body, "")
		p := decodeBody[manage.VerificationPolicy](t, rec)
		if rec.Header().Get("ETag") != `"1"` || rec.Header().Get("Location") != APIPrefix+path+"/"+p.ID || len(p.Methods) != 2 {
			t.Fatalf("create: ETag %q, Location %q, body %s", rec.Header().Get("ETag"), rec.Header().Get("Location"), rec.Body)
		}
		e.must(t, 409, "admin-bot", "POST", path, `{"name":"BRANCH","methods":["x"]}`, "")
		l := decodeBody[list[manage.VerificationPolicy]](t, e.must(t, 200, "support-bot", "GET", path, "", ""))
		if len(l.Items) != 1 || l.Items[0].Name != "Branch" {
			t.Errorf("support list = %+v", l)
		}
		got := e.must(t, 200, "auditor-bot", "GET", path+"/"+p.ID, "", "")
		edited := strings.Replace(got.Body.String(), `"document check"`, `"video call"`, 1)
		e.must(t, 428, "admin-bot", "PUT", path+"/"+p.ID, edited, "")
		e.must(t, 403, "support-bot", "PUT", path+"/"+p.ID, edited, `"1"`)
		rec = e.must(t, 200, "admin-bot", "PUT", path+"/"+p.ID, edited, `"1"`)
		if rec.Header().Get("ETag") != `"2"` || !strings.Contains(rec.Body.String(), `"video call"`) {
			t.Errorf("PUT: ETag %q, body %s", rec.Header().Get("ETag"), rec.Body)
		}
		e.must(t, 412, "admin-bot", "PUT", path+"/"+p.ID, edited, `"1"`)
		e.must(t, 403, "support-bot", "DELETE", path+"/"+p.ID, "", `"2"`)
		e.must(t, 204, "admin-bot", "DELETE", path+"/"+p.ID, "", `"2"`)
		e.must(t, 404, "admin-bot", "GET", path+"/"+p.ID, "", "")
		entries, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{TargetID: p.ID})
		if err != nil || len(entries) != 3 || entries[0].Action != "verification_policy.deleted" ||
			entries[2].Action != "verification_policy.created" {
			t.Errorf("audit = %+v, %v", entries, err)
		}
	})
}

func TestAccountVerificationsAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		e, acct, usAcct := newVerificationAPI(t, newStore(t))
		p := decodeBody[manage.VerificationPolicy](t, e.must(t, 201, "admin-bot", "POST", "/stores/eu/verification-policies",
			`{"name":"Branch","methods":["in person","video call"]}`, ""))
		path := "/stores/eu/accounts/" + acct + "/verifications"
		verify := encode(t, manage.VerifyInput{PolicyID: p.ID, Method: "video call", Note: "passport"})
		auditBefore := len(mustAudit(t, e))
		for _, c := range []struct {
			token, path, body string
			status            int
		}{
			{"auditor-bot", path, verify, 403},
			{"us-support-bot", path, verify, 403},
			{"customer", path, verify, 403},
			{"support-bot", path, encode(t, manage.VerifyInput{PolicyID: p.ID, Method: "telepathy"}), 422},
			{"support-bot", path, encode(t, manage.VerifyInput{Method: "in person"}), 422},
			{"support-bot", path, `{"policy_id":"` + p.ID + `","method":"in person","level":"high"}`, 400},
			{"support-bot", "/stores/eu/accounts/" + usAcct + "/verifications", verify, 404},
			{"support-bot", "/stores/eu/accounts/missing/verifications", verify, 404},
		} {
			rec := e.call(t, c.token, "POST", c.path, c.body, "")
			if rec.Code != c.status {
				t.Errorf("POST %s as %s with %s: %d, want %d: %s", c.path, c.token, c.body, rec.Code, c.status, rec.Body)
			} else {
				decodeProblem(t, rec)
			}
		}
		if n := len(mustAudit(t, e)); n != auditBefore {
			t.Errorf("refused requests wrote %d audit entries", n-auditBefore)
		}
		rec := e.must(t, 201, "support-bot", "POST", path, verify, "")
		v := decodeBody[manage.Verification](t, rec)
		if !v.Active || v.PolicyName != "Branch" || v.Method != "video call" || v.AdminID != "support-bot" || v.Note != "passport" {
			t.Fatalf("verify answered %s", rec.Body)
		}
		if entry := mustAudit(t, e)[0]; entry.Action != "account.verified" || entry.TargetID != acct || entry.StoreID != "eu" {
			t.Errorf("audit entry = %+v", entry)
		}
		l := decodeBody[verificationList](t, e.must(t, 200, "auditor-bot", "GET", path, "", ""))
		if len(l.Items) != 1 || l.Items[0].ID != v.ID {
			t.Errorf("list = %+v", l)
		}
		e.must(t, 403, "us-support-bot", "GET", path, "", "")

		revoke := path + "/" + v.ID + "/revoke"
		e.must(t, 403, "auditor-bot", "POST", revoke, "", "")
		e.must(t, 403, "us-support-bot", "POST", revoke, "", "")
		e.must(t, 404, "support-bot", "POST", path+"/missing/revoke", "", "")
		r := decodeBody[manage.Verification](t, e.must(t, 200, "support-bot", "POST", revoke, "", ""))
		if r.Active || r.RevokedAt == nil || r.RevokedBy != "support-bot" {
			t.Errorf("revoke answered %+v", r)
		}
		if entry := mustAudit(t, e)[0]; entry.Action != "account.verification_revoked" || !strings.Contains(entry.Before, `"method":"video call"`) {
			t.Errorf("revoke audit entry = %+v", entry)
		}
		e.must(t, 409, "support-bot", "POST", revoke, "", "")
		l = decodeBody[verificationList](t, e.must(t, 200, "support-bot", "GET", path, "", ""))
		if len(l.Items) != 1 || l.Items[0].Active {
			t.Errorf("list after revoking = %+v", l)
		}
	})
}

func mustAudit(t *testing.T, e *storesAPI) []storage.AuditEntry {
	t.Helper()
	entries, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
