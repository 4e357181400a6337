package manage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

// A job over a page's selection acts on every account once, with one
// audit entry each, and records the accounts it could not act on.
func TestAccountJobRunsToTheEnd(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		support := e.administrator(t, storage.RoleSupport, "eu")
		ids := e.accounts(t, "eu", 7)
		foreign := e.accounts(t, "us", 1)[0]
		sel := append(slices.Clone(ids), foreign, "no-such-account", ids[0])
		job, err := e.jobs.Start(ctx, support, "eu", manage.AccountJobInput{Action: manage.ActionDisable, AccountIDs: sel})
		if err != nil {
			t.Fatal(err)
		}
		if job.Status != "queued" || job.Total != 9 || job.Selection != "accounts" || job.StartedBy != support.Name {
			t.Errorf("started job = %+v", job)
		}
		started := e.audits(t, "account_job.started")
		if started[job.ID] != 1 {
			t.Errorf("account_job.started entries = %v", started)
		}
		e.runAll(t)

		job = e.job(t, job.ID)
		if job.Status != "done" || job.Processed != 9 || job.Failed != 2 || job.FinishedAt == nil {
			t.Errorf("finished job = %+v", job)
		}
		disabled := e.audits(t, "account.disabled")
		if len(disabled) != len(ids) {
			t.Errorf("account.disabled entries for %d accounts, want %d", len(disabled), len(ids))
		}
		for _, id := range ids {
			acct, _ := e.s.GetAccount(ctx, id)
			if acct.Status != storage.AccountDisabled || disabled[id] != 1 {
				t.Errorf("account %s: status %s, %d audit entries", id, acct.Status, disabled[id])
			}
		}
		entries, _ := e.s.ListAuditEntries(ctx, storage.AuditFilter{Action: "account.disabled", Limit: 1})
		if a := entries[0]; a.ActorID != support.ID || a.Role != storage.RoleSupport || a.IP != "192.0.2.9" || a.StoreID != "eu" {
			t.Errorf("audit entry = %+v, want the starter as actor", a)
		}
		if acct, _ := e.s.GetAccount(ctx, foreign); acct.Status != storage.AccountEnabled {
			t.Errorf("an account of another store was disabled")
		}
		fails, err := e.jobs.Failures(ctx, support, "eu", job.ID, "", 10)
		if err != nil || len(fails.Items) != 2 {
			t.Fatalf("Failures = %+v, %v", fails, err)
		}
		for _, f := range fails.Items {
			if f.Error != "account not found" || (f.AccountID != foreign && f.AccountID != "no-such-account") {
				t.Errorf("failure = %+v", f)
			}
		}
	})
}

// A node that stops mid-job (dead: its lease just runs out) leaves the
// job to another node, which resumes after the last account done: every
// account is acted on exactly once, and the stale node, should it wake
// up, can no longer act.
func TestAccountJobResumesOnAnotherNode(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		support := e.administrator(t, storage.RoleSupport)
		ids := e.accounts(t, "eu", 10)
		job, err := e.jobs.Start(ctx, support, "eu", manage.AccountJobInput{Action: manage.ActionAddToGroup, Group: "vip-eu", All: true})
		if err != nil {
			t.Fatal(err)
		}
		if job.Total != 10 || job.Selection != "search" {
			t.Errorf("started job = %+v", job)
		}
		// Node A freezes after its fourth account, holding the lease.
		frozen, wake := make(chan struct{}), make(chan struct{})
		var once sync.Once
		done := 0
		a := e.runner(manage.RunnerConfig{AfterAccount: func(string, string) {
			if done++; done == 4 {
				once.Do(func() { close(frozen) })
				<-wake
			}
		}})
		aDone := make(chan error, 1)
		go func() { _, err := a.RunOnce(ctx); aDone <- err }()
		<-frozen
		if j := e.job(t, job.ID); j.Processed != 4 || j.Status != "running" {
			t.Fatalf("after node A's fourth account: %+v", j)
		}
		// Node B finds nothing while A's lease holds, then takes over.
		b := e.runner(manage.RunnerConfig{})
		if ran, err := b.RunOnce(ctx); ran || err != nil {
			t.Fatalf("node B under A's lease: ran %v, %v", ran, err)
		}
		e.advance(2 * time.Minute)
		if ran, err := b.RunOnce(ctx); !ran || err != nil {
			t.Fatalf("node B after the lease: ran %v, %v", ran, err)
		}
		close(wake)
		if err := <-aDone; err != nil {
			t.Fatalf("node A after waking: %v", err)
		}

		j := e.job(t, job.ID)
		if j.Status != "done" || j.Processed != 10 || j.Failed != 0 {
			t.Errorf("job = %+v", j)
		}
		added := e.audits(t, "account.group_added")
		for _, id := range ids {
			if added[id] != 1 {
				t.Errorf("account %s: %d audit entries, want 1", id, added[id])
			}
		}
		if len(added) != len(ids) {
			t.Errorf("audit entries for %d accounts, want %d", len(added), len(ids))
		}
		members := 0
		for _, id := range ids {
			groups, _ := e.s.ListAccountGroups(ctx, id)
			members += len(groups)
		}
		if members != len(ids) {
			t.Errorf("%d memberships, want %d", members, len(ids))
		}
	})
}

// An orderly stop (the node shuts down) releases the job at once.
func TestAccountJobStopReleasesTheLease(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ids := e.accounts(t, "eu", 5)
		job, err := e.jobs.Start(t.Context(), manage.System(), "eu", manage.AccountJobInput{Action: manage.ActionDisable, AccountIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		stopCtx, cancel := context.WithCancel(t.Context())
		defer cancel()
		n := 0
		a := e.runner(manage.RunnerConfig{AfterAccount: func(string, string) {
			if n++; n == 2 {
				cancel()
			}
		}})
		if ran, err := a.RunOnce(stopCtx); !ran || err != nil {
			t.Fatalf("node A: ran %v, %v", ran, err)
		}
		if j := e.job(t, job.ID); j.Processed != 2 || j.Status != "running" {
			t.Fatalf("after the stop: %+v", j)
		}
		e.runAll(t) // no clock change: the lease was released
		if j := e.job(t, job.ID); j.Processed != 5 || j.Status != "done" {
			t.Errorf("job = %+v", j)
		}
		if got := e.audits(t, "account.disabled"); len(got) != 5 {
			t.Errorf("audit entries for %d accounts, want 5", len(got))
		}
	})
}

// A job acts only while its starter may: one whose role was taken away
// fails, touching nothing.
func TestAccountJobRechecksTheStarter(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		support := e.administrator(t, storage.RoleSupport, "eu")
		ids := e.accounts(t, "eu", 3)
		job, err := e.jobs.Start(ctx, support, "eu", manage.AccountJobInput{Action: manage.ActionDisable, AccountIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.DeleteAdminGrantsOf(ctx, storage.PrincipalAdministrator, support.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.s.CreateAdminGrant(ctx, &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator,
			PrincipalID: support.ID, Role: storage.RoleAuditor}); err != nil {
			t.Fatal(err)
		}
		e.runAll(t)
		j := e.job(t, job.ID)
		if j.Status != "failed" || j.Processed != 0 || !strings.Contains(j.LastError, "may no longer change") {
			t.Errorf("job = %+v", j)
		}
		if got := e.audits(t, "account.disabled"); len(got) != 0 {
			t.Errorf("audit entries %v, want none", got)
		}
	})
}

// Cancelling stops a job between two accounts; a finished job cannot be
// cancelled.
func TestAccountJobCancel(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		support := e.administrator(t, storage.RoleSupport, "eu")
		ids := e.accounts(t, "eu", 6)
		job, err := e.jobs.Start(ctx, support, "eu", manage.AccountJobInput{Action: manage.ActionDisable, AccountIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		r := e.runner(manage.RunnerConfig{AfterAccount: func(string, string) {
			if n++; n == 2 {
				if _, err := e.jobs.Cancel(ctx, support, "eu", job.ID); err != nil {
					t.Errorf("Cancel: %v", err)
				}
			}
		}})
		if ran, err := r.RunOnce(ctx); !ran || err != nil {
			t.Fatalf("RunOnce: %v, %v", ran, err)
		}
		j := e.job(t, job.ID)
		if j.Status != "cancelled" || j.Processed != 2 {
			t.Errorf("cancelled job = %+v", j)
		}
		if got := e.audits(t, "account.disabled"); len(got) != 2 {
			t.Errorf("audit entries for %d accounts, want 2", len(got))
		}
		if got := e.audits(t, "account_job.cancelled"); got[job.ID] != 1 {
			t.Errorf("account_job.cancelled entries = %v", got)
		}
		_, err = e.jobs.Cancel(ctx, support, "eu", job.ID)
		wantIs(t, "Cancel a finished job", err, manage.ErrConflict)
	})
}

// Who may start, see and cancel jobs: support, admins and owners on their stores;
// auditors see but change nothing; another store's administrator gets
// nothing.
func TestAccountJobPermissions(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		ids := e.accounts(t, "eu", 2)
		in := manage.AccountJobInput{Action: manage.ActionEnable, AccountIDs: ids}
		support := e.administrator(t, storage.RoleSupport, "eu")
		job, err := e.jobs.Start(ctx, support, "eu", in)
		if err != nil {
			t.Fatalf("support: %v", err)
		}
		auditor := e.administrator(t, storage.RoleAuditor)
		_, err = e.jobs.Start(ctx, auditor, "eu", in)
		wantIs(t, "auditor Start", err, manage.ErrForbidden)
		_, err = e.jobs.Cancel(ctx, auditor, "eu", job.ID)
		wantIs(t, "auditor Cancel", err, manage.ErrForbidden)
		if _, err := e.jobs.Get(ctx, auditor, "eu", job.ID); err != nil {
			t.Errorf("auditor Get: %v", err)
		}
		if page, err := e.jobs.List(ctx, auditor, "eu", "", 10); err != nil || len(page.Items) != 1 {
			t.Errorf("auditor List = %+v, %v", page, err)
		}
		if _, err := e.jobs.Start(ctx, e.administrator(t, storage.RoleAdmin), "eu", in); err != nil {
			t.Errorf("admin Start: %v", err)
		}
		other := e.administrator(t, storage.RoleSupport, "us")
		for what, err := range map[string]error{
			"Start":  errOf(e.jobs.Start(ctx, other, "eu", in)),
			"Get":    errOf(e.jobs.Get(ctx, other, "eu", job.ID)),
			"Cancel": errOf(e.jobs.Cancel(ctx, other, "eu", job.ID)),
			"List":   errOf(e.jobs.List(ctx, other, "eu", "", 10)),
		} {
			if !errors.Is(err, manage.ErrNotFound) && !errors.Is(err, manage.ErrForbidden) {
				t.Errorf("other store's support %s: %v, want refused", what, err)
			}
		}
		// A job of one store is not found through another.
		_, err = e.jobs.Get(ctx, e.administrator(t, storage.RoleSupport), "us", job.ID)
		wantIs(t, "Get through another store", err, manage.ErrNotFound)
		_, err = e.jobs.Start(ctx, manage.System(), storage.AdministratorsStoreID, in)
		wantIs(t, "Start on the administrators store", err, manage.ErrNotFound)
	})
}

// Bad input is refused with a message per field, creating nothing.
func TestAccountJobRefusesBadInput(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		support := e.administrator(t, storage.RoleSupport)
		ids := e.accounts(t, "eu", 2)
		many := make([]string, manage.MaxJobAccounts+1)
		for i := range many {
			many[i] = "acct-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String()
		}
		for _, c := range []struct {
			name  string
			in    manage.AccountJobInput
			field string
		}{
			{"unknown action", manage.AccountJobInput{Action: "explode", AccountIDs: ids}, "action"},
			{"no group", manage.AccountJobInput{Action: manage.ActionAddToGroup, AccountIDs: ids}, "group"},
			{"group of another store", manage.AccountJobInput{Action: manage.ActionRemoveFromGroup, Group: "vip-us", AccountIDs: ids}, "group"},
			{"empty selection", manage.AccountJobInput{Action: manage.ActionEnable}, "account_ids"},
			{"blank ids", manage.AccountJobInput{Action: manage.ActionEnable, AccountIDs: []string{""}}, "account_ids"},
			{"too many", manage.AccountJobInput{Action: manage.ActionEnable, AccountIDs: many}, "account_ids"},
			{"both", manage.AccountJobInput{Action: manage.ActionEnable, AccountIDs: ids, All: true}, "account_ids"},
			{"delete unconfirmed", manage.AccountJobInput{Action: manage.ActionDelete, AccountIDs: ids}, "confirm"},
			{"unknown filter", manage.AccountJobInput{Action: manage.ActionEnable, All: true, Query: map[string]string{"shoe_size": "9"}}, "query.shoe_size"},
		} {
			_, err := e.jobs.Start(ctx, support, "eu", c.in)
			var ve *manage.ValidationError
			if !errors.As(err, &ve) || ve.Fields[c.field] == "" {
				t.Errorf("%s: error = %v, want a problem with %s", c.name, err, c.field)
			}
		}
		// An empty store has no search result to act on.
		_, err := e.jobs.Start(ctx, support, "us", manage.AccountJobInput{Action: manage.ActionEnable, All: true})
		if ve := (*manage.ValidationError)(nil); !errors.As(err, &ve) || ve.Fields["query"] == "" {
			t.Errorf("empty search result: %v", err)
		}
		if page, _ := e.jobs.List(ctx, support, "eu", "", 10); len(page.Items) != 0 {
			t.Errorf("jobs created: %+v", page.Items)
		}
		if got := e.audits(t, "account_job.started"); len(got) != 0 {
			t.Errorf("audit entries: %v", got)
		}
		// Confirmed, a deletion starts.
		if _, err := e.jobs.Start(ctx, support, "eu", manage.AccountJobInput{Action: manage.ActionDelete, AccountIDs: ids, Confirm: true}); err != nil {
			t.Errorf("confirmed delete: %v", err)
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

// A job over a search result acts on exactly the accounts the search
// finds, filters and all; the search's order and page do not matter.
func TestAccountJobOverASearch(t *testing.T) {
	bothJobs(t, func(t *testing.T, e *jobsEnv) {
		ctx := t.Context()
		ids := e.accounts(t, "eu", 6)
		for _, id := range ids[:4] {
			if err := e.s.SetAccountStatus(ctx, id, storage.AccountDisabled); err != nil {
				t.Fatal(err)
			}
		}
		job, err := e.jobs.Start(ctx, manage.System(), "eu", manage.AccountJobInput{Action: manage.ActionEnable, All: true,
			Query: map[string]string{"status": "disabled", "sort": "email", "cursor": "whatever", "email": " "}})
		if err != nil {
			t.Fatal(err)
		}
		if job.Total != 4 || len(job.Query) != 1 || job.Query["status"] != "disabled" {
			t.Errorf("started job = %+v", job)
		}
		e.runAll(t)
		if j := e.job(t, job.ID); j.Status != "done" || j.Processed != 4 {
			t.Errorf("job = %+v", j)
		}
		enabled := e.audits(t, "account.enabled")
		for i, id := range ids {
			if want := 1; i >= 4 {
				want = 0
				if enabled[id] != want {
					t.Errorf("account %s (enabled before): %d entries", id, enabled[id])
				}
			} else if enabled[id] != want {
				t.Errorf("account %s: %d entries, want %d", id, enabled[id], want)
			}
		}
		// A filter the store's schema does not know is refused.
		_, err = e.jobs.Start(ctx, manage.System(), "eu", manage.AccountJobInput{Action: manage.ActionEnable, All: true,
			Query: map[string]string{"attr.shoe_size": "9"}})
		if ve := (*manage.ValidationError)(nil); !errors.As(err, &ve) || len(ve.Fields) == 0 {
			t.Errorf("unknown attribute: %v", err)
		}
	})
}
