package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// MaxJobAccounts caps an explicit selection (a page's ticked rows); a
// larger selection is a search.
const MaxJobAccounts = 1000

// JobActions finds a quick action by name: AccountActions.QuickAction
// (tests give their own).
type JobActions func(name string) (AccountAction, bool)

// AccountSelector gives a search's filters (the account list's query
// parameters, by name) their meaning for a job: the ids of the matching
// accounts of the store after an id, in id (byte) order, and how many
// match. Filters it cannot run are a *ValidationError.
type AccountSelector interface {
	SelectAccountIDs(ctx context.Context, storeID string, filters map[string]string, after string, limit int) ([]string, error)
	CountAccounts(ctx context.Context, storeID string, filters map[string]string) (int64, error)
}

// AccountJobsStore is what the AccountJobs service and its runner need.
type AccountJobsStore interface {
	CoreStore
	storage.AccountJobs
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	GetGroup(ctx context.Context, storeID, id string) (*storage.Group, error)
}

// AccountJobs starts, shows and cancels bulk quick actions over accounts
// (seed 002's quick actions on a selection, up to a whole search result);
// AccountJobRunner does the work.
type AccountJobs struct {
	core     *Core
	store    AccountJobsStore
	actions  JobActions
	selector AccountSelector
}

// NewAccountJobs returns the service; actions are the quick actions jobs
// may run, selector runs "the whole search result" selections
// (NewSearchSelector).
func NewAccountJobs(core *Core, store AccountJobsStore, actions JobActions, selector AccountSelector) *AccountJobs {
	return &AccountJobs{core: core, store: store, actions: actions, selector: selector}
}

// AccountJobInput asks for a job: the action, its group (add_to_group,
// remove_from_group), and the selection: AccountIDs, or All with Query
// (the search's filters, by the list's parameter names; empty: every
// account of the store). A deletion must be Confirmed.
type AccountJobInput struct {
	Action     string            `json:"action"`
	Group      string            `json:"group,omitempty"`
	AccountIDs []string          `json:"account_ids,omitempty"`
	All        bool              `json:"all,omitempty"`
	Query      map[string]string `json:"query,omitempty"`
	Confirm    bool              `json:"confirm,omitempty"`
}

// AccountJob is a job as the API, the console and the audit log show it.
type AccountJob struct {
	ID      string `json:"id"`
	StoreID string `json:"store_id"`
	Action  string `json:"action"`
	Group   string `json:"group,omitempty"`
	// Selection is "accounts" (AccountCount explicit ids) or "search"
	// (Query).
	Selection    string            `json:"selection"`
	AccountCount int               `json:"account_count,omitempty"`
	Query        map[string]string `json:"query,omitempty"`
	Status       string            `json:"status"`
	Total        int64             `json:"total"`
	Processed    int64             `json:"processed"`
	Failed       int64             `json:"failed"`
	StartedBy    string            `json:"started_by"`
	LastError    string            `json:"last_error,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	FinishedAt   *time.Time        `json:"finished_at,omitempty"`
}

// Finished reports whether the job will do nothing more.
func (j AccountJob) Finished() bool { return storage.AccountJobStatus(j.Status).Finished() }

// AccountJobFailure is an account a job could not act on.
type AccountJobFailure struct {
	AccountID string    `json:"account_id"`
	Error     string    `json:"error"`
	At        time.Time `json:"at"`
}

// jobActor is who started a job, as stored with it: the job acts as them.
// The grants are a record of what they held then; a node re-reads the
// actual ones whenever it picks the job up.
type jobActor struct {
	Kind      storage.PrincipalKind `json:"kind"`
	ID        string                `json:"id,omitempty"`
	Name      string                `json:"name"`
	IP        string                `json:"ip,omitempty"`
	UserAgent string                `json:"user_agent,omitempty"`
	Grants    []storage.AdminGrant  `json:"grants,omitempty"`
}

func jobView(j *storage.AccountJob) AccountJob {
	v := AccountJob{ID: j.ID, StoreID: j.StoreID, Action: j.Action, Group: j.Arg, Status: string(j.Status),
		Total: j.Total, Processed: j.Processed, Failed: j.Failed, LastError: j.LastError,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt}
	if j.Query != "" {
		v.Selection = "search"
		_ = json.Unmarshal([]byte(j.Query), &v.Query)
	} else {
		v.Selection, v.AccountCount = "accounts", len(j.AccountIDs)
	}
	var who jobActor
	if json.Unmarshal([]byte(j.Actor), &who) == nil {
		v.StartedBy = who.Name
	}
	return v
}

// requireAccountStore checks p on a customer store that exists: the
// administrators store's accounts are never reachable here.
func (s *AccountJobs) requireAccountStore(ctx context.Context, a Actor, p Permission, storeID string) error {
	if storeID == storage.AdministratorsStoreID {
		return fmt.Errorf("identity store %q: %w", storeID, ErrNotFound)
	}
	return requireExistingStore(ctx, s.store, a, p, storeID)
}

// Start validates in and queues the job, audited as account_job.started;
// the runner then acts on each account as a, with an entry per account.
func (s *AccountJobs) Start(ctx context.Context, a Actor, storeID string, in AccountJobInput) (AccountJob, error) {
	if err := s.requireAccountStore(ctx, a, WriteAccounts, storeID); err != nil {
		return AccountJob{}, err
	}
	job, err := s.validate(ctx, storeID, in)
	if err != nil {
		return AccountJob{}, err
	}
	who, err := json.Marshal(jobActor{Kind: a.Kind, ID: a.ID, Name: a.Name, IP: a.IP, UserAgent: a.UserAgent, Grants: a.Grants})
	if err != nil {
		return AccountJob{}, err
	}
	job.Actor, job.CreatedAt = string(who), s.core.Now()
	var view AccountJob
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateAccountJob(ctx, job); err != nil {
			return Change{}, err
		}
		view = jobView(job)
		return Change{Action: "account_job.started", TargetType: "account_job", TargetID: job.ID, StoreID: storeID, After: view}, nil
	})
	return view, err
}

// Count validates in as Start would, its confirmation aside, and returns
// how many accounts the job would visit: what the console's confirmation
// page names before a deletion.
func (s *AccountJobs) Count(ctx context.Context, a Actor, storeID string, in AccountJobInput) (int64, error) {
	if err := s.requireAccountStore(ctx, a, WriteAccounts, storeID); err != nil {
		return 0, err
	}
	in.Confirm = true
	job, err := s.validate(ctx, storeID, in)
	if job == nil {
		return 0, err
	}
	return job.Total, err
}

// validate turns in into a job to create, or refuses it with every
// problem at once.
func (s *AccountJobs) validate(ctx context.Context, storeID string, in AccountJobInput) (*storage.AccountJob, error) {
	p := Problems{}
	job := &storage.AccountJob{StoreID: storeID, Action: in.Action}
	if _, ok := s.actions(in.Action); !ok || !slices.Contains(QuickActionNames(), in.Action) {
		p.Add("action", "one of enable, disable, add_to_group, remove_from_group, delete")
	}
	switch in.Action {
	case ActionAddToGroup, ActionRemoveFromGroup:
		if err := s.checkGroup(ctx, storeID, in.Group, p); err != nil {
			return nil, err
		}
		job.Arg = in.Group
	case ActionDelete:
		if !in.Confirm {
			p.Add("confirm", "deleting accounts cannot be undone: confirm it")
		}
	}
	if err := s.selection(ctx, storeID, in, job, p); err != nil {
		return nil, err
	}
	return job, p.Err()
}

func (s *AccountJobs) checkGroup(ctx context.Context, storeID, group string, p Problems) error {
	if group == "" {
		p.Add("group", "is required")
		return nil
	}
	_, err := s.store.GetGroup(ctx, storeID, group)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		p.Add("group", "no such group in this identity store")
	case err != nil:
		return err
	}
	return nil
}

// selection fills in the job's accounts (or query) and its estimated
// total.
func (s *AccountJobs) selection(ctx context.Context, storeID string, in AccountJobInput, job *storage.AccountJob, p Problems) error {
	switch {
	case in.All && len(in.AccountIDs) > 0:
		p.Add("account_ids", "give either accounts or a whole search result, not both")
	case in.All:
		filters := searchFilters(in.Query)
		n, err := s.selector.CountAccounts(ctx, storeID, filters)
		var ve *ValidationError
		if errors.As(err, &ve) {
			for f, msg := range ve.Fields {
				p.Add("query."+f, msg)
			}
			return nil
		}
		if err != nil {
			return err
		}
		raw, err := json.Marshal(filters)
		if err != nil {
			return err
		}
		job.Query, job.Total = string(raw), n
		if n == 0 {
			p.Add("query", "no account matches the search")
		}
	default:
		ids := slices.Compact(slices.Sorted(slices.Values(slices.DeleteFunc(slices.Clone(in.AccountIDs), func(id string) bool { return id == "" }))))
		switch {
		case len(ids) == 0:
			p.Add("account_ids", "select at least one account")
		case len(ids) > MaxJobAccounts:
			p.Add("account_ids", fmt.Sprintf("select at most %d accounts, or run the action on the whole search result", MaxJobAccounts))
		}
		job.AccountIDs, job.Total = ids, int64(len(ids))
	}
	return nil
}

// searchFilters are the filters of a search, without its order and page
// (a job walks the whole result in its own order); never nil, so a job
// over every account of the store still counts as a search.
func searchFilters(q map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range q {
		if k != "sort" && k != "limit" && k != "cursor" && strings.TrimSpace(v) != "" {
			out[k] = v
		}
	}
	return out
}

// Get returns one of the store's jobs.
func (s *AccountJobs) Get(ctx context.Context, a Actor, storeID, id string) (AccountJob, error) {
	j, err := s.load(ctx, a, ReadAccounts, storeID, id)
	if err != nil {
		return AccountJob{}, err
	}
	return jobView(j), nil
}

func (s *AccountJobs) load(ctx context.Context, a Actor, p Permission, storeID, id string) (*storage.AccountJob, error) {
	if err := s.requireAccountStore(ctx, a, p, storeID); err != nil {
		return nil, err
	}
	j, err := s.store.GetAccountJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.StoreID != storeID {
		return nil, fmt.Errorf("account job %q: %w", id, ErrNotFound)
	}
	return j, nil
}

// List returns the store's jobs, newest first, after the job id after.
func (s *AccountJobs) List(ctx context.Context, a Actor, storeID, after string, limit int) (Page[AccountJob], error) {
	if err := s.requireAccountStore(ctx, a, ReadAccounts, storeID); err != nil {
		return Page[AccountJob]{}, err
	}
	rows, err := s.store.ListAccountJobs(ctx, storeID, after, pageSize(limit))
	if errors.Is(err, storage.ErrNotFound) {
		return Page[AccountJob]{}, &ValidationError{Fields: map[string]string{"cursor": "is not a cursor of this list"}}
	}
	if err != nil {
		return Page[AccountJob]{}, err
	}
	rows, more := cut(rows, limit)
	out := Page[AccountJob]{Items: make([]AccountJob, len(rows))}
	for i := range rows {
		out.Items[i] = jobView(&rows[i])
	}
	if more {
		out.Next = rows[len(rows)-1].ID
	}
	return out, nil
}

// Failures returns the accounts the job could not act on, by account id,
// after the account id after.
func (s *AccountJobs) Failures(ctx context.Context, a Actor, storeID, id, after string, limit int) (Page[AccountJobFailure], error) {
	if _, err := s.load(ctx, a, ReadAccounts, storeID, id); err != nil {
		return Page[AccountJobFailure]{}, err
	}
	rows, err := s.store.ListAccountJobFailures(ctx, id, after, pageSize(limit))
	if err != nil {
		return Page[AccountJobFailure]{}, err
	}
	rows, more := cut(rows, limit)
	out := Page[AccountJobFailure]{Items: make([]AccountJobFailure, len(rows))}
	for i, r := range rows {
		out.Items[i] = AccountJobFailure{AccountID: r.AccountID, Error: r.Error, At: r.CreatedAt}
	}
	if more {
		out.Next = rows[len(rows)-1].AccountID
	}
	return out, nil
}

// Cancel stops a queued or running job (ErrConflict once it finished);
// what it did stays done. Audited as account_job.cancelled.
func (s *AccountJobs) Cancel(ctx context.Context, a Actor, storeID, id string) (AccountJob, error) {
	j, err := s.load(ctx, a, WriteAccounts, storeID, id)
	if err != nil {
		return AccountJob{}, err
	}
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CancelAccountJob(ctx, id, s.core.Now()); err != nil {
			return Change{}, conflictAs(err, "the job has finished already")
		}
		return Change{Action: "account_job.cancelled", TargetType: "account_job", TargetID: id, StoreID: storeID,
			Before: map[string]any{"status": j.Status, "processed": j.Processed}, After: map[string]any{"status": storage.AccountJobCancelled}}, nil
	})
	if err != nil {
		return AccountJob{}, err
	}
	return s.Get(ctx, a, storeID, id)
}
