package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// jobsAPI is the account jobs' endpoints over a real store: stores A and
// B with a group each, administrators by role (support-b limited to store
// B), and jobs whose disable action sets the status (AccountActions' own
// are tested with them).
type jobsAPI struct {
	*apiEnv
	jobs     *manage.AccountJobs
	accounts []string
}

func newJobsAPI(t *testing.T, store storage.Store) *jobsAPI {
	t.Helper()
	ctx := context.Background()
	e := &jobsAPI{apiEnv: &apiEnv{t: t, store: store, ids: map[string]string{}}}
	for _, id := range []string{storage.AdministratorsStoreID, storeA, storeB} {
		if err := store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil && id != storage.AdministratorsStoreID {
			t.Fatal(err)
		}
		e.must(store.CreateGroup(ctx, &storage.Group{ID: "vip-" + id, StoreID: id, Name: "vip"}))
	}
	tokens := fakeTokens{}
	for name, g := range map[string]storage.AdminGrant{
		"owner": {Role: storage.RoleOwner}, "support": {Role: storage.RoleSupport}, "auditor": {Role: storage.RoleAuditor},
		"admin": {Role: storage.RoleAdmin}, "support-b": {Role: storage.RoleSupport, StoreIDs: []string{storeB}},
	} {
		acct := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled, Email: name + "@admins.example"}
		e.must(store.CreateAccount(ctx, acct))
		g.PrincipalKind, g.PrincipalID = storage.PrincipalAdministrator, acct.ID
		e.must(store.CreateAdminGrant(ctx, &g))
		e.ids[name] = acct.ID
		tokens[name] = Principal{Subject: acct.ID, ClientID: manage.ConsoleClientID}
	}
	for range 3 {
		acct := &storage.Account{StoreID: storeA, Status: storage.AccountEnabled}
		e.must(store.CreateAccount(ctx, acct))
		e.accounts = append(e.accounts, acct.ID)
	}
	core := manage.NewCore(store, nil)
	disable := func(ctx context.Context, _ manage.Actor, acct *storage.Account, _ string) (manage.Change, error) {
		return manage.Change{Action: "account.disabled", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID},
			store.SetAccountStatus(ctx, acct.ID, storage.AccountDisabled)
	}
	e.jobs = manage.NewAccountJobs(core, store, func(name string) (manage.AccountAction, bool) {
		return disable, name != "explode"
	}, manage.NewSearchSelector(manage.NewAccountSearch(core, store), store))
	h, err := New(Deps{Tokens: tokens, Core: core, Clients: manage.NewClients(core, store, testRegistry{}),
		Administrators: manage.NewAdministrators(core, store, nil, "https://id.example"), Audit: manage.NewAudit(store),
		Applications: manage.NewApplications(core, store), Policies: manage.NewPolicies(core, store), AccountJobs: e.jobs})
	e.must(err)
	router := mux.NewRouter()
	h.Mount(router)
	e.srv = httptest.NewServer(router)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *jobsAPI) runJobs() {
	e.t.Helper()
	r := e.jobs.NewRunner(manage.RunnerConfig{})
	for {
		ran, err := r.RunOnce(context.Background())
		e.must(err)
		if !ran {
			return
		}
	}
}

func TestAccountJobsAPI(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		e := newJobsAPI(t, newStore(t))
		base := "/stores/" + storeA + "/account-jobs"
		in := map[string]any{"action": "disable", "account_ids": e.accounts}

		started := e.do("support", http.MethodPost, base, in).expect(t, "start as support", http.StatusAccepted)
		id := started.str("id")
		if loc := started.header.Get("Location"); loc != APIPrefix+base+"/"+id {
			t.Errorf("Location = %q", loc)
		}
		if started.str("status") != "queued" || started.body["total"] != float64(3) || started.str("started_by") != "support@admins.example" {
			t.Errorf("started job = %s", started.raw)
		}
		if a := e.lastAudit(); a.Action != "account_job.started" || a.TargetID != id || a.ActorID != e.ids["support"] || a.StoreID != storeA {
			t.Errorf("audit entry = %+v", a)
		}
		e.runJobs()
		got := e.do("auditor", http.MethodGet, base+"/"+id, nil).expect(t, "get as auditor", http.StatusOK)
		if got.str("status") != "done" || got.body["processed"] != float64(3) || got.body["failed"] != float64(0) {
			t.Errorf("finished job = %s", got.raw)
		}
		list := e.do("auditor", http.MethodGet, base+"?limit=1", nil).expect(t, "list", http.StatusOK)
		if items, _ := list.body["items"].([]any); len(items) != 1 {
			t.Errorf("list = %s", list.raw)
		}
		fails := e.do("support", http.MethodGet, base+"/"+id+"/failures", nil).expect(t, "failures", http.StatusOK)
		if items, _ := fails.body["items"].([]any); len(items) != 0 {
			t.Errorf("failures = %s", fails.raw)
		}
		e.do("support", http.MethodPost, base+"/"+id+"/cancel", nil).expect(t, "cancel a finished job", http.StatusConflict)

		// Writes refused to the auditor and to another store's support;
		// reads to the latter. An admin may (WriteAccounts).
		e.do("auditor", http.MethodPost, base, in).expect(t, "start as auditor", http.StatusForbidden)
		e.do("admin", http.MethodPost, base, in).expect(t, "start as admin", http.StatusAccepted)
		e.do("support-b", http.MethodPost, base, in).expect(t, "start as store B's support", http.StatusNotFound)
		e.do("support-b", http.MethodGet, base+"/"+id, nil).expect(t, "get as store B's support", http.StatusNotFound)
		e.do("support-b", http.MethodGet, "/stores/"+storeB+"/account-jobs/"+id, nil).expect(t, "get through store B", http.StatusNotFound)

		// A running job can be cancelled, by support only.
		next := e.do("support", http.MethodPost, base, in).expect(t, "start again", http.StatusAccepted).str("id")
		e.do("auditor", http.MethodPost, base+"/"+next+"/cancel", nil).expect(t, "cancel as auditor", http.StatusForbidden)
		c := e.do("support", http.MethodPost, base+"/"+next+"/cancel", nil).expect(t, "cancel", http.StatusOK)
		if c.str("status") != "cancelled" {
			t.Errorf("cancelled job = %s", c.raw)
		}
		if a := e.lastAudit(); a.Action != "account_job.cancelled" || a.TargetID != next {
			t.Errorf("audit entry = %+v", a)
		}
	})
}

// Bad input is a problem document and creates nothing.
func TestAccountJobsAPIRefusesBadInput(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		e := newJobsAPI(t, newStore(t))
		base := "/stores/" + storeA + "/account-jobs"
		before := e.auditCount()
		for name, c := range map[string]struct {
			body   any
			status int
			field  string
		}{
			"unknown action":     {map[string]any{"action": "explode", "account_ids": e.accounts}, 422, "action"},
			"group of store B":   {map[string]any{"action": "add_to_group", "group": "vip-" + storeB, "account_ids": e.accounts}, 422, "group"},
			"empty selection":    {map[string]any{"action": "disable"}, 422, "account_ids"},
			"delete unconfirmed": {map[string]any{"action": "delete", "account_ids": e.accounts}, 422, "confirm"},
			"unknown field":      {map[string]any{"action": "disable", "accounts": e.accounts}, 400, ""},
			"not JSON":           {"{", 400, ""},
		} {
			r := e.do("support", http.MethodPost, base, c.body).expect(t, name, c.status)
			if c.field != "" && !hasFieldError(r, c.field) {
				t.Errorf("%s: %s, want an error for %s", name, r.raw, c.field)
			}
		}
		if n := e.auditCount(); n != before {
			t.Errorf("audit entries %d → %d", before, n)
		}
		list := e.do("support", http.MethodGet, base, nil).expect(t, "list", http.StatusOK)
		if items, _ := list.body["items"].([]any); len(items) != 0 {
			t.Errorf("jobs created: %s", list.raw)
		}
		e.do("support", http.MethodGet, base+"?cursor=bm9wZQ", nil).expect(t, "unknown cursor", http.StatusBadRequest)
		e.do("support", http.MethodGet, base+"/no-such-job", nil).expect(t, "unknown job", http.StatusNotFound)
	})
}
