package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// newSearchAPIEnv is the API environment with the account search wired
// (the shared environment does not build it) and the accounts of store A:
// the environment's customer and three more.
func newSearchAPIEnv(t *testing.T, store storage.Store) *apiEnv {
	t.Helper()
	e := newAPIEnv(t, store)
	ctx := context.Background()
	is, err := store.GetIdentityStore(ctx, storeA)
	e.must(err)
	is.Attributes = []storage.AttributeDef{{Name: "city", AdminVisible: true}}
	e.must(store.UpdateIdentityStore(ctx, is, is.Version))
	for _, a := range []*storage.Account{
		{StoreID: storeA, Email: "ann@example.com", EmailConfirmed: true, Attributes: map[string]string{"city": "Berlin"}},
		{StoreID: storeA, Email: "a_b@example.com", Status: storage.AccountDisabled},
		{StoreID: storeA, Email: "abc@example.com"},
		{StoreID: storeB, Email: "ann@example.com"},
	} {
		if a.Status == "" {
			a.Status = storage.AccountEnabled
		}
		e.must(store.CreateAccount(ctx, a))
	}
	tokens := fakeTokens{}
	for name := range roleTokens {
		tokens[name] = Principal{Subject: e.ids[name], ClientID: manage.ConsoleClientID}
	}
	tokens["robot"] = Principal{ClientID: "robot", Scopes: []string{Scope}}
	core := manage.NewCore(store, nil)
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(core, store, testRegistry{}),
		Administrators: manage.NewAdministrators(core, store, e.mailer, "https://id.example"), Audit: manage.NewAudit(store),
		Applications: manage.NewApplications(core, store), Policies: manage.NewPolicies(core, store),
		AccountSearch: manage.NewAccountSearch(core, store)})
	e.must(err)
	router := mux.NewRouter()
	h.Mount(router)
	e.srv.Close()
	e.srv = httptest.NewServer(router)
	t.Cleanup(e.srv.Close)
	return e
}

func emailsOf(r response) []string {
	items, _ := r.body["items"].([]any)
	var out []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		s, _ := m["email"].(string)
		out = append(out, s)
	}
	return out
}

func TestSearchAccountsAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newSearchAPIEnv(t, newStore(t))
		path := "/stores/" + storeA + "/accounts"
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"sort=email", []string{"a_b@example.com", "abc@example.com", "ann@example.com", "customer@example.com"}},
			{"email_prefix=A_&sort=email", []string{"a_b@example.com"}},
			{"email=ANN@EXAMPLE.COM", []string{"ann@example.com"}},
			{"attr.city=berlin", []string{"ann@example.com"}},
			{"attr_prefix.city=BER", []string{"ann@example.com"}},
			{"status=disabled", []string{"a_b@example.com"}},
		} {
			r := e.do("support", http.MethodGet, path+"?"+c.query, nil).expect(t, c.query, http.StatusOK)
			if got := emailsOf(r); !equalList(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		r := e.do("auditor", http.MethodGet, path+"?email=ann@example.com", nil).expect(t, "auditor", http.StatusOK)
		item := r.body["items"].([]any)[0].(map[string]any)
		if labels := item["labels"].([]any); len(labels) != 2 || labels[0] != "enabled" || labels[1] != "email_verified" {
			t.Errorf("labels = %v, want enabled, email_verified", labels)
		}
		if _, ok := item["last_login_at"]; !ok || item["id"] == "" || item["created_at"] == "" {
			t.Errorf("summary lacks fields: %v", item)
		}
	})
}

func TestSearchAccountsAPIPaging(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newSearchAPIEnv(t, newStore(t))
		path := "/stores/" + storeA + "/accounts?sort=email&limit=3"
		first := e.do("support", http.MethodGet, path, nil).expect(t, "first page", http.StatusOK)
		next := first.str("next_cursor")
		if len(emailsOf(first)) != 3 || next == "" {
			t.Fatalf("first page %s, want 3 items and a cursor", first.raw)
		}
		second := e.do("support", http.MethodGet, path+"&cursor="+url.QueryEscape(next), nil).expect(t, "second page", http.StatusOK)
		if got := emailsOf(second); !equalList(got, []string{"customer@example.com"}) || second.str("next_cursor") != "" {
			t.Errorf("second page %s, want the last account and no cursor", second.raw)
		}
		bad := e.do("support", http.MethodGet, "/stores/"+storeA+"/accounts?sort=-email&limit=3&cursor="+url.QueryEscape(next), nil).
			expect(t, "cursor of another sort", http.StatusBadRequest)
		if !hasFieldError(bad, "cursor") {
			t.Errorf("another sort's cursor: %s, want an error naming cursor", bad.raw)
		}
	})
}

func TestSearchAccountsAPIRefusals(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newSearchAPIEnv(t, newStore(t))
		path := "/stores/" + storeA + "/accounts"
		for _, c := range []struct {
			query, field string
		}{
			{"attr.shoe_size=42", "attr.shoe_size"},
			{"created_after=yesterday", "created_after"},
			{"status=gone", "status"},
			{"limit=500", "limit"},
			{"limit=ten", "limit"},
			{"sort=name", "sort"},
			{"email_verified=maybe", "email_verified"},
		} {
			r := e.do("support", http.MethodGet, path+"?"+c.query, nil).expect(t, c.query, http.StatusBadRequest)
			if !hasFieldError(r, c.field) {
				t.Errorf("%s: %s, want an error naming %s", c.query, r.raw, c.field)
			}
		}
		e.do("admin-b", http.MethodGet, path, nil).expect(t, "an administrator of store B", http.StatusForbidden)
		e.do("owner", http.MethodGet, "/stores/"+storage.AdministratorsStoreID+"/accounts", nil).
			expect(t, "the administrators store", http.StatusNotFound)
		e.do("support", http.MethodGet, "/stores/nope/accounts", nil).expect(t, "an unknown store", http.StatusNotFound)
		e.do("", http.MethodGet, path, nil).expect(t, "no token", http.StatusUnauthorized)
	})
}

func TestPinnedSearchFieldsAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		e := newSearchAPIEnv(t, newStore(t))
		const path = "/me/pinned-search-fields"
		r := e.do("support", http.MethodGet, path, nil).expect(t, "no pins yet", http.StatusOK)
		if f, _ := r.body["fields"].([]any); f == nil || len(f) != 0 {
			t.Errorf("pins before any = %s, want an empty list", r.raw)
		}
		e.do("support", http.MethodPut, path, map[string]any{"fields": []string{"attr.city", "email_prefix"}}).expect(t, "pin", http.StatusOK)
		e.do("support", http.MethodPut, path, map[string]any{"fields": []string{"password"}}).expect(t, "pin an unknown field", http.StatusUnprocessableEntity)
		r = e.do("support", http.MethodGet, path, nil).expect(t, "pins", http.StatusOK)
		if f, _ := r.body["fields"].([]any); len(f) != 2 || f[0] != "attr.city" || f[1] != "email_prefix" {
			t.Errorf("pins = %s, want attr.city, email_prefix", r.raw)
		}
		if r := e.do("auditor", http.MethodGet, path, nil).expect(t, "another administrator's pins", http.StatusOK); len(r.body["fields"].([]any)) != 0 {
			t.Errorf("the auditor sees the support's pins: %s", r.raw)
		}
		e.do("robot", http.MethodGet, path, nil).expect(t, "a client", http.StatusForbidden)
	})
}

func equalList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func hasFieldError(r response, field string) bool {
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["field"] == field {
			return true
		}
	}
	return false
}
