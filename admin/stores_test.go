package admin

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// storesAPI is the API over a real database holding the administrators
// store and "eu", with one client-credentials token per role (each client
// granted that role in the database) and a customer's token.
type storesAPI struct {
	s      storage.Store
	router *mux.Router
}

// botGrants are the clients the tokens name and the grant each holds.
var botGrants = map[string]storage.AdminGrant{
	"owner-bot":   {Role: storage.RoleOwner},
	"admin-bot":   {Role: storage.RoleAdmin},
	"support-bot": {Role: storage.RoleSupport},
	"auditor-bot": {Role: storage.RoleAuditor},
	"eu-bot":      {Role: storage.RoleAdmin, StoreIDs: []string{"eu"}},
}

func bothStoresAPI(t *testing.T, fn func(t *testing.T, e *storesAPI)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newStoresAPI(t, newStore(t)))
	})
}

func newStoresAPI(t *testing.T, s storage.Store) *storesAPI {
	t.Helper()
	ctx := t.Context()
	for _, id := range []string{storage.AdministratorsStoreID, "eu"} {
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := fakeTokens{"customer": {Subject: "someone", ClientID: "shop", Scopes: []string{Scope}}}
	for client, g := range botGrants {
		g.PrincipalKind, g.PrincipalID = storage.PrincipalClient, client
		if err := s.CreateAdminGrant(ctx, &g); err != nil {
			t.Fatal(err)
		}
		tokens[client] = Principal{ClientID: client, Scopes: []string{Scope}}
	}
	core := manage.NewCore(s, nil)
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(nil, nil, nil),
		Administrators: manage.NewAdministrators(core, s, nil, ""), Audit: manage.NewAudit(s),
		Applications: manage.NewApplications(core, s), Policies: manage.NewPolicies(core, s),
		Stores: StoreServices{Stores: manage.NewStores(core, s), Groups: manage.NewGroups(core, s),
			Roles: manage.NewRoles(core, s), Organizations: manage.NewOrganizations(core, s),
			PartnerCodes: manage.NewPartnerCodes(core, s)},
		PartnerLookups: manage.NewPartnerLookups(core, s, newTestSealer(t)),
		Upstreams:      manage.NewUpstreams(core, s, newTestSealer(t), "https://id.example"),
		Brandings:      manage.NewBrandings(core, s),
		Translations:   manage.NewTranslations(core, s, testRenderer(t))})
	if err != nil {
		t.Fatal(err)
	}
	router := mux.NewRouter()
	h.Mount(router)
	return &storesAPI{s: s, router: router}
}

// call sends a request as the token's holder; ifMatch "" sends none.
func (e *storesAPI) call(t *testing.T, token, method, path, body, ifMatch string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, APIPrefix+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

// must is call that fails the test unless the status is want.
func (e *storesAPI) must(t *testing.T, want int, token, method, path, body, ifMatch string) *httptest.ResponseRecorder {
	t.Helper()
	rec := e.call(t, token, method, path, body, ifMatch)
	if rec.Code != want {
		t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, token, rec.Code, want, rec.Body)
	}
	return rec
}

func decodeBody[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %s: %v", rec.Body, err)
	}
	return v
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const usStore = `{"id":"us","name":"United States","identifier_types":["email"],
	"attributes":[{"name":"tier","type":"enum","options":["gold"],"visible":true}]}`

// Each role where it is allowed and refused: a store the caller may read
// but not change is 403, one it may not read (outside its grant, or the
// administrators store for anyone but an owner) 404.
func TestStoresAPIRoles(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		cases := []struct {
			token, method, path, body, ifMatch string
			status                             int
		}{
			{"customer", "GET", "/stores", "", "", 403},
			{"support-bot", "POST", "/stores", usStore, "", 403},
			{"auditor-bot", "POST", "/stores", usStore, "", 403},
			{"eu-bot", "POST", "/stores", usStore, "", 403},
			{"admin-bot", "GET", "/stores/" + storage.AdministratorsStoreID, "", "", 404},
			{"auditor-bot", "GET", "/stores/" + storage.AdministratorsStoreID, "", "", 404},
			{"owner-bot", "GET", "/stores/" + storage.AdministratorsStoreID, "", "", 200},
			{"owner-bot", "DELETE", "/stores/" + storage.AdministratorsStoreID, "", `"1"`, 403},
			{"auditor-bot", "GET", "/stores/eu", "", "", 200},
			{"support-bot", "PUT", "/stores/eu", `{"name":"x","identifier_types":["email"]}`, `"1"`, 403},
			{"support-bot", "GET", "/stores/eu/groups", "", "", 200},
			{"auditor-bot", "POST", "/stores/eu/groups", `{"name":"g"}`, "", 403},
			{"admin-bot", "GET", "/stores/nowhere/groups", "", "", 404},
			{"admin-bot", "POST", "/stores", usStore, "", 201},
			{"eu-bot", "GET", "/stores/us", "", "", 404},
			{"eu-bot", "POST", "/stores/us/roles", `{"name":"r"}`, "", 404},
			{"eu-bot", "POST", "/stores/eu/roles", `{"name":"r"}`, "", 201},
			{"customer", "POST", "/stores/eu/organizations", `{"name":"o"}`, "", 403},
		}
		for _, c := range cases {
			rec := e.call(t, c.token, c.method, c.path, c.body, c.ifMatch)
			if rec.Code != c.status {
				t.Errorf("%s %s as %s: status %d, want %d: %s", c.method, c.path, c.token, rec.Code, c.status, rec.Body)
			} else if c.status >= 400 {
				decodeProblem(t, rec)
			}
		}
		seen := func(token string) []string {
			l := decodeBody[list[manage.IdentityStore]](t, e.must(t, 200, token, "GET", "/stores", "", ""))
			var ids []string
			for _, s := range l.Items {
				ids = append(ids, s.ID)
			}
			return ids
		}
		if got := seen("auditor-bot"); !slices.Equal(got, []string{"eu", "us"}) {
			t.Errorf("auditor sees %v, want [eu us]", got)
		}
		if got := seen("eu-bot"); !slices.Equal(got, []string{"eu"}) {
			t.Errorf("eu-bot sees %v, want [eu]", got)
		}
		if got := seen("owner-bot"); !slices.Equal(got, []string{storage.AdministratorsStoreID, "eu", "us"}) {
			t.Errorf("owner sees %v", got)
		}
	})
}

func TestStoresAPILifecycle(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		rec := e.must(t, 201, "admin-bot", "POST", "/stores", usStore, "")
		if rec.Header().Get("Location") != APIPrefix+"/stores/us" || rec.Header().Get("ETag") != `"1"` {
			t.Errorf("Location %q, ETag %q", rec.Header().Get("Location"), rec.Header().Get("ETag"))
		}
		e.must(t, 409, "admin-bot", "POST", "/stores", usStore, "")

		got := e.must(t, 200, "admin-bot", "GET", "/stores/us", "", "")
		if got.Header().Get("ETag") != `"1"` || !strings.Contains(got.Body.String(), `"attributes"`) {
			t.Errorf("GET: ETag %q, body %s", got.Header().Get("ETag"), got.Body)
		}
		// GET, edit, PUT: the read-only fields go back unchanged.
		edited := strings.Replace(got.Body.String(), `"United States"`, `"USA"`, 1)
		e.must(t, 428, "admin-bot", "PUT", "/stores/us", edited, "")
		e.must(t, 412, "admin-bot", "PUT", "/stores/us", edited, `"7"`)
		e.must(t, 400, "admin-bot", "PUT", "/stores/us", edited, `W/"1"`)
		rec = e.must(t, 200, "admin-bot", "PUT", "/stores/us", edited, `"1"`)
		if rec.Header().Get("ETag") != `"2"` || decodeBody[manage.IdentityStore](t, rec).Name != "USA" {
			t.Errorf("PUT: ETag %q, body %s", rec.Header().Get("ETag"), rec.Body)
		}
		e.must(t, 412, "admin-bot", "PUT", "/stores/us", edited, `"1"`)
		e.must(t, 400, "admin-bot", "PUT", "/stores/eu", edited, `"1"`) // the body names another store

		entries, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{TargetID: "us"})
		if err != nil || len(entries) != 2 || entries[0].Action != "store.renamed" || entries[0].ActorID != "admin-bot" ||
			entries[0].ActorKind != storage.PrincipalClient || entries[1].Action != "store.created" {
			t.Errorf("audit entries = %+v, %v", entries, err)
		}

		e.must(t, 428, "admin-bot", "DELETE", "/stores/us", "", "")
		e.must(t, 412, "admin-bot", "DELETE", "/stores/us", "", `"1"`)
		if err := e.s.CreateAccount(t.Context(), &storage.Account{StoreID: "us", Email: "a@example.com"}); err != nil {
			t.Fatal(err)
		}
		p := decodeProblem(t, e.must(t, 409, "admin-bot", "DELETE", "/stores/us", "", `"2"`))
		if p.Detail == "" {
			t.Errorf("409 without detail: %+v", p)
		}
		e.must(t, 204, "owner-bot", "DELETE", "/stores/eu", "", `"1"`)
		e.must(t, 404, "owner-bot", "GET", "/stores/eu", "", "")
	})
}

func TestStoresAPIValidation(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		rec := e.must(t, 422, "admin-bot", "POST", "/stores", `{"id":"Bad","name":"","identifier_types":["fax"],
			"attributes":[{"name":"x","type":"enum"},{"name":"y","pattern":"("}]}`, "")
		p := decodeProblem(t, rec)
		var fields []string
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		want := []string{"attributes[0].options", "attributes[1].pattern", "id", "identifier_types[0]", "name"}
		if !slices.Equal(fields, want) || p.Type != ProblemValidation {
			t.Errorf("422 fields %v, want %v (%+v)", fields, want, p)
		}
		e.must(t, 400, "admin-bot", "POST", "/stores", `{"name":"x","identifier_types":["email"],"colour":"red"}`, "")
		e.must(t, 400, "admin-bot", "GET", "/stores?limit=0", "", "")
		e.must(t, 422, "admin-bot", "POST", "/stores/eu/organizations", `{"name":"Acme","domains":["localhost"]}`, "")
		e.must(t, 422, "admin-bot", "POST", "/stores/eu/groups", `{"name":"two words"}`, "")
		if n, _ := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{}); len(n) != 0 {
			t.Errorf("refused input wrote %d audit entries", len(n))
		}
	})
}

// The parts of a store share their endpoints' shape: create, page, read
// with an ETag, replace under If-Match, delete.
func TestStorePartsAPI(t *testing.T) {
	bothStoresAPI(t, func(t *testing.T, e *storesAPI) {
		for _, part := range []struct{ plural, first, second, renamed string }{
			{"groups", `{"name":"gold"}`, `{"name":"silver"}`, "platinum"},
			{"roles", `{"name":"Editor","description":"Edits"}`, `{"name":"viewer"}`, "Writer"},
			{"organizations", `{"name":"Acme","partner":true,"domains":["Acme.com"]}`, `{"name":"Globex"}`, "Acme Corp"},
		} {
			base := "/stores/eu/" + part.plural
			rec := e.must(t, 201, "eu-bot", "POST", base, part.first, "")
			loc := strings.TrimPrefix(rec.Header().Get("Location"), APIPrefix)
			if !strings.HasPrefix(loc, base+"/") || rec.Header().Get("ETag") != `"1"` {
				t.Fatalf("%s: Location %q, ETag %q", part.plural, loc, rec.Header().Get("ETag"))
			}
			e.must(t, 409, "eu-bot", "POST", base, part.first, "")
			e.must(t, 201, "eu-bot", "POST", base, part.second, "")

			first := decodeBody[list[json.RawMessage]](t, e.must(t, 200, "auditor-bot", "GET", base+"?limit=1", "", ""))
			if len(first.Items) != 1 || first.NextCursor == "" {
				t.Fatalf("%s: first page %+v", part.plural, first)
			}
			rest := decodeBody[list[json.RawMessage]](t, e.must(t, 200, "auditor-bot", "GET", base+"?limit=1&cursor="+first.NextCursor, "", ""))
			if len(rest.Items) != 1 || rest.NextCursor != "" || string(rest.Items[0]) == string(first.Items[0]) {
				t.Fatalf("%s: second page %+v", part.plural, rest)
			}

			// GET, edit, PUT: the read-only fields go back unchanged.
			got := decodeBody[map[string]any](t, e.must(t, 200, "eu-bot", "GET", loc, "", ""))
			got["name"] = part.renamed
			edited := encode(t, got)
			e.must(t, 428, "eu-bot", "PUT", loc, edited, "")
			rec = e.must(t, 200, "eu-bot", "PUT", loc, edited, `"1"`)
			if rec.Header().Get("ETag") != `"2"` || decodeBody[map[string]any](t, rec)["name"] != part.renamed {
				t.Errorf("%s: PUT ETag %q, body %s", part.plural, rec.Header().Get("ETag"), rec.Body)
			}
			e.must(t, 412, "eu-bot", "PUT", loc, edited, `"1"`)
			got["store_id"] = "us"
			e.must(t, 400, "eu-bot", "PUT", loc, encode(t, got), `"2"`)
			e.must(t, 403, "support-bot", "DELETE", loc, "", `"2"`)
			e.must(t, 412, "eu-bot", "DELETE", loc, "", `"1"`)
			e.must(t, 204, "eu-bot", "DELETE", loc, "", `"2"`)
			e.must(t, 404, "eu-bot", "GET", loc, "", "")
		}
		entries, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{StoreID: "eu"})
		if err != nil || len(entries) != 12 {
			t.Fatalf("audit entries = %d, %v; want 4 per part", len(entries), err)
		}
		for _, a := range []string{"group.created", "group.renamed", "group.deleted", "role.updated", "organization.deleted"} {
			if !slices.ContainsFunc(entries, func(x storage.AuditEntry) bool {
				return x.Action == a && x.ActorID == "eu-bot" && x.Role == storage.RoleAdmin
			}) {
				t.Errorf("no %s entry by eu-bot", a)
			}
		}
	})
}
