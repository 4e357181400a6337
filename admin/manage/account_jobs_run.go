package manage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"foyer/storage"
)

// RunnerConfig tunes an AccountJobRunner; zero values take the defaults.
type RunnerConfig struct {
	// PollInterval is how often an idle node looks for a job (1s).
	PollInterval time.Duration
	// Lease is how long a node holds a job without renewing it (1m): a
	// node that dies mid-job leaves it to another node after this.
	Lease time.Duration
	// Batch is how many account ids a node reads at a time, renewing the
	// lease after each batch (100).
	Batch int
	// Node names this node (FOYER_NODE_ID): its leases on jobs carry it,
	// so that its next run releases at once the jobs a crash left
	// (storage.Janitor.ReleaseNodeLeases). "": a random name.
	Node string
	// PerTx is how many accounts share one transaction (1). Each account is
	// still all or nothing (the transaction holds its action, its audit
	// entry and the cursor past it), and a transaction in which one account
	// fails is redone one account at a time; more than one saves commits.
	PerTx  int
	Logger *slog.Logger
	// AfterAccount, when set, is called after each account's transaction
	// committed (tests stop a node there).
	AfterAccount func(jobID, accountID string)
}

// AccountJobRunner works through queued jobs, one at a time per node: each
// account in its own transaction with the action, its audit entry and the
// job's progress, so a node killed at any moment leaves every account
// either fully done (audited, the cursor past it) or untouched, and
// whoever takes the job over resumes after the cursor.
type AccountJobRunner struct {
	jobs  *AccountJobs
	cfg   RunnerConfig
	owner string
}

// errLeaseLost: the job was cancelled or another node holds it now.
var errLeaseLost = errors.New("manage: account job lease lost")

// NewRunner returns the node's runner for the service's jobs.
func (s *AccountJobs) NewRunner(cfg RunnerConfig) *AccountJobRunner {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	cfg.PerTx = max(1, cfg.PerTx)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	node := cfg.Node
	if node == "" {
		node = "node-" + hex.EncodeToString(b[:6])
	}
	return &AccountJobRunner{jobs: s, cfg: cfg, owner: node + storage.NodeLeaseSeparator + hex.EncodeToString(b[6:])}
}

// Run works on jobs until ctx ends. A job cut short keeps its lease until
// the lease runs out, unless the stop was orderly (then it is released at
// once for the next node).
func (r *AccountJobRunner) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		for {
			ran, err := r.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				r.cfg.Logger.ErrorContext(ctx, "account job", "err", err)
			}
			if !ran || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims one job and works on it until it ends, the node loses it
// or ctx ends; it reports whether there was a job.
func (r *AccountJobRunner) RunOnce(ctx context.Context) (bool, error) {
	s := r.jobs
	job, err := s.store.ClaimAccountJob(ctx, r.owner, s.core.Now(), r.cfg.Lease)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	err = r.work(ctx, job)
	switch {
	case errors.Is(err, errLeaseLost):
		return true, nil
	case ctx.Err() != nil:
		// An orderly stop: let the next node resume at once.
		_ = s.store.RenewAccountJobLease(context.WithoutCancel(ctx), job.ID, r.owner, s.core.Now())
		return true, nil //nolint:nilerr // a stop is no failure of the job
	case err != nil:
		return true, r.finish(ctx, job, storage.AccountJobFailed, err)
	}
	return true, r.finish(ctx, job, storage.AccountJobDone, nil)
}

// errJobStopped is a reason to end a job that the progress page shows as
// it is.
type errJobStopped struct{ msg string }

func (e errJobStopped) Error() string { return e.msg }

func (r *AccountJobRunner) finish(ctx context.Context, job *storage.AccountJob, status storage.AccountJobStatus, cause error) error {
	msg := ""
	if cause != nil {
		msg = "internal error"
		var stop errJobStopped
		if errors.As(cause, &stop) {
			msg = stop.msg
		} else {
			r.cfg.Logger.ErrorContext(ctx, "account job failed", "job", job.ID, "err", cause)
		}
	}
	err := r.jobs.store.FinishAccountJob(ctx, job.ID, r.owner, status, msg, r.jobs.core.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return nil // cancelled meanwhile, or taken over
	}
	return err
}

// work walks the job's selection after its cursor, batch by batch.
func (r *AccountJobRunner) work(ctx context.Context, job *storage.AccountJob) error {
	s := r.jobs
	actor, err := s.jobActor(ctx, job)
	if err != nil {
		return err
	}
	action, ok := s.actions(job.Action)
	if !ok {
		return errJobStopped{fmt.Sprintf("unknown action %q", job.Action)}
	}
	var filters map[string]string
	if job.Query != "" {
		if err := json.Unmarshal([]byte(job.Query), &filters); err != nil {
			return fmt.Errorf("job query: %w", err)
		}
	}
	cursor := job.Cursor
	for {
		ids, err := r.next(ctx, job, filters, cursor)
		if err != nil || len(ids) == 0 {
			return err
		}
		for chunk := range slices.Chunk(ids, r.cfg.PerTx) {
			if err := r.visit(ctx, job, actor, action, chunk); err != nil {
				return err
			}
			for _, id := range chunk {
				cursor = id
				if r.cfg.AfterAccount != nil {
					r.cfg.AfterAccount(job.ID, id)
				}
			}
		}
		if err := s.store.RenewAccountJobLease(ctx, job.ID, r.owner, s.core.Now().Add(r.cfg.Lease)); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return errLeaseLost
			}
			return err
		}
	}
}

// next reads the next batch of the selection after cursor.
func (r *AccountJobRunner) next(ctx context.Context, job *storage.AccountJob, filters map[string]string, cursor string) ([]string, error) {
	if job.Query == "" {
		ids := job.AccountIDs // sorted at creation; sort again in case
		slices.Sort(ids)
		i, _ := slices.BinarySearch(ids, cursor)
		for i < len(ids) && ids[i] <= cursor {
			i++
		}
		return ids[i:min(len(ids), i+r.cfg.Batch)], nil
	}
	ids, err := r.jobs.selector.SelectAccountIDs(ctx, job.StoreID, filters, cursor, r.cfg.Batch)
	var ve *ValidationError
	if errors.As(err, &ve) {
		// The store's schema changed under the search.
		return nil, errJobStopped{"the search no longer applies: " + ve.Error()}
	}
	return ids, err
}

// jobActor is whoever started the job, with the grants they hold now: a
// job acts only while its starter still may change the store's accounts.
func (s *AccountJobs) jobActor(ctx context.Context, job *storage.AccountJob) (Actor, error) {
	var who jobActor
	if err := json.Unmarshal([]byte(job.Actor), &who); err != nil {
		return Actor{}, fmt.Errorf("job actor: %w", err)
	}
	var a Actor
	var err error
	switch who.Kind {
	case storage.PrincipalSystem:
		a = System()
	case storage.PrincipalAdministrator:
		a, err = s.core.Administrator(ctx, who.ID, who.IP, who.UserAgent)
	case storage.PrincipalClient:
		a, err = s.core.Client(ctx, who.ID, who.Name, who.IP, who.UserAgent)
	default:
		err = ErrForbidden
	}
	if errors.Is(err, ErrForbidden) || (err == nil && !a.Can(WriteAccounts, job.StoreID)) {
		return Actor{}, errJobStopped{fmt.Sprintf("%s may no longer change the accounts of this identity store", who.Name)}
	}
	return a, err
}

// errOneFailed: an account of a shared transaction failed; the others
// are redone one by one.
var errOneFailed = errors.New("manage: an account of the transaction failed")

// visit runs the action on the accounts, in order, in one transaction
// with their audit entries and the job's progress. When an account fails,
// it goes through them one at a time instead: the action's failure rolls
// that account back and is recorded (progress too) in a transaction of its
// own. A lost lease rolls everything back and stops.
func (r *AccountJobRunner) visit(ctx context.Context, job *storage.AccountJob, a Actor, action AccountAction, ids []string) error {
	if len(ids) > 1 {
		if _, err := r.apply(ctx, job, a, action, ids); !errors.Is(err, errOneFailed) {
			return err
		}
	}
	s := r.jobs
	for _, id := range ids {
		failure, err := r.apply(ctx, job, a, action, []string{id})
		if err != nil || failure == "" {
			if err != nil {
				return err
			}
			continue
		}
		err = s.store.AdvanceAccountJob(ctx, job.ID, r.owner, id, failure, s.core.Now())
		if errors.Is(err, storage.ErrNotFound) {
			return errLeaseLost
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// apply is visit's transaction; for a single account it returns the
// failure to record when the action refused it, for several errOneFailed.
func (r *AccountJobRunner) apply(ctx context.Context, job *storage.AccountJob, a Actor, action AccountAction, ids []string) (failure string, err error) {
	s := r.jobs
	tx, err := s.store.BeginTx(ctx)
	if err != nil {
		return "", err
	}
	defer func() { _ = s.store.Rollback(tx) }()
	for _, id := range ids {
		err := r.act(tx, job, a, action, id)
		if msg, ok := accountFailure(err); ok {
			if len(ids) > 1 {
				return "", errOneFailed
			}
			return msg, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", s.store.Commit(tx)
}

// act is one account's part of a transaction: the action, its audit
// entry, the job's cursor past it.
func (r *AccountJobRunner) act(tx context.Context, job *storage.AccountJob, a Actor, action AccountAction, id string) error {
	s := r.jobs
	acct, err := LoadAccount(tx, s.store, a, WriteAccounts, job.StoreID, id)
	if err == nil {
		var ch Change
		ch, err = action(tx, a, acct, job.Arg)
		if err == nil && ch.Action != "" {
			err = s.core.Record(tx, a, WriteAccounts, ch)
		}
	}
	if err != nil {
		if _, ok := accountFailure(err); ok {
			return err
		}
		return fmt.Errorf("account %s: %w", id, err)
	}
	err = s.store.AdvanceAccountJob(tx, job.ID, r.owner, id, "", s.core.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return errLeaseLost
	}
	return err
}

// accountFailure is what the progress page says about an account the
// action refused; ok is false for errors that should stop the job (the
// database is gone, say).
func accountFailure(err error) (string, bool) {
	var ve *ValidationError
	var ce *ConflictError
	switch {
	case errors.Is(err, ErrNotFound):
		return "account not found", true
	case errors.Is(err, ErrForbidden):
		return "not allowed", true
	case errors.As(err, &ve):
		return ve.Error(), true
	case errors.As(err, &ce):
		return ce.Detail, true
	case errors.Is(err, ErrConflict), errors.Is(err, ErrStale):
		return "the account changed meanwhile", true
	}
	return "", false
}
