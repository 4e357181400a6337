package admin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// accountBots are the clients the account tests' tokens name.
var accountBots = map[string]storage.AdminGrant{
	"support-bot": {Role: storage.RoleSupport},
	"auditor-bot": {Role: storage.RoleAuditor},
	"owner-bot":   {Role: storage.RoleOwner},
	"us-support":  {Role: storage.RoleSupport, StoreIDs: []string{"us"}},
}

// newAccountsAPI is the admin API over a SQLite store with the stores
// "eu" and "us", a client of "eu" with a back-channel logout URI, a group
// and a customer of "eu" signed in to the client.
func newAccountsAPI(t *testing.T, s storage.Store) (*apiEnv, *storage.Account, *storage.Group) {
	t.Helper()
	ctx := t.Context()
	for _, id := range []string{storage.AdministratorsStoreID, "eu", "us"} {
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil && id != storage.AdministratorsStoreID {
			t.Fatal(err)
		}
	}
	e := &apiEnv{t: t, store: s, ids: map[string]string{}}
	tokens := fakeTokens{}
	for client, g := range accountBots {
		g.PrincipalKind, g.PrincipalID = storage.PrincipalClient, client
		e.must(s.CreateAdminGrant(ctx, &g))
		tokens[client] = Principal{ClientID: client, Scopes: []string{Scope}}
	}
	app := &storage.Application{StoreID: "eu", Name: "Shop"}
	e.must(s.CreateApplication(ctx, app))
	e.must(s.CreateClient(ctx, &storage.Client{ID: "shop", ApplicationID: app.ID, Name: "Shop",
		RedirectURIs: []string{"https://shop.example/cb"}, BackchannelLogoutURI: "https://shop.example/logout"}))
	acct := &storage.Account{StoreID: "eu", Status: storage.AccountEnabled, Email: "ann@example.com", EmailConfirmed: true}
	e.must(s.CreateAccount(ctx, acct))
	now := time.Now().UTC()
	e.must(s.CreateSession(ctx, &storage.Session{ID: "sess-ann", AccountID: acct.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	e.must(s.RecordSessionClient(ctx, "sess-ann", "shop"))
	e.must(s.CreateToken(ctx, &storage.Token{Kind: storage.TokenRefresh, Signature: "refresh-sig", RequestID: "req-1",
		ClientID: "shop", Subject: acct.ID, SessionID: "sess-ann", Active: true, ExpiresAt: now.Add(time.Hour)}))
	group := &storage.Group{StoreID: "eu", Name: "staff"}
	e.must(s.CreateGroup(ctx, group))
	renderer, err := themes.New(themes.Options{DefaultLanguage: "en"})
	e.must(err)
	core := manage.NewCore(s, nil)
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(core, s, nil, ""), Audit: manage.NewAudit(s),
		Applications: manage.NewApplications(core, s), Policies: manage.NewPolicies(core, s),
		AccountActions:  manage.NewAccountActions(core, s, session.NewManager(s, session.Config{})),
		AccountProfiles: manage.NewAccountProfiles(core, s, nil), Renderer: renderer})
	e.must(err)
	router := mux.NewRouter()
	h.Mount(router)
	e.srv = httptest.NewServer(router)
	t.Cleanup(e.srv.Close)
	return e, acct, group
}

// checkAccountAudit: the newest entry is the action on the account.
func checkAccountAudit(t *testing.T, e *apiEnv, acct *storage.Account, action string) storage.AuditEntry {
	t.Helper()
	en := e.lastAudit()
	if en.Action != action || en.TargetType != "account" || en.TargetID != acct.ID || en.StoreID != "eu" {
		t.Fatalf("audit entry %s %s %s %s; want %s on account %s", en.Action, en.TargetType, en.TargetID, en.StoreID, action, acct.ID)
	}
	return en
}

func TestAccountProfileAPIRefusals(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, acct, group := newAccountsAPI(t, newStore(t))
		path := "/stores/eu/accounts/" + acct.ID
		admin := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: "root@admins.example"}
		e.must(e.store.CreateAccount(t.Context(), admin))
		n := e.auditCount()
		for _, c := range []struct {
			token, method, path string
			body                any
			status              int
		}{
			{"auditor-bot", http.MethodPost, path + "/disable", nil, http.StatusForbidden},
			{"auditor-bot", http.MethodDelete, path, nil, http.StatusForbidden},
			{"auditor-bot", http.MethodPut, path + "/groups/" + group.ID, nil, http.StatusForbidden},
			{"auditor-bot", http.MethodPost, path + "/end-sessions", nil, http.StatusForbidden},
			{"us-support", http.MethodPost, path + "/disable", nil, http.StatusForbidden},
			{"us-support", http.MethodGet, path, nil, http.StatusForbidden},
			{"support-bot", http.MethodGet, "/stores/us/accounts/" + acct.ID, nil, http.StatusNotFound},
			{"owner-bot", http.MethodGet, "/stores/" + storage.AdministratorsStoreID + "/accounts/" + admin.ID, nil, http.StatusNotFound},
			{"owner-bot", http.MethodPost, "/stores/" + storage.AdministratorsStoreID + "/accounts/" + admin.ID + "/disable", nil, http.StatusNotFound},
			{"support-bot", http.MethodPatch, path, map[string]any{"language": "de"}, http.StatusPreconditionRequired},
			{"support-bot", http.MethodGet, path + "/export?format=pdf", nil, http.StatusBadRequest},
			{"support-bot", http.MethodPut, path + "/groups/nope", nil, http.StatusUnprocessableEntity},
		} {
			e.do(c.token, c.method, c.path, c.body).expect(t, c.token+" "+c.method+" "+c.path, c.status)
		}
		if got, _ := e.store.GetAccount(t.Context(), acct.ID); got.Status != storage.AccountEnabled || e.auditCount() != n {
			t.Error("a refused request changed something")
		}
		e.do("auditor-bot", http.MethodGet, path, nil).expect(t, "auditor reads", http.StatusOK)
	})
}

func TestAccountDisableAPIEndsEverything(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, acct, _ := newAccountsAPI(t, newStore(t))
		path := "/stores/eu/accounts/" + acct.ID
		got := e.do("support-bot", http.MethodPost, path+"/disable", nil).expect(t, "disable", http.StatusOK)
		if got.str("status") != "disabled" || got.header.Get("ETag") == "" {
			t.Errorf("disable answered %s %v", got.raw, got.header)
		}
		en := checkAccountAudit(t, e, acct, "account.disabled")
		if !strings.Contains(en.Before, `"enabled"`) || !strings.Contains(en.After, `"sessions_ended":1`) || !strings.Contains(en.After, `"tokens_revoked":1`) {
			t.Errorf("audit before %s after %s", en.Before, en.After)
		}
		if _, err := e.store.GetSession(t.Context(), "sess-ann"); err == nil {
			t.Error("the session survived")
		}
		if _, err := e.store.GetToken(t.Context(), storage.TokenRefresh, "refresh-sig"); err == nil {
			t.Error("the refresh token survived")
		}
		notices, err := e.store.ClaimLogoutNotices(t.Context(), time.Now().Add(time.Minute), time.Minute, 10)
		e.must(err)
		if len(notices) != 1 || notices[0].ClientID != "shop" || notices[0].SessionID != "sess-ann" {
			t.Errorf("logout notices = %+v", notices)
		}
		e.do("support-bot", http.MethodPost, path+"/enable", nil).expect(t, "enable", http.StatusOK)
		checkAccountAudit(t, e, acct, "account.enabled")
	})
}

func TestAccountPatchAPI(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, acct, _ := newAccountsAPI(t, newStore(t))
		path := "/stores/eu/accounts/" + acct.ID
		get := e.do("support-bot", http.MethodGet, path, nil).expect(t, "get", http.StatusOK)
		tag := get.header.Get("ETag")
		n := e.auditCount()
		bad := e.do("support-bot", http.MethodPatch, path, map[string]any{"email": "nope", "attributes": map[string]string{"x": "y"}},
			"If-Match", tag).expect(t, "bad input", http.StatusUnprocessableEntity)
		if !strings.Contains(string(bad.raw), `"email"`) || !strings.Contains(string(bad.raw), `"attributes.x"`) {
			t.Errorf("field errors: %s", bad.raw)
		}
		if e.auditCount() != n {
			t.Error("a refused edit wrote an entry")
		}
		ok := e.do("support-bot", http.MethodPatch, path, map[string]any{"email": "ann2@example.com"}, "If-Match", tag).expect(t, "edit", http.StatusOK)
		if ok.str("email") != "ann2@example.com" || ok.body["email_confirmed"] != false || ok.header.Get("ETag") == tag {
			t.Errorf("after the edit: %s (ETag %s)", ok.raw, ok.header.Get("ETag"))
		}
		checkAccountAudit(t, e, acct, "account.attributes_updated")
		e.do("support-bot", http.MethodPatch, path, map[string]any{"language": "de"}, "If-Match", tag).expect(t, "stale", http.StatusPreconditionFailed)
		e.do("auditor-bot", http.MethodPatch, path, map[string]any{"language": "de"}, "If-Match", ok.header.Get("ETag")).expect(t, "auditor", http.StatusForbidden)
	})
}

func TestAccountGroupsAPI(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, acct, group := newAccountsAPI(t, newStore(t))
		path := "/stores/eu/accounts/" + acct.ID + "/groups"
		e.do("support-bot", http.MethodPut, path+"/"+group.ID, nil).expect(t, "add", http.StatusNoContent)
		en := checkAccountAudit(t, e, acct, "account.group_added")
		if !strings.Contains(en.After, `"staff"`) {
			t.Errorf("audit after = %s", en.After)
		}
		list := e.do("auditor-bot", http.MethodGet, path, nil).expect(t, "list", http.StatusOK)
		if !strings.Contains(string(list.raw), `"staff"`) {
			t.Errorf("groups = %s", list.raw)
		}
		e.do("support-bot", http.MethodDelete, path+"/"+group.ID, nil).expect(t, "remove", http.StatusNoContent)
		checkAccountAudit(t, e, acct, "account.group_removed")
		e.do("us-support", http.MethodPut, path+"/"+group.ID, nil).expect(t, "other store", http.StatusForbidden)
	})
}

func TestAccountDeleteAndExportAPI(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e, acct, _ := newAccountsAPI(t, newStore(t))
		path := "/stores/eu/accounts/" + acct.ID
		e.must(e.store.SetPassword(t.Context(), acct.ID, "$argon2id$v=19$m=1$c2FsdA$aGFzaA"))
		x := e.do("support-bot", http.MethodGet, path+"/export", nil).expect(t, "export json", http.StatusOK)
		for _, secret := range []string{"argon2id", "aGFzaA", "refresh-sig", "sess-ann"} {
			if strings.Contains(string(x.raw), secret) {
				t.Errorf("the export holds %q", secret)
			}
		}
		if x.body["admin"] == nil || x.body["profile"] == nil || !strings.Contains(x.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export = %s", x.raw)
		}
		page := e.do("support-bot", http.MethodGet, path+"/export?format=html", nil).expect(t, "export html", http.StatusOK)
		if !strings.Contains(string(page.raw), "ann@example.com") || page.header.Get("Content-Security-Policy") == "" {
			t.Errorf("html export: %v %s", page.header, page.raw)
		}
		end := e.do("support-bot", http.MethodPost, path+"/end-sessions", nil).expect(t, "end sessions", http.StatusOK)
		if end.body["sessions_ended"] != 1.0 {
			t.Errorf("end-sessions = %s", end.raw)
		}
		checkAccountAudit(t, e, acct, "account.sessions_ended")
		e.do("support-bot", http.MethodDelete, path, nil).expect(t, "delete", http.StatusNoContent)
		checkAccountAudit(t, e, acct, "account.deleted")
		e.do("support-bot", http.MethodGet, path, nil).expect(t, "gone", http.StatusNotFound)
	})
}
