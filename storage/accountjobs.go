package storage

import (
	"context"
	"time"
)

// AccountJobStatus is where a bulk job over accounts stands.
type AccountJobStatus string

const (
	// AccountJobQueued: created, not yet picked up by a node.
	AccountJobQueued AccountJobStatus = "queued"
	// AccountJobRunning: a node holds (or held, until its lease runs out)
	// the job and works through its selection.
	AccountJobRunning AccountJobStatus = "running"
	// AccountJobDone: every account of the selection was visited (some may
	// have failed; see Failed).
	AccountJobDone AccountJobStatus = "done"
	// AccountJobFailed: the job stopped before the end (its actor lost the
	// permission, say); LastError says why.
	AccountJobFailed AccountJobStatus = "failed"
	// AccountJobCancelled: an administrator stopped it; what was done stays
	// done.
	AccountJobCancelled AccountJobStatus = "cancelled"
)

// Finished reports whether the job will do nothing more.
func (s AccountJobStatus) Finished() bool {
	return s == AccountJobDone || s == AccountJobFailed || s == AccountJobCancelled
}

// NodeLeaseSeparator ends the node's name in the lease owner of an
// account job ("<node>#<run>"): the node's next run releases the jobs its
// crashed run held (Janitor.ReleaseNodeLeases), whatever the run's part.
const NodeLeaseSeparator = "#"

// AccountJob is one quick action (disable, delete, add to a group, ...)
// run over a selection of accounts of one identity store, durably: it
// walks the selection in account-id order and Cursor is the last account
// it visited, so a node that takes the job over resumes after it and never
// visits an account twice.
type AccountJob struct {
	ID      string
	StoreID string
	Action  string // the quick action's name
	Arg     string // its argument (a group id), "" for none
	// The selection is either explicit account ids (a page's selection)
	// or Query, a search's filters as JSON (the whole search result); the
	// service layer gives Query its meaning.
	AccountIDs []string
	Query      string
	Status     AccountJobStatus
	Total      int64 // estimated at creation (a search result may change)
	Processed  int64 // accounts visited, failures included
	Failed     int64
	Cursor     string
	// Actor is who started the job, as JSON; the job acts on their behalf
	// and checks again, whenever a node picks it up, that they still may.
	Actor string
	// LeaseOwner and LockedUntil: the node working on the job holds it
	// until LockedUntil; only the owner's progress counts.
	LeaseOwner  string
	LockedUntil *time.Time
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
}

// AccountJobFailure is one account a job could not act on, and why.
type AccountJobFailure struct {
	JobID     string
	AccountID string
	Error     string
	CreatedAt time.Time
}

// AccountJobs stores bulk jobs over accounts and leases them to the nodes
// that run them.
type AccountJobs interface {
	// CreateAccountJob inserts j as queued, filling in ID, CreatedAt and
	// UpdatedAt when empty.
	CreateAccountJob(ctx context.Context, j *AccountJob) error
	// GetAccountJob returns the job; ErrNotFound.
	GetAccountJob(ctx context.Context, id string) (*AccountJob, error)
	// ListAccountJobs returns up to limit jobs of the store, newest first,
	// those after the job with id after ("" for the first page).
	ListAccountJobs(ctx context.Context, storeID, after string, limit int) ([]AccountJob, error)
	// ClaimAccountJob leases one unfinished job that no live lease holds
	// (oldest first) to owner until now+lease, marks it running and
	// returns it. It is atomic across nodes: of concurrent claimers one
	// gets the job. ErrNotFound when there is none to claim.
	ClaimAccountJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*AccountJob, error)
	// RenewAccountJobLease extends owner's lease on a running job to
	// until; ErrNotFound when owner no longer holds it (another node took
	// it over, or it was cancelled).
	RenewAccountJobLease(ctx context.Context, id, owner string, until time.Time) error
	// AdvanceAccountJob records that owner's run visited accountID: one
	// more processed (and, when failure is not empty, one more failed,
	// with the failure kept), the cursor moved to accountID. Called in the
	// transaction that acted on the account, it makes the action and the
	// progress commit together. ErrNotFound, changing nothing, when the
	// job is not running under owner's lease or accountID is not past the
	// cursor: the caller must then roll its action back.
	AdvanceAccountJob(ctx context.Context, id, owner, accountID, failure string, at time.Time) error
	// FinishAccountJob ends owner's running job with status (done or
	// failed) and lastError, releasing the lease; ErrNotFound when owner
	// no longer holds it.
	FinishAccountJob(ctx context.Context, id, owner string, status AccountJobStatus, lastError string, at time.Time) error
	// CancelAccountJob stops a queued or running job; ErrConflict when it
	// already finished, ErrNotFound when there is no such job.
	CancelAccountJob(ctx context.Context, id string, at time.Time) error
	// ListAccountJobFailures returns up to limit of the job's failures by
	// account id, those after the account id after.
	ListAccountJobFailures(ctx context.Context, jobID, after string, limit int) ([]AccountJobFailure, error)
	// ListAccountIDs returns up to limit ids of the store's accounts above
	// after, in id order (a job's walk over a whole store).
	ListAccountIDs(ctx context.Context, storeID, after string, limit int) ([]string, error)
	// SearchAccountIDs returns up to limit ids of the accounts matching q
	// (its order, position and limit ignored) above after, in id order: a
	// job's walk over a search result. CountSearchedAccounts counts them.
	SearchAccountIDs(ctx context.Context, q AccountSearch, after string, limit int) ([]string, error)
	CountSearchedAccounts(ctx context.Context, q AccountSearch) (int64, error)
}
