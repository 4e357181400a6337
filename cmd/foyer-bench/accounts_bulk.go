package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"foyer/cmd/internal/devseed"
)

const (
	// killAt is the share of the job done when the server is killed.
	killAt = 0.4
	// jobTimeout bounds the wait for the job after the restart.
	jobTimeout = 20 * time.Minute
	jobPoll    = 100 * time.Millisecond
)

// bulkReport is the bulk disable with a crash in the middle.
type bulkReport struct {
	selected             int64
	elapsed              time.Duration // start to done, crash and restart included
	killedAfter          time.Duration
	processedAtKill      int64 // as the job reported before the kill
	disabledAtKill       int64 // as the database held right after it
	restart              time.Duration
	finishedBeforeKill   bool
	status               string
	processed, failedN   int64
	disabled, untouched  int64
	missingAudit         int64 // disabled without an account.disabled entry
	duplicateAudit       int64 // accounts with more than one
	auditWithoutDisabled int64 // untouched accounts with an entry
	problems             []string
}

// jobView is what the bench reads of a job.
type jobView struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Total     int64  `json:"total"`
	Processed int64  `json:"processed"`
	Failed    int64  `json:"failed"`
}

func (j *jobView) finished() bool {
	return j.Status == "done" || j.Status == "failed" || j.Status == "cancelled"
}

// benchBulkDisable puts o.bulk enabled seeded accounts in a group, has a
// job disable the group through the API, kills the server with SIGKILL
// when killAt of it is done, restarts it, waits for the job and checks
// with SQL that every account is either disabled with exactly one audit
// entry or untouched.
func benchBulkDisable(ctx context.Context, o options, srv *server, admin *adminAPI, databaseURL string,
	seed *devseed.Result, progress io.Writer) (*bulkReport, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	groupID, err := admin.bulkGroup(ctx)
	if err != nil {
		return nil, err
	}
	rep := &bulkReport{}
	res, err := db.ExecContext(ctx, `INSERT INTO group_members (group_id, account_id, created_at)
		SELECT $1, id, now() FROM accounts WHERE store_id = $2 AND status = 'enabled' AND email NOT LIKE '%@bench.example'
		ORDER BY id LIMIT $3`, groupID, benchStore, o.bulk)
	if err == nil {
		rep.selected, err = res.RowsAffected()
	}
	if err != nil {
		return nil, fmt.Errorf("fill the group: %w", err)
	}
	fmt.Fprintf(progress, "postgres: bulk disable of %d accounts, killing the server at %.0f %% ...\n", rep.selected, killAt*100)
	began := time.Now()
	job, err := admin.startJob(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if err := rep.crash(ctx, srv, admin, db, groupID, job, began); err != nil {
		return rep, err
	}
	if job, err = admin.waitJob(ctx, job.ID, func(*jobView) bool { return false }); err != nil {
		return rep, err
	}
	rep.elapsed = time.Since(began)
	rep.status, rep.processed, rep.failedN = job.Status, job.Processed, job.Failed
	return rep, rep.check(ctx, db, groupID)
}

// crash waits until killAt of the job is done, kills the server, reads
// what the database holds and starts the server again.
func (rep *bulkReport) crash(ctx context.Context, srv *server, admin *adminAPI, db *sql.DB, groupID string,
	job *jobView, began time.Time) error {
	target := int64(float64(rep.selected) * killAt)
	job, err := admin.waitJob(ctx, job.ID, func(j *jobView) bool { return j.Processed >= target })
	if err != nil {
		return err
	}
	if job.finished() {
		rep.finishedBeforeKill = true
	}
	rep.killedAfter, rep.processedAtKill = time.Since(began), job.Processed
	if err := srv.kill(); err != nil {
		return err
	}
	admin.t.transport.CloseIdleConnections()
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members gm JOIN accounts a ON a.id = gm.account_id
		WHERE gm.group_id = $1 AND a.status = 'disabled'`, groupID).Scan(&rep.disabledAtKill)
	if err != nil {
		return err
	}
	if rep.restart, _, err = srv.start(); err != nil {
		return fmt.Errorf("restart after the kill: %w", err)
	}
	return nil
}

// check counts, in the group, disabled and untouched accounts and the
// audit entries that do not fit.
func (rep *bulkReport) check(ctx context.Context, db *sql.DB, groupID string) error {
	const members = `FROM group_members gm JOIN accounts a ON a.id = gm.account_id WHERE gm.group_id = $1`
	const audited = `EXISTS (SELECT 1 FROM audit_entries e WHERE e.target_type = 'account' AND e.target_id = a.id
		AND e.action = 'account.disabled')`
	for _, q := range []struct {
		dst   *int64
		query string
	}{
		{&rep.disabled, `SELECT COUNT(*) ` + members + ` AND a.status = 'disabled'`},
		{&rep.untouched, `SELECT COUNT(*) ` + members + ` AND a.status <> 'disabled'`},
		{&rep.missingAudit, `SELECT COUNT(*) ` + members + ` AND a.status = 'disabled' AND NOT ` + audited},
		{&rep.auditWithoutDisabled, `SELECT COUNT(*) ` + members + ` AND a.status <> 'disabled' AND ` + audited},
		{&rep.duplicateAudit, `SELECT COUNT(*) FROM (SELECT e.target_id FROM audit_entries e JOIN group_members gm
			ON gm.account_id = e.target_id AND gm.group_id = $1 WHERE e.target_type = 'account'
			AND e.action = 'account.disabled' GROUP BY e.target_id HAVING COUNT(*) > 1) d`},
	} {
		if err := db.QueryRowContext(ctx, q.query, groupID).Scan(q.dst); err != nil {
			return err
		}
	}
	add := func(bad bool, format string, args ...any) {
		if bad {
			rep.problems = append(rep.problems, fmt.Sprintf(format, args...))
		}
	}
	add(rep.status != "done", "the job ended %q", rep.status)
	add(rep.disabled != rep.selected, "%d of %d accounts disabled", rep.disabled, rep.selected)
	add(rep.missingAudit > 0, "%d disabled accounts without an account.disabled audit entry", rep.missingAudit)
	add(rep.duplicateAudit > 0, "%d accounts with more than one account.disabled entry", rep.duplicateAudit)
	add(rep.auditWithoutDisabled > 0, "%d untouched accounts with an account.disabled entry", rep.auditWithoutDisabled)
	return nil
}

func (a *adminAPI) bulkGroup(ctx context.Context) (string, error) {
	r, err := a.call(ctx, http.MethodPost, "/stores/"+benchStore+"/groups", map[string]string{
		"name": "bench-bulk-" + time.Now().UTC().Format("20060102-150405")})
	if err != nil {
		return "", err
	}
	var g struct {
		ID string `json:"id"`
	}
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &g) != nil || g.ID == "" {
		return "", fmt.Errorf("POST /stores/{store}/groups: status %d: %s", r.status, snippet(r.body))
	}
	return g.ID, nil
}

func (a *adminAPI) startJob(ctx context.Context, groupID string) (*jobView, error) {
	r, err := a.call(ctx, http.MethodPost, "/stores/"+benchStore+"/account-jobs", map[string]any{
		"action": "disable", "all": true, "query": map[string]string{"group": groupID}})
	if err != nil {
		return nil, err
	}
	var j jobView
	if r.status != http.StatusAccepted || json.Unmarshal(r.body, &j) != nil || j.ID == "" {
		return nil, fmt.Errorf("POST /stores/{store}/account-jobs: status %d: %s", r.status, snippet(r.body))
	}
	return &j, nil
}

// waitJob polls the job until it is finished or until reports true.
func (a *adminAPI) waitJob(ctx context.Context, id string, until func(*jobView) bool) (*jobView, error) {
	deadline := time.Now().Add(jobTimeout)
	for {
		var j jobView
		if err := a.getJSON(ctx, "/stores/"+benchStore+"/account-jobs/"+id, &j); err != nil {
			return nil, err
		}
		if j.finished() || until(&j) {
			return &j, nil
		}
		if time.Now().After(deadline) {
			return &j, fmt.Errorf("job %s still %s after %v (%d of %d)", id, j.Status, jobTimeout, j.Processed, j.Total)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(jobPoll):
		}
	}
}

func printBulk(w io.Writer, b *bulkReport) {
	if b == nil {
		return
	}
	rate := float64(b.processed) / b.elapsed.Seconds()
	fmt.Fprintf(w, "\nbulk disable of %d accounts (one job): %s, %d processed, %d failed, in %.1f s (%.0f accounts/s, "+
		"crash and restart included)\n", b.selected, b.status, b.processed, b.failedN, b.elapsed.Seconds(), rate)
	if b.finishedBeforeKill {
		fmt.Fprintln(w, "  the job finished before the kill: the crash tested nothing (use more -bulk accounts)")
	} else {
		fmt.Fprintf(w, "  killed with SIGKILL after %.1f s (%d processed, %.0f accounts/s before; %d disabled in the database), "+
			"restarted in %s\n", b.killedAfter.Seconds(), b.processedAtKill, float64(b.processedAtKill)/b.killedAfter.Seconds(),
			b.disabledAtKill, seconds(b.restart))
	}
	fmt.Fprintf(w, "  after: %d disabled, %d untouched; disabled without audit entry %d, with more than one %d, "+
		"untouched with one %d\n", b.disabled, b.untouched, b.missingAudit, b.duplicateAudit, b.auditWithoutDisabled)
	for _, p := range b.problems {
		fmt.Fprintf(w, "  PROBLEM: %s\n", p)
	}
}
