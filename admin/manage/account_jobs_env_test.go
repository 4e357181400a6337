package manage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// jobsEnv is the account jobs' service over a fresh store with the
// customer stores "eu" and "us", a group "vip" in each, administrators
// (real accounts with grants, since a job re-reads its starter's grants)
// and a settable clock.
type jobsEnv struct {
	s    storage.Store
	core *manage.Core
	jobs *manage.AccountJobs
	mu   sync.Mutex
	now  time.Time
	// actions run by the jobs (the tests' own, not AccountActions').
	actions map[string]manage.AccountAction
}

func newJobsEnv(t *testing.T, s storage.Store) *jobsEnv {
	t.Helper()
	ctx := t.Context()
	e := &jobsEnv{s: s, now: time.Now().UTC()}
	for _, id := range []string{storage.AdministratorsStoreID, "eu", "us"} {
		if err := s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}); err != nil {
			t.Fatal(err)
		}
		if id != storage.AdministratorsStoreID {
			if err := s.CreateGroup(ctx, &storage.Group{ID: "vip-" + id, StoreID: id, Name: "vip"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.core = manage.NewCore(s, e.clock)
	e.actions = map[string]manage.AccountAction{
		manage.ActionDisable: statusAction(s, storage.AccountDisabled, "account.disabled"),
		manage.ActionEnable:  statusAction(s, storage.AccountEnabled, "account.enabled"),
		manage.ActionAddToGroup: func(ctx context.Context, _ manage.Actor, acct *storage.Account, group string) (manage.Change, error) {
			return manage.Change{Action: "account.group_added", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
				After: map[string]string{"group": group}}, s.AddGroupMember(ctx, group, acct.ID)
		},
		manage.ActionRemoveFromGroup: func(ctx context.Context, _ manage.Actor, acct *storage.Account, group string) (manage.Change, error) {
			return manage.Change{Action: "account.group_removed", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
				Before: map[string]string{"group": group}}, s.RemoveGroupMember(ctx, group, acct.ID)
		},
		manage.ActionDelete: func(ctx context.Context, _ manage.Actor, acct *storage.Account, _ string) (manage.Change, error) {
			return manage.Change{Action: "account.deleted", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID}, nil
		},
	}
	e.jobs = manage.NewAccountJobs(e.core, s, func(name string) (manage.AccountAction, bool) {
		a, ok := e.actions[name]
		return a, ok
	}, manage.NewSearchSelector(manage.NewAccountSearch(e.core, s), s))
	return e
}

func statusAction(s storage.Store, to storage.AccountStatus, verb string) manage.AccountAction {
	return func(ctx context.Context, _ manage.Actor, acct *storage.Account, _ string) (manage.Change, error) {
		if err := s.SetAccountStatus(ctx, acct.ID, to); err != nil {
			return manage.Change{}, err
		}
		return manage.Change{Action: verb, TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
			Before: map[string]string{"status": string(acct.Status)}, After: map[string]string{"status": string(to)}}, nil
	}
}

func (e *jobsEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *jobsEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// administrator makes an administrator with one role (limited to the
// stores given) and returns them as the console would.
func (e *jobsEnv) administrator(t *testing.T, role storage.AdminRole, stores ...string) manage.Actor {
	t.Helper()
	ctx := t.Context()
	acct := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled,
		Email: string(role) + "-" + time.Now().Format("150405.000000000") + "@example.com"}
	if err := e.s.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := e.s.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator,
		PrincipalID: acct.ID, Role: role, StoreIDs: stores}); err != nil {
		t.Fatal(err)
	}
	a, err := e.core.Administrator(ctx, acct.ID, "192.0.2.9", "test-browser")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// accounts creates n enabled accounts in the store.
func (e *jobsEnv) accounts(t *testing.T, storeID string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		a := &storage.Account{StoreID: storeID, Status: storage.AccountEnabled}
		if err := e.s.CreateAccount(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		ids[i] = a.ID
	}
	return ids
}

// audits counts the audit entries per target of the action.
func (e *jobsEnv) audits(t *testing.T, action string) map[string]int {
	t.Helper()
	got, err := e.s.ListAuditEntries(t.Context(), storage.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, a := range got {
		out[a.TargetID]++
	}
	return out
}

func (e *jobsEnv) runner(cfg manage.RunnerConfig) *manage.AccountJobRunner {
	if cfg.Batch == 0 {
		cfg.Batch = 3 // several batches even for a few accounts
	}
	return e.jobs.NewRunner(cfg)
}

// runAll works until no job is left, several accounts per transaction.
func (e *jobsEnv) runAll(t *testing.T) {
	t.Helper()
	r := e.runner(manage.RunnerConfig{Batch: 10, PerTx: 4})
	for {
		ran, err := r.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func (e *jobsEnv) job(t *testing.T, id string) manage.AccountJob {
	t.Helper()
	j, err := e.jobs.Get(t.Context(), manage.System(), "eu", id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func bothJobs(t *testing.T, fn func(t *testing.T, e *jobsEnv)) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		fn(t, newJobsEnv(t, newStore(t)))
	})
}
