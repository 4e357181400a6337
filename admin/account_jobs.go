package admin

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoAccountJobs: the handler was built without the account jobs'
// service (a test that only walks the routes).
var errNoAccountJobs = errors.New("admin: the account jobs service is not configured")

// accountJobRoute is one job of a store, with the store and job variables.
const accountJobRoute = "admin.store_account_job"

// mountAccountJobs registers /stores/{store}/account-jobs: quick actions
// on many accounts, run as durable jobs (manage.AccountJobs).
func (h *Handler) mountAccountJobs(api *mux.Router) {
	route.Handle(api, "admin.store_account_jobs", "/stores/{store}/account-jobs", route.Methods{
		http.MethodGet: h.withAccountJobs(h.listAccountJobs), http.MethodPost: h.withAccountJobs(h.startAccountJob)})
	route.Handle(api, accountJobRoute, "/stores/{store}/account-jobs/{job}", route.Methods{
		http.MethodGet: h.withAccountJobs(h.getAccountJob)})
	route.Handle(api, "admin.store_account_job_failures", "/stores/{store}/account-jobs/{job}/failures", route.Methods{
		http.MethodGet: h.withAccountJobs(h.listAccountJobFailures)})
	route.Handle(api, "admin.store_account_job_cancel", "/stores/{store}/account-jobs/{job}/cancel", route.Methods{
		http.MethodPost: h.withAccountJobs(h.cancelAccountJob)})
}

// withAccountJobs runs next only when the service is there.
func (h *Handler) withAccountJobs(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.accountJobs == nil {
			return errNoAccountJobs
		}
		return next(w, r, a)
	})
}

// startAccountJob queues a job and answers 202 with the job and, in
// Location, where to follow its progress.
func (h *Handler) startAccountJob(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.AccountJobInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	storeID := mux.Vars(r)["store"]
	job, err := h.accountJobs.Start(r.Context(), a, storeID, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Location", h.routes.Path(accountJobRoute, nil, "store", storeID, "job", job.ID))
	writeJSON(w, http.StatusAccepted, job)
	return nil
}

func (h *Handler) listAccountJobs(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	limit, after, err := pageParams(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := h.accountJobs.List(r.Context(), a, mux.Vars(r)["store"], after, limit)
	if err != nil {
		return writeServiceError(w, r, listError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (h *Handler) getAccountJob(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	job, err := h.accountJobs.Get(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)["job"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, job)
	return nil
}

func (h *Handler) listAccountJobFailures(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	limit, after, err := pageParams(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := h.accountJobs.Failures(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)["job"], after, limit)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

// cancelAccountJob stops a job; 409 once it finished.
func (h *Handler) cancelAccountJob(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	job, err := h.accountJobs.Cancel(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)["job"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, job)
	return nil
}
