package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// jobsEnv is the console with the bulk quick actions wired: the real
// actions (manage.AccountActions) over the harness's sessions, a group in
// each store and three accounts in store A.
type jobsEnv struct {
	*testEnv
	jobs     *manage.AccountJobs
	accounts []string
	groupA   string
	groupB   string
}

func newJobsEnv(t *testing.T, e *testEnv) *jobsEnv {
	t.Helper()
	cs := e.store.(consoleStore)
	core := manage.NewCore(cs, e.clock.Now)
	actions := manage.NewAccountActions(core, e.store, e.sessions)
	je := &jobsEnv{testEnv: e, jobs: manage.NewAccountJobs(core, e.store, actions.QuickAction, manage.NewSearchSelector(manage.NewAccountSearch(core, e.store), e.store))}
	e.handler.accountJobs = je.jobs
	ctx := context.Background()
	for _, g := range []*storage.Group{{StoreID: storeA, Name: "vip-a"}, {StoreID: storeB, Name: "vip-b"}} {
		if err := e.store.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		if g.StoreID == storeA {
			je.groupA = g.ID
		} else {
			je.groupB = g.ID
		}
	}
	for _, email := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
		je.accounts = append(je.accounts, e.account(t, storeA, email).ID)
	}
	return je
}

// run works through the queued jobs as a node would.
func (e *jobsEnv) run(t *testing.T) {
	t.Helper()
	r := e.jobs.NewRunner(manage.RunnerConfig{})
	for {
		ran, err := r.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func (e *jobsEnv) count(t *testing.T, action string) int {
	t.Helper()
	n := 0
	for _, a := range e.auditActions(t) {
		if a == action {
			n++
		}
	}
	return n
}

const actionsPath = "/admin/stores/" + storeA + "/accounts/actions"

// TestAccountJobsConsole: support selects accounts and disables them; the
// browser goes to the job's page, which reloads itself while the job
// runs and shows how it ended; the store's jobs list it.
func TestAccountJobsConsole(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, te *testEnv) {
		e := newJobsEnv(t, te)
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		got := br.post(t, actionsPath, url.Values{"action": {"disable"}, "account": append(e.accounts[:2:2], "no-such-account")})
		if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/admin/stores/"+storeA+"/jobs/") {
			t.Fatalf("start: %d to %q", got.status, got.location)
		}
		page := br.get(t, got.location)
		if page.status != http.StatusOK || !strings.Contains(page.body, `<meta http-equiv="refresh" content="2">`) ||
			!strings.Contains(page.body, "Waiting to start") || !strings.Contains(page.body, "0 of 3 processed") {
			t.Fatalf("job page while queued: %d\n%s", page.status, page.body)
		}
		e.run(t)
		page = br.get(t, got.location)
		if strings.Contains(page.body, `http-equiv="refresh"`) || !strings.Contains(page.body, ">Done<") ||
			!strings.Contains(page.body, "3 of 3 processed") || strings.Contains(page.body, "Stop the action") ||
			!strings.Contains(page.body, `<td><code>no-such-account</code></td><td>account not found</td>`) {
			t.Errorf("job page when done:\n%s", page.body)
		}
		for i, id := range e.accounts {
			acct, _ := e.store.GetAccount(context.Background(), id)
			if want := i < 2; (acct.Status == storage.AccountDisabled) != want {
				t.Errorf("account %d: status %s", i, acct.Status)
			}
		}
		if n := e.count(t, "account.disabled"); n != 2 {
			t.Errorf("%d account.disabled entries, want 2", n)
		}
		if n := e.count(t, "account_job.started"); n != 1 {
			t.Errorf("%d account_job.started entries, want 1", n)
		}
		list := br.get(t, "/admin/stores/"+storeA+"/jobs")
		if list.status != http.StatusOK || !strings.Contains(list.body, `href="`+got.location+`"`) || !strings.Contains(list.body, "Disable") {
			t.Errorf("jobs list: %d\n%s", list.status, list.body)
		}

		// A whole search result: every enabled account of the store.
		all := br.post(t, actionsPath+"?status=enabled&sort=email&group=", url.Values{"action": {"add_to_group"},
			"group": {e.groupA}, "all": {"1"}})
		if all.status != http.StatusSeeOther {
			t.Fatalf("start over a search: %d\n%s", all.status, all.body)
		}
		if page := br.get(t, all.location); !strings.Contains(page.body, "0 of 1 processed") || !strings.Contains(page.body, "status=enabled") {
			t.Errorf("search job page:\n%s", page.body)
		}
		e.run(t)

		// The account list's form: the search as hidden fields first (its
		// group filter among them), then the action's own (empty) group.
		form := url.Values{"status": {"enabled"}, "action": {"disable"}, "all": {"1"}}
		form["group"] = []string{e.groupA, ""}
		byGroup := br.post(t, actionsPath, form)
		if byGroup.status != http.StatusSeeOther {
			t.Fatalf("start from the list's form: %d\n%s", byGroup.status, byGroup.body)
		}
		if page := br.get(t, byGroup.location); !strings.Contains(page.body, "0 of 1 processed") || !strings.Contains(page.body, "group="+e.groupA) {
			t.Errorf("the list's search job page:\n%s", page.body)
		}
	})
}

// TestAccountJobsConsoleSteps: a deletion is confirmed first, naming how
// many accounts go; a group action without a group asks for one (of the
// store's own groups); refused input shows the error and starts nothing.
func TestAccountJobsConsoleSteps(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, te *testEnv) {
		e := newJobsEnv(t, te)
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		confirm := br.post(t, actionsPath, url.Values{"action": {"delete"}, "account": e.accounts})
		if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "irreversible") ||
			!strings.Contains(confirm.body, "Delete the accounts (3)") || !strings.Contains(confirm.body, `name="confirm" value="yes"`) ||
			strings.Count(confirm.body, `name="account"`) != 3 {
			t.Fatalf("delete without confirmation: %d\n%s", confirm.status, confirm.body)
		}
		pick := br.post(t, actionsPath+"?email_prefix=b", url.Values{"action": {"add_to_group"}, "all": {"1"}})
		if pick.status != http.StatusOK || !strings.Contains(pick.body, `<select id="job-group" name="group"`) ||
			!strings.Contains(pick.body, ">vip-a</option>") || strings.Contains(pick.body, "vip-b") ||
			!strings.Contains(pick.body, `action="`+actionsPath+`?email_prefix=b"`) || !strings.Contains(pick.body, "Accounts selected: 1.") {
			t.Fatalf("group action without a group: %d\n%s", pick.status, pick.body)
		}
		foreign := br.post(t, actionsPath, url.Values{"action": {"remove_from_group"}, "group": {e.groupB}, "account": e.accounts[:1]})
		if foreign.status != http.StatusUnprocessableEntity || !strings.Contains(foreign.body, `id="group-error"`) {
			t.Errorf("another store's group: %d\n%s", foreign.status, foreign.body)
		}
		empty := br.post(t, actionsPath, url.Values{"action": {"disable"}})
		if empty.status != http.StatusUnprocessableEntity || !strings.Contains(empty.body, `id="selection-error"`) {
			t.Errorf("nothing selected: %d\n%s", empty.status, empty.body)
		}
		unknown := br.post(t, actionsPath, url.Values{"action": {"explode"}, "account": e.accounts[:1]})
		if unknown.status != http.StatusUnprocessableEntity || !strings.Contains(unknown.body, `id="action-error"`) {
			t.Errorf("unknown action: %d\n%s", unknown.status, unknown.body)
		}
		if page, _ := e.jobs.List(context.Background(), manage.System(), storeA, "", 10); len(page.Items) != 0 {
			t.Fatalf("jobs started: %+v", page.Items)
		}
		// Confirmed, the deletion runs.
		done := br.post(t, actionsPath, url.Values{"action": {"delete"}, "account": e.accounts, "confirm": {"yes"}})
		if done.status != http.StatusSeeOther {
			t.Fatalf("confirmed delete: %d", done.status)
		}
		e.run(t)
		for _, id := range e.accounts {
			if _, err := e.store.GetAccount(context.Background(), id); err == nil {
				t.Errorf("account %s still there", id)
			}
		}
		if n := e.count(t, "account.deleted"); n != 3 {
			t.Errorf("%d account.deleted entries, want 3", n)
		}
	})
}

// TestAccountJobsConsoleAccess: the auditor sees jobs but cannot start or
// stop one; support stops one; another store's support finds nothing.
func TestAccountJobsConsoleAccess(t *testing.T) {
	t.Parallel()
	onBothStores(t, func(t *testing.T, te *testEnv) {
		e := newJobsEnv(t, te)
		job, err := e.jobs.Start(context.Background(), manage.System(), storeA, manage.AccountJobInput{Action: "enable", AccountIDs: e.accounts})
		if err != nil {
			t.Fatal(err)
		}
		path := "/admin/stores/" + storeA + "/jobs/" + job.ID
		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if got := auditor.get(t, path); got.status != http.StatusOK || strings.Contains(got.body, "Stop the action") {
			t.Errorf("auditor's job page: %d", got.status)
		}
		if got := auditor.post(t, actionsPath, url.Values{"action": {"disable"}, "account": e.accounts}); got.status != http.StatusForbidden {
			t.Errorf("auditor starting a job: %d", got.status)
		}
		if got := auditor.post(t, path+"/cancel", nil); got.status != http.StatusForbidden {
			t.Errorf("auditor stopping a job: %d", got.status)
		}
		other := e.signIn(t, e.admin(t, "other@example.com", grant(storage.RoleSupport, storeB)))
		for _, got := range []response{other.get(t, path), other.get(t, "/admin/stores/"+storeA+"/jobs"),
			other.post(t, actionsPath, url.Values{"action": {"disable"}, "account": e.accounts}), other.post(t, path+"/cancel", nil)} {
			if got.status != http.StatusNotFound {
				t.Errorf("another store's support: %d, want 404", got.status)
			}
		}
		if got := other.get(t, "/admin/stores/"+storeB+"/jobs/"+job.ID); got.status != http.StatusNotFound {
			t.Errorf("store A's job through store B: %d", got.status)
		}
		support := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		if got := support.get(t, path); !strings.Contains(got.body, "Stop the action") {
			t.Errorf("support's job page lacks the stop button")
		}
		if got := support.post(t, path+"/cancel", nil); got.status != http.StatusSeeOther || got.location != path {
			t.Fatalf("stop: %d to %q", got.status, got.location)
		}
		if got := support.get(t, path); !strings.Contains(got.body, ">Stopped<") {
			t.Errorf("stopped job page:\n%s", got.body)
		}
		if n := e.count(t, "account_job.cancelled"); n != 1 {
			t.Errorf("%d account_job.cancelled entries", n)
		}
	})
}

// TestAccountActionsGETGoesToTheList: the actions' address is no account
// id; a GET of it (a reloaded confirmation) returns to the list with the
// search it came from.
func TestAccountActionsGETGoesToTheList(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		br := e.signIn(t, e.admin(t, "support@admins.example", grant(storage.RoleSupport)))
		got := br.get(t, "/admin/stores/"+storeA+"/accounts/actions?status=disabled")
		if got.status != http.StatusSeeOther || got.location != "/admin/stores/"+storeA+"/accounts?status=disabled" {
			t.Fatalf("GET actions: %d %q", got.status, got.location)
		}
	})
}
