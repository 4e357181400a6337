package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"foyer/storage"
)

func testAdminGrants(t *testing.T, s storage.Store) {
	ctx := t.Context()
	admin := unique("acct")
	owner := &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator, PrincipalID: admin, Role: storage.RoleOwner}
	must(t, "CreateAdminGrant owner", s.CreateAdminGrant(ctx, owner))
	if owner.ID == "" || owner.CreatedAt.IsZero() {
		t.Fatalf("CreateAdminGrant left ID %q or CreatedAt unset", owner.ID)
	}
	scoped := &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator, PrincipalID: admin,
		Role: storage.RoleSupport, StoreIDs: []string{"eu", "us"}, CreatedAt: owner.CreatedAt.Add(time.Second)}
	must(t, "CreateAdminGrant scoped", s.CreateAdminGrant(ctx, scoped))
	// The same id as a client is another principal.
	client := &storage.AdminGrant{PrincipalKind: storage.PrincipalClient, PrincipalID: admin, Role: storage.RoleOwner}
	must(t, "CreateAdminGrant client", s.CreateAdminGrant(ctx, client))

	dup := &storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator, PrincipalID: admin,
		Role: storage.RoleOwner, StoreIDs: []string{"eu"}}
	wantErr(t, "second owner grant", s.CreateAdminGrant(ctx, dup), storage.ErrConflict)

	got, err := s.ListAdminGrants(ctx, storage.PrincipalAdministrator, admin)
	must(t, "ListAdminGrants", err)
	if len(got) != 2 || got[0].ID != owner.ID || got[1].ID != scoped.ID {
		t.Fatalf("ListAdminGrants = %+v, want owner then support", got)
	}
	if got[0].Role != storage.RoleOwner || len(got[0].StoreIDs) != 0 || got[0].PrincipalKind != storage.PrincipalAdministrator {
		t.Errorf("owner grant = %+v", got[0])
	}
	if got[1].Role != storage.RoleSupport || !equalStrings(got[1].StoreIDs, []string{"eu", "us"}) {
		t.Errorf("scoped grant = %+v", got[1])
	}
	sameTime(t, "CreatedAt", got[1].CreatedAt, scoped.CreatedAt)
	if none, err := s.ListAdminGrants(ctx, storage.PrincipalAdministrator, "nobody"); err != nil || len(none) != 0 {
		t.Errorf("ListAdminGrants(nobody) = %v, %v", none, err)
	}
	all, err := s.ListAllAdminGrants(ctx)
	must(t, "ListAllAdminGrants", err)
	if len(all) != 3 {
		t.Errorf("ListAllAdminGrants = %d grants, want 3", len(all))
	}

	must(t, "DeleteAdminGrant", s.DeleteAdminGrant(ctx, scoped.ID))
	wantErr(t, "DeleteAdminGrant again", s.DeleteAdminGrant(ctx, scoped.ID), storage.ErrNotFound)
	n, err := s.DeleteAdminGrantsOf(ctx, storage.PrincipalAdministrator, admin)
	if err != nil || n != 1 {
		t.Errorf("DeleteAdminGrantsOf = %d, %v; want 1", n, err)
	}
	if left, err := s.ListAllAdminGrants(ctx); err != nil || len(left) != 1 || left[0].ID != client.ID {
		t.Errorf("after deleting the administrator's grants: %+v, %v; want the client's", left, err)
	}
}

// checkChain walks the log and checks it is one intact chain 1..want.
func checkChain(t *testing.T, s storage.Store, want int) []storage.AuditEntry {
	t.Helper()
	var got []storage.AuditEntry
	must(t, "WalkAuditEntries", s.WalkAuditEntries(t.Context(), func(e storage.AuditEntry) error {
		got = append(got, e)
		return nil
	}))
	if len(got) != want {
		t.Fatalf("chain has %d entries, want %d", len(got), want)
	}
	prev := ""
	for i, e := range got {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash != e.ComputeHash(nil) || len(e.Hash) != 64 {
			t.Fatalf("entry %d: seq %d, prev %q (want %q), hash %q (recomputed %q)", i, e.Seq, e.PrevHash, prev, e.Hash, e.ComputeHash(nil))
		}
		prev = e.Hash
	}
	return got
}

func auditEntry(action, target, store string, created time.Time) *storage.AuditEntry {
	return &storage.AuditEntry{CreatedAt: created, ActorKind: storage.PrincipalAdministrator,
		ActorID: "admin-1", ActorName: "root@example.com", Role: storage.RoleOwner, IP: "192.0.2.1",
		UserAgent: "test/1", Action: action, TargetType: "store", TargetID: target, StoreID: store,
		Before: `{"name":"old"}`, After: `{"name":"new"}`}
}

func testAuditLog(t *testing.T, s storage.Store) {
	ctx := t.Context()
	base := at(0)
	first := auditEntry("store.created", "eu", "eu", base.Add(123456789*time.Nanosecond))
	must(t, "AppendAuditEntry", s.AppendAuditEntry(ctx, first))
	if first.Seq != 1 || first.PrevHash != "" || first.ID == "" || first.Hash != first.ComputeHash(nil) {
		t.Fatalf("first entry = %+v", first)
	}
	second := auditEntry("store.renamed", "eu", "eu", base.Add(time.Second))
	second.ActorID, second.ActorKind = "client-1", storage.PrincipalClient
	must(t, "AppendAuditEntry", s.AppendAuditEntry(ctx, second))
	if second.Seq != 2 || second.PrevHash != first.Hash {
		t.Fatalf("second entry: seq %d prev %q, want 2 and %q", second.Seq, second.PrevHash, first.Hash)
	}

	// A rolled-back append leaves no gap; a committed one joins the chain.
	txCtx, err := s.BeginTx(ctx)
	must(t, "BeginTx", err)
	must(t, "AppendAuditEntry in tx", s.AppendAuditEntry(txCtx, auditEntry("application.created", "app", "", base.Add(2*time.Second))))
	must(t, "Rollback", s.Rollback(txCtx))
	txCtx, err = s.BeginTx(ctx)
	must(t, "BeginTx", err)
	third := auditEntry("application.created", "app", "", base.Add(2*time.Second))
	third.TargetType = "application"
	must(t, "AppendAuditEntry in tx", s.AppendAuditEntry(txCtx, third))
	must(t, "Commit", s.Commit(txCtx))
	fourth := auditEntry("store.deleted", "us", "us", base.Add(3*time.Second))
	fourth.After = ""
	must(t, "AppendAuditEntry", s.AppendAuditEntry(ctx, fourth))

	chain := checkChain(t, s, 4)
	// Every field survives the round trip, the time at storage precision.
	if got := chain[0]; got.ID != first.ID || got.ActorName != "root@example.com" || got.Role != storage.RoleOwner ||
		got.IP != "192.0.2.1" || got.UserAgent != "test/1" || got.Before != `{"name":"old"}` ||
		got.After != `{"name":"new"}` || !got.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("stored entry = %+v, want %+v", got, *first)
	}
	testAuditFilters(t, s, base, []*storage.AuditEntry{first, second, third, fourth})
}

func testAuditFilters(t *testing.T, s storage.Store, base time.Time, e []*storage.AuditEntry) {
	for _, c := range []struct {
		name string
		f    storage.AuditFilter
		want []*storage.AuditEntry // newest first
	}{
		{"everything", storage.AuditFilter{}, []*storage.AuditEntry{e[3], e[2], e[1], e[0]}},
		{"actor", storage.AuditFilter{ActorID: "client-1"}, []*storage.AuditEntry{e[1]}},
		{"action exact", storage.AuditFilter{Action: "store.created"}, []*storage.AuditEntry{e[0]}},
		{"action prefix", storage.AuditFilter{Action: "store."}, []*storage.AuditEntry{e[3], e[1], e[0]}},
		{"action prefix is not a pattern", storage.AuditFilter{Action: "st%."}, nil},
		{"target type", storage.AuditFilter{TargetType: "application"}, []*storage.AuditEntry{e[2]}},
		{"target", storage.AuditFilter{TargetType: "store", TargetID: "eu"}, []*storage.AuditEntry{e[1], e[0]}},
		{"store", storage.AuditFilter{StoreID: "us"}, []*storage.AuditEntry{e[3]}},
		{"since", storage.AuditFilter{Since: base.Add(time.Second)}, []*storage.AuditEntry{e[3], e[2], e[1]}},
		{"until", storage.AuditFilter{Until: base.Add(time.Second)}, []*storage.AuditEntry{e[0]}},
		{"first page", storage.AuditFilter{Limit: 2}, []*storage.AuditEntry{e[3], e[2]}},
		{"next page", storage.AuditFilter{Limit: 2, BeforeSeq: e[2].Seq}, []*storage.AuditEntry{e[1], e[0]}},
		{"last page", storage.AuditFilter{Limit: 2, BeforeSeq: e[0].Seq}, nil},
		{"combined", storage.AuditFilter{Action: "store.", StoreID: "eu", Limit: 1}, []*storage.AuditEntry{e[1]}},
	} {
		got, err := s.ListAuditEntries(t.Context(), c.f)
		must(t, "ListAuditEntries "+c.name, err)
		var ids, want []string
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		for _, w := range c.want {
			want = append(want, w.ID)
		}
		if !equalStrings(ids, want) {
			t.Errorf("ListAuditEntries %s = %v, want %v", c.name, ids, want)
		}
	}
}

// testParallelAuditAppends appends from many goroutines at once, half of
// them inside transactions that also change something else: the log must
// still be one chain without gaps or forks.
func testParallelAuditAppends(t *testing.T, s storage.Store) {
	const workers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- appendOne(t, s, w%2 == 0, fmt.Sprintf("w%d-%d", w, i))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, "parallel append", err)
	}
	checkChain(t, s, workers*each)
}

func appendOne(t *testing.T, s storage.Store, inTx bool, target string) error {
	ctx := t.Context()
	e := auditEntry("store.created", target, target, time.Time{})
	if !inTx {
		return s.AppendAuditEntry(ctx, e)
	}
	txCtx, err := s.BeginTx(ctx)
	if err != nil {
		return err
	}
	if _, err := s.SetSettingIfAbsent(txCtx, "audit-"+target, "x"); err != nil {
		_ = s.Rollback(txCtx)
		return err
	}
	if err := s.AppendAuditEntry(txCtx, e); err != nil {
		_ = s.Rollback(txCtx)
		return err
	}
	return s.Commit(txCtx)
}

func testMoveAccountToStore(t *testing.T, s storage.Store) {
	ctx := t.Context()
	from, to := unique("from"), unique("to")
	for _, id := range []string{from, to} {
		must(t, "CreateIdentityStore", s.CreateIdentityStore(ctx, &storage.IdentityStore{ID: id, Name: id,
			IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}))
	}
	mover := &storage.Account{StoreID: from, Email: "mover@example.com"}
	must(t, "CreateAccount", s.CreateAccount(ctx, mover))
	must(t, "SetPassword", s.SetPassword(ctx, mover.ID, "hash"))
	g := &storage.Group{StoreID: from, Name: "staff"}
	must(t, "CreateGroup", s.CreateGroup(ctx, g))
	must(t, "AddGroupMember", s.AddGroupMember(ctx, g.ID, mover.ID))
	taken := &storage.Account{StoreID: to, Email: "taken@example.com"}
	must(t, "CreateAccount", s.CreateAccount(ctx, taken))

	must(t, "MoveAccountToStore", s.MoveAccountToStore(ctx, mover.ID, to))
	got, err := s.FindAccountByIdentifier(ctx, to, storage.IdentifierEmail, "MOVER@example.com")
	if err != nil || got.ID != mover.ID || got.StoreID != to {
		t.Fatalf("moved account found as %+v, %v", got, err)
	}
	if _, err := s.FindAccountByIdentifier(ctx, from, storage.IdentifierEmail, "mover@example.com"); err == nil {
		t.Error("moved account still found in its old store")
	}
	if pw, err := s.GetPassword(ctx, mover.ID); err != nil || pw.Hash != "hash" {
		t.Errorf("password after the move = %+v, %v", pw, err)
	}
	if groups, err := s.ListAccountGroups(ctx, mover.ID); err != nil || len(groups) != 0 {
		t.Errorf("groups of the old store kept: %v, %v", groups, err)
	}

	clash := &storage.Account{StoreID: from, Email: "taken@example.com"}
	must(t, "CreateAccount", s.CreateAccount(ctx, clash))
	wantErr(t, "move onto a taken e-mail", s.MoveAccountToStore(ctx, clash.ID, to), storage.ErrConflict)
	if a, err := s.GetAccount(ctx, clash.ID); err != nil || a.StoreID != from {
		t.Errorf("refused move changed the account: %+v, %v", a, err)
	}
	wantErr(t, "move of nobody", s.MoveAccountToStore(ctx, "missing", to), storage.ErrNotFound)
	wantErr(t, "move into no store", s.MoveAccountToStore(ctx, clash.ID, "missing"), storage.ErrNotFound)
}

func testLockAdminGrants(t *testing.T, s storage.Store) {
	ctx := t.Context()
	if err := s.LockAdminGrants(ctx); err == nil {
		t.Error("LockAdminGrants outside a transaction succeeded")
	}
	for range 2 { // the lock ends with its transaction
		txCtx, err := s.BeginTx(ctx)
		must(t, "BeginTx", err)
		must(t, "LockAdminGrants", s.LockAdminGrants(txCtx))
		must(t, "Commit", s.Commit(txCtx))
	}
}
