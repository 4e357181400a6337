package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// AccountJobService is what the console asks of bulk quick actions
// (manage.AccountJobs).
type AccountJobService interface {
	Start(ctx context.Context, a manage.Actor, storeID string, in manage.AccountJobInput) (manage.AccountJob, error)
	Count(ctx context.Context, a manage.Actor, storeID string, in manage.AccountJobInput) (int64, error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (manage.AccountJob, error)
	List(ctx context.Context, a manage.Actor, storeID, after string, limit int) (manage.Page[manage.AccountJob], error)
	Failures(ctx context.Context, a manage.Actor, storeID, id, after string, limit int) (manage.Page[manage.AccountJobFailure], error)
	Cancel(ctx context.Context, a manage.Actor, storeID, id string) (manage.AccountJob, error)
}

// errNoAccountJobs: the console was built without the jobs' service.
var errNoAccountJobs = errors.New("console: the account jobs service is not configured")

const (
	accountJobsCreateRoute = "console.account_jobs_create"
	jobsListRoute          = "console.account_jobs"
	jobRoute               = "console.account_job"
	jobCancelRoute         = "console.account_job_cancel"
)

// jobRefreshSeconds is how often a running job's page reloads itself (a
// meta refresh: no script, and leaving the page leaves the job running).
const jobRefreshSeconds = 2

// jobFailuresPage is how many failures the job's page lists at once.
const jobFailuresPage = 50

func (h *Handler) mountAccountJobs(r *mux.Router) {
	route.Handle(r, accountJobsCreateRoute, "/admin/stores/{store}/accounts/actions", route.Methods{
		http.MethodPost: h.authed(h.withJobs(h.createAccountJob)), http.MethodGet: h.authed(h.backToAccountList)})
	route.Handle(r, jobsListRoute, "/admin/stores/{store}/jobs", route.Methods{
		http.MethodGet: h.authed(h.withJobs(h.accountJobsPage))})
	route.Handle(r, jobRoute, "/admin/stores/{store}/jobs/{job}", route.Methods{
		http.MethodGet: h.authed(h.withJobs(h.accountJobPage))})
	route.Handle(r, jobCancelRoute, "/admin/stores/{store}/jobs/{job}/cancel", route.Methods{
		http.MethodPost: h.authed(h.withJobs(h.cancelAccountJob))})
}

func (h *Handler) withJobs(fn pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, rq *request) error {
		if h.accountJobs == nil {
			return errNoAccountJobs
		}
		return fn(w, r, rq)
	}
}

// jobRow is a job as the pages show it, every value ready to print (the
// templates also render without data).
type jobRow struct {
	manage.AccountJob
	URL, ActionLabel, StatusLabel string
	Percent                       int64
	// Search: the selection is a search (Query), not AccountCount ids.
	Search bool
	// Created and Finished as shown and as machine-readable times.
	Created, CreatedISO, Finished, FinishedISO string
}

// Time formats of the jobs' pages.
const (
	shownTime = "2006-01-02 15:04:05 MST"
	isoTime   = "2006-01-02T15:04:05Z07:00"
)

func (h *Handler) jobRow(j manage.AccountJob) jobRow {
	row := jobRow{AccountJob: j, URL: h.path(jobRoute, nil, "store", j.StoreID, "job", j.ID),
		ActionLabel: "admin.jobs.action." + j.Action, StatusLabel: "admin.jobs.status." + j.Status,
		Search: j.Selection == "search", Created: j.CreatedAt.Format(shownTime), CreatedISO: j.CreatedAt.Format(isoTime)}
	if j.FinishedAt != nil {
		row.Finished, row.FinishedISO = j.FinishedAt.Format(shownTime), j.FinishedAt.Format(isoTime)
	}
	if j.Total > 0 {
		row.Percent = min(100, j.Processed*100/j.Total)
	}
	if j.Finished() && j.Status == "done" {
		row.Percent = 100
	}
	return row
}

// accountJobsPage is the data of admin_account_jobs: the store's recent
// bulk actions, newest first.
type accountJobsPage struct {
	frame
	StoreName string
	StoreURL  string
	Jobs      []jobRow
	NextURL   string
}

func (h *Handler) accountJobsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	page, err := h.accountJobs.List(r.Context(), rq.Actor, s.ID, r.URL.Query().Get("cursor"), listPageSize)
	var ve *manage.ValidationError
	if errors.As(err, &ve) { // a stale cursor: start again
		page, err = h.accountJobs.List(r.Context(), rq.Actor, s.ID, "", listPageSize)
	}
	if err != nil {
		return err
	}
	p := &accountJobsPage{StoreName: s.Name, StoreURL: h.path(storeRoute, nil, "store", s.ID)}
	for _, j := range page.Items {
		p.Jobs = append(p.Jobs, h.jobRow(j))
	}
	if page.Next != "" {
		p.NextURL = h.path(jobsListRoute, url.Values{"cursor": {page.Next}}, "store", s.ID)
	}
	h.page(w, r, rq, "admin_account_jobs", http.StatusOK, s.ID, p)
	return nil
}

// accountJobPage is the data of admin_account_job: one job's progress,
// reloading itself while the job runs, and the accounts it could not act
// on.
type accountJobPage struct {
	frame
	StoreName string
	jobRow
	// Refresh is the reload interval in seconds while the job runs (0:
	// finished, no reload).
	Refresh     int
	Failures    []manage.AccountJobFailure
	FailuresURL string // the next page of failures
	CanCancel   bool
	CancelURL   string
	ListURL     string
}

func (h *Handler) accountJobPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	job, err := h.accountJobs.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["job"])
	if err != nil {
		return err
	}
	fails, err := h.accountJobs.Failures(r.Context(), rq.Actor, s.ID, job.ID, r.URL.Query().Get("failures_after"), jobFailuresPage)
	if err != nil {
		return err
	}
	p := &accountJobPage{StoreName: s.Name, jobRow: h.jobRow(job), Failures: fails.Items,
		CanCancel: !job.Finished() && rq.Actor.Can(manage.WriteAccounts, s.ID),
		CancelURL: h.path(jobCancelRoute, nil, "store", s.ID, "job", job.ID),
		ListURL:   h.path(jobsListRoute, nil, "store", s.ID)}
	if !job.Finished() {
		p.Refresh = jobRefreshSeconds
	}
	if fails.Next != "" {
		p.FailuresURL = h.path(jobRoute, url.Values{"failures_after": {fails.Next}}, "store", s.ID, "job", job.ID)
	}
	h.page(w, r, rq, "admin_account_job", http.StatusOK, s.ID, p)
	return nil
}

// cancelAccountJob stops the job and shows its page again; a job that
// finished meanwhile simply shows how it ended.
func (h *Handler) cancelAccountJob(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["job"]
	if _, err := h.accountJobs.Cancel(r.Context(), rq.Actor, s.ID, id); err != nil && !errors.Is(err, manage.ErrConflict) {
		return err
	}
	http.Redirect(w, r, h.path(jobRoute, nil, "store", s.ID, "job", id), http.StatusSeeOther) //nolint:gosec // G710: the console's own route
	return nil
}

// backToAccountList answers a GET of the actions' address (a reloaded or
// bookmarked confirmation) with the account list and its search, rather
// than taking "actions" for an account id.
func (h *Handler) backToAccountList(w http.ResponseWriter, r *http.Request, _ *request) error {
	list := h.path(accountsRoute, r.URL.Query(), "store", mux.Vars(r)["store"])
	// The target is this console's own list path (a named route); only
	// its query, re-encoded, comes from the request.
	http.Redirect(w, r, list, http.StatusSeeOther) //nolint:gosec // not an open redirect: a path of ours, see above

	return nil
}
