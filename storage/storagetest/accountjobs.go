package storagetest

import (
	"slices"
	"testing"
	"time"

	"foyer/storage"
)

// accountJobAreas are the bulk account jobs' cases; Run includes them.
var accountJobAreas = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"AccountJobs", testAccountJobs},
	{"AccountJobClaimRace", testAccountJobClaimRace},
	{"AccountJobLeaseTakeover", testAccountJobLeaseTakeover},
	{"AccountJobProgressInTx", testAccountJobProgressInTx},
	{"ListAccountIDs", testListAccountIDs},
	{"SearchAccountIDs", testSearchAccountIDs},
}

func newAccountJob(t *testing.T, s storage.Store, storeID string, created time.Time) *storage.AccountJob {
	t.Helper()
	j := &storage.AccountJob{StoreID: storeID, Action: "add_to_group", Arg: "g1", AccountIDs: []string{"b", "a"},
		Total: 2, Actor: `{"kind":"administrator","id":"adm"}`, CreatedAt: created}
	must(t, "CreateAccountJob", s.CreateAccountJob(t.Context(), j))
	return j
}

func testAccountJobs(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	base := at(0)
	first := newAccountJob(t, s, is.ID, base.Add(-2*time.Minute))
	second := &storage.AccountJob{StoreID: is.ID, Action: "disable", Query: `{"status":"enabled"}`, Total: 7,
		CreatedAt: base.Add(-time.Minute + 123456*time.Nanosecond)}
	must(t, "CreateAccountJob", s.CreateAccountJob(ctx, second))
	newAccountJob(t, s, other.ID, base)

	got, err := s.GetAccountJob(ctx, first.ID)
	must(t, "GetAccountJob", err)
	if got.StoreID != is.ID || got.Action != "add_to_group" || got.Arg != "g1" || !slices.Equal(got.AccountIDs, []string{"b", "a"}) ||
		got.Query != "" || got.Status != storage.AccountJobQueued || got.Total != 2 || got.Processed != 0 ||
		got.Cursor != "" || got.Actor != first.Actor || got.LockedUntil != nil || got.FinishedAt != nil {
		t.Errorf("GetAccountJob = %+v", got)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, first.CreatedAt)
	got, err = s.GetAccountJob(ctx, second.ID)
	must(t, "GetAccountJob", err)
	if got.Query != second.Query || len(got.AccountIDs) != 0 || got.Total != 7 {
		t.Errorf("GetAccountJob of a search job = %+v", got)
	}
	_, err = s.GetAccountJob(ctx, "no-such-job")
	wantErr(t, "GetAccountJob unknown", err, storage.ErrNotFound)

	// Newest first, the store's only, paged by the last id.
	page, err := s.ListAccountJobs(ctx, is.ID, "", 1)
	must(t, "ListAccountJobs", err)
	if len(page) != 1 || page[0].ID != second.ID {
		t.Fatalf("ListAccountJobs page 1 = %v, want the second job", page)
	}
	page, err = s.ListAccountJobs(ctx, is.ID, page[0].ID, 10)
	must(t, "ListAccountJobs", err)
	if len(page) != 1 || page[0].ID != first.ID {
		t.Fatalf("ListAccountJobs page 2 = %v, want the first job only", page)
	}

	// Cancel stops a queued job; a finished job cannot be cancelled.
	must(t, "CancelAccountJob", s.CancelAccountJob(ctx, second.ID, base))
	got, _ = s.GetAccountJob(ctx, second.ID)
	if got.Status != storage.AccountJobCancelled || got.FinishedAt == nil {
		t.Errorf("cancelled job = %+v", got)
	}
	wantErr(t, "CancelAccountJob twice", s.CancelAccountJob(ctx, second.ID, base), storage.ErrConflict)
	wantErr(t, "CancelAccountJob unknown", s.CancelAccountJob(ctx, "no-such-job", base), storage.ErrNotFound)
}

// Of nodes racing for one job exactly one gets it; the others find none.
func testAccountJobClaimRace(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	job := newAccountJob(t, s, is.ID, at(-time.Minute))
	now := at(0)
	owners := make([]string, 8)
	errs := race(len(owners), func(i int) error {
		j, err := s.ClaimAccountJob(ctx, unique("node"), now, time.Minute)
		if err == nil {
			owners[i] = j.LeaseOwner
		}
		return err
	})
	checkOneWinner(t, "ClaimAccountJob", errs, storage.ErrNotFound)
	got, err := s.GetAccountJob(ctx, job.ID)
	must(t, "GetAccountJob", err)
	if got.Status != storage.AccountJobRunning || got.LockedUntil == nil || !slices.Contains(owners, got.LeaseOwner) || got.LeaseOwner == "" {
		t.Fatalf("claimed job = %+v, want running under the winner's lease", got)
	}
	sameTime(t, "LockedUntil", *got.LockedUntil, now.Add(time.Minute))
}

// A lease that ran out lets another node take the job over; from then on
// only the new owner's progress counts.
func testAccountJobLeaseTakeover(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	job := newAccountJob(t, s, is.ID, at(-time.Minute))
	now := at(0)
	a, err := s.ClaimAccountJob(ctx, "node-a", now, time.Minute)
	must(t, "ClaimAccountJob", err)
	if a.ID != job.ID || a.LeaseOwner != "node-a" {
		t.Fatalf("claimed %+v", a)
	}
	must(t, "AdvanceAccountJob", s.AdvanceAccountJob(ctx, job.ID, "node-a", "a", "", now))
	_, err = s.ClaimAccountJob(ctx, "node-b", now.Add(59*time.Second), time.Minute)
	wantErr(t, "ClaimAccountJob under a live lease", err, storage.ErrNotFound)
	must(t, "RenewAccountJobLease", s.RenewAccountJobLease(ctx, job.ID, "node-a", now.Add(2*time.Minute)))
	_, err = s.ClaimAccountJob(ctx, "node-b", now.Add(90*time.Second), time.Minute)
	wantErr(t, "ClaimAccountJob under a renewed lease", err, storage.ErrNotFound)

	b, err := s.ClaimAccountJob(ctx, "node-b", now.Add(2*time.Minute), time.Minute)
	must(t, "ClaimAccountJob after the lease", err)
	if b.Cursor != "a" || b.Processed != 1 || b.Status != storage.AccountJobRunning {
		t.Errorf("taken over job = %+v, want it to resume after a", b)
	}
	wantErr(t, "AdvanceAccountJob by the old owner", s.AdvanceAccountJob(ctx, job.ID, "node-a", "b", "", now), storage.ErrNotFound)
	wantErr(t, "RenewAccountJobLease by the old owner", s.RenewAccountJobLease(ctx, job.ID, "node-a", now.Add(time.Hour)), storage.ErrNotFound)
	wantErr(t, "FinishAccountJob by the old owner",
		s.FinishAccountJob(ctx, job.ID, "node-a", storage.AccountJobDone, "", now), storage.ErrNotFound)
	// Never twice, never backwards.
	wantErr(t, "AdvanceAccountJob to the cursor", s.AdvanceAccountJob(ctx, job.ID, "node-b", "a", "", now), storage.ErrNotFound)
	must(t, "AdvanceAccountJob with a failure", s.AdvanceAccountJob(ctx, job.ID, "node-b", "b", "account gone", now))
	must(t, "FinishAccountJob", s.FinishAccountJob(ctx, job.ID, "node-b", storage.AccountJobDone, "", now.Add(3*time.Minute)))
	got, err := s.GetAccountJob(ctx, job.ID)
	must(t, "GetAccountJob", err)
	if got.Status != storage.AccountJobDone || got.Processed != 2 || got.Failed != 1 || got.Cursor != "b" ||
		got.LockedUntil != nil || got.FinishedAt == nil {
		t.Errorf("finished job = %+v", got)
	}
	fails, err := s.ListAccountJobFailures(ctx, job.ID, "", 10)
	must(t, "ListAccountJobFailures", err)
	if len(fails) != 1 || fails[0].AccountID != "b" || fails[0].Error != "account gone" {
		t.Errorf("failures = %+v", fails)
	}
	if fails, err := s.ListAccountJobFailures(ctx, job.ID, "b", 10); err != nil || len(fails) != 0 {
		t.Errorf("failures after b = %+v, %v", fails, err)
	}
	_, err = s.ClaimAccountJob(ctx, "node-c", now.Add(time.Hour), time.Minute)
	wantErr(t, "ClaimAccountJob of a finished job", err, storage.ErrNotFound)
	wantErr(t, "CancelAccountJob finished", s.CancelAccountJob(ctx, job.ID, now), storage.ErrConflict)
}

// Progress recorded in a transaction that rolls back is undone with it;
// a cancelled job takes no more progress.
func testAccountJobProgressInTx(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is := newIdentityStore(t, s)
	job := newAccountJob(t, s, is.ID, at(-time.Minute))
	now := at(0)
	_, err := s.ClaimAccountJob(ctx, "node-a", now, time.Minute)
	must(t, "ClaimAccountJob", err)
	tx, err := s.BeginTx(ctx)
	must(t, "BeginTx", err)
	must(t, "AdvanceAccountJob in tx", s.AdvanceAccountJob(tx, job.ID, "node-a", "a", "boom", now))
	must(t, "Rollback", s.Rollback(tx))
	got, _ := s.GetAccountJob(ctx, job.ID)
	if got.Processed != 0 || got.Failed != 0 || got.Cursor != "" {
		t.Errorf("after a rollback: %+v", got)
	}
	if fails, _ := s.ListAccountJobFailures(ctx, job.ID, "", 10); len(fails) != 0 {
		t.Errorf("after a rollback: failures %+v", fails)
	}
	must(t, "CancelAccountJob running", s.CancelAccountJob(ctx, job.ID, now))
	wantErr(t, "AdvanceAccountJob cancelled", s.AdvanceAccountJob(ctx, job.ID, "node-a", "a", "", now), storage.ErrNotFound)
	wantErr(t, "RenewAccountJobLease cancelled", s.RenewAccountJobLease(ctx, job.ID, "node-a", now.Add(time.Hour)), storage.ErrNotFound)
	_, err = s.ClaimAccountJob(ctx, "node-b", now.Add(time.Hour), time.Minute)
	wantErr(t, "ClaimAccountJob cancelled", err, storage.ErrNotFound)
}

func testListAccountIDs(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	var want []string
	// Ids that a linguistic collation would order otherwise than bytes do.
	for _, id := range []string{"b-1", "B2", "a_3", "a3", "Z"} {
		a := &storage.Account{ID: id + unique(""), StoreID: is.ID, Status: storage.AccountEnabled}
		must(t, "CreateAccount", s.CreateAccount(ctx, a))
		want = append(want, a.ID)
	}
	newAccount(t, s, other.ID)
	slices.Sort(want)
	got, err := s.ListAccountIDs(ctx, is.ID, "", 3)
	must(t, "ListAccountIDs", err)
	if !slices.Equal(got, want[:3]) {
		t.Fatalf("ListAccountIDs first page = %q, want %q", got, want[:3])
	}
	got, err = s.ListAccountIDs(ctx, is.ID, got[2], 10)
	must(t, "ListAccountIDs", err)
	if !slices.Equal(got, want[3:]) {
		t.Fatalf("ListAccountIDs next page = %q, want %q", got, want[3:])
	}
}

// A job over a search result walks exactly the accounts the search
// finds, in id order.
func testSearchAccountIDs(t *testing.T, s storage.Store) {
	ctx := t.Context()
	is, other := newIdentityStore(t, s), newIdentityStore(t, s)
	g := &storage.Group{StoreID: is.ID, Name: unique("g")}
	must(t, "CreateGroup", s.CreateGroup(ctx, g))
	var enabled, members []string
	for i, id := range []string{"b-1", "B2", "a_3", "a3", "Z", "c"} {
		status := storage.AccountEnabled
		if i%3 == 2 {
			status = storage.AccountDisabled
		}
		a := &storage.Account{ID: id + unique(""), StoreID: is.ID, Status: status}
		must(t, "CreateAccount", s.CreateAccount(ctx, a))
		if status == storage.AccountEnabled {
			enabled = append(enabled, a.ID)
		}
		if i%2 == 0 {
			must(t, "AddGroupMember", s.AddGroupMember(ctx, g.ID, a.ID))
			members = append(members, a.ID)
		}
	}
	newAccount(t, s, other.ID)
	slices.Sort(enabled)
	slices.Sort(members)
	q := storage.AccountSearch{StoreID: is.ID, Status: storage.AccountEnabled, Sort: storage.AccountSortEmail, Limit: 1}
	got, err := s.SearchAccountIDs(ctx, q, "", 2)
	must(t, "SearchAccountIDs", err)
	if !slices.Equal(got, enabled[:2]) {
		t.Fatalf("SearchAccountIDs first page = %q, want %q", got, enabled[:2])
	}
	got, err = s.SearchAccountIDs(ctx, q, got[1], 10)
	must(t, "SearchAccountIDs", err)
	if !slices.Equal(got, enabled[2:]) {
		t.Fatalf("SearchAccountIDs next page = %q, want %q", got, enabled[2:])
	}
	if n, err := s.CountSearchedAccounts(ctx, q); err != nil || n != int64(len(enabled)) {
		t.Errorf("CountSearchedAccounts = %d, %v; want %d", n, err, len(enabled))
	}
	byGroup := storage.AccountSearch{StoreID: is.ID, GroupID: g.ID}
	if got, err := s.SearchAccountIDs(ctx, byGroup, "", 10); err != nil || !slices.Equal(got, members) {
		t.Errorf("SearchAccountIDs by group = %q, %v; want %q", got, err, members)
	}
	admins := storage.AccountSearch{StoreID: storage.AdministratorsStoreID}
	if got, err := s.SearchAccountIDs(ctx, admins, "", 10); err != nil || len(got) != 0 {
		t.Errorf("SearchAccountIDs of the administrators store = %q, %v", got, err)
	}
}
