package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
	"foyer/storage/sqlstore/sqltest"
)

// startServe runs "foyer serve" until it logs that it is ready and returns
// the process, for the caller to stop however it likes (kill -9 included).
func startServe(t *testing.T, bin string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "foyer is ready") {
				ready <- true
				for sc.Scan() { // keep draining so the process never blocks
				}
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("foyer serve exited before it was ready")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("foyer serve not ready within 30s")
	}
	return cmd
}

// waitFor polls cond (a database read) until it holds.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		<-tick.C
	}
}

// TestAccountJobSurvivesKill: a bulk disable is killed (-9) mid-job; at
// that moment every account is either fully done (disabled, audited, the
// job's cursor past it) or untouched, and after a restart the node takes
// the job up again at once and finishes it with each account disabled
// and audited exactly once.
func TestAccountJobSurvivesKill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := sqltest.PostgresURL(t)
	start := time.Now()
	bin := buildFoyer(t)
	t.Logf("built in %s", time.Since(start))
	env := []string{"PATH=" + os.Getenv("PATH"), "FOYER_ISSUER=http://" + freeAddr(t), "FOYER_DATABASE_URL=" + dbURL,
		"FOYER_SECRET=" + testSecret, "FOYER_BOOTSTRAP_ADMIN_PASSWORD=admin-password-123", "FOYER_NODE_ID=kill-test-node"}
	node := startServe(t, bin, append(env, "FOYER_LISTEN="+freeAddr(t)))
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = node.Process.Kill()
			_ = node.Wait()
		}
	})

	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const n = 600
	for range n {
		if err := store.CreateAccount(ctx, &storage.Account{StoreID: defaultStoreID, Status: storage.AccountEnabled}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("accounts created at %s", time.Since(start))
	core := manage.NewCore(store, nil)
	jobs := manage.NewAccountJobs(core, store, func(string) (manage.AccountAction, bool) { return nil, true },
		manage.NewSearchSelector(manage.NewAccountSearch(core, store), store))
	job, err := jobs.Start(ctx, manage.System(), defaultStoreID, manage.AccountJobInput{Action: manage.ActionDisable, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if job.Total != n {
		t.Fatalf("job total %d, want %d", job.Total, n)
	}
	get := func() *storage.AccountJob {
		j, err := store.GetAccountJob(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	waitFor(t, "the node works on the job", time.Minute, func() bool { return get().Processed >= n/4 })
	if err := node.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = node.Wait()
	stopped = true

	mid := get()
	t.Logf("killed at %s after %d accounts", time.Since(start), mid.Processed)
	if mid.Status != storage.AccountJobRunning || mid.Processed >= n {
		t.Fatalf("killed mid-job, the job is %+v", mid)
	}
	checkNoneHalfDone(t, store, mid)

	// The node starts again under its name (FOYER_NODE_ID) and releases
	// the lease its dead run held, rather than wait a minute for it.
	restarted := startServe(t, bin, append(env, "FOYER_LISTEN="+freeAddr(t)))
	t.Cleanup(func() {
		_ = restarted.Process.Signal(syscall.SIGTERM)
		if err := restarted.Wait(); err != nil {
			t.Errorf("foyer serve did not exit cleanly on SIGTERM: %v", err)
		}
	})
	waitFor(t, "the restarted node finishes the job (well before the one-minute lease)", 30*time.Second, func() bool { return get().Status.Finished() })
	end := get()
	t.Logf("done at %s", time.Since(start))
	if end.Status != storage.AccountJobDone || end.Processed != n || end.Failed != 0 || end.LeaseOwner == mid.LeaseOwner {
		t.Fatalf("finished job = %+v", end)
	}
	checkNoneHalfDone(t, store, end)
}

// checkNoneHalfDone: the accounts up to the job's cursor are disabled
// with exactly one audit entry each, the others enabled without one.
func checkNoneHalfDone(t *testing.T, store *sqlstore.Store, job *storage.AccountJob) {
	t.Helper()
	ctx := context.Background()
	audited := map[string]int{}
	err := store.WalkAuditEntries(ctx, func(e storage.AuditEntry) error {
		if e.Action == "account.disabled" {
			audited[e.TargetID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := store.ListAccountIDs(ctx, defaultStoreID, "", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, id := range ids {
		acct, err := store.GetAccount(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		disabled := acct.Status == storage.AccountDisabled
		want := id <= job.Cursor
		if disabled != want || audited[id] != map[bool]int{true: 1, false: 0}[want] {
			t.Fatalf("account %s (cursor %s): disabled %v, %d audit entries", id, job.Cursor, disabled, audited[id])
		}
		if disabled {
			done++
		}
	}
	if int64(done) != job.Processed || len(audited) != done {
		t.Fatalf("%d accounts done, %d audited, the job says %d", done, len(audited), job.Processed)
	}
}
