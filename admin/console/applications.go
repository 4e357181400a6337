package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// ApplicationService is what the console asks of the applications
// (manage.Applications).
type ApplicationService interface {
	ListBy(ctx context.Context, a manage.Actor, o manage.ListOptions) (manage.Page[manage.ApplicationView], error)
	Create(ctx context.Context, a manage.Actor, in manage.ApplicationInput) (manage.ApplicationView, error)
	Get(ctx context.Context, a manage.Actor, id string) (manage.ApplicationView, error)
	Update(ctx context.Context, a manage.Actor, id string, version int64, in manage.ApplicationInput) (manage.ApplicationView, error)
	Delete(ctx context.Context, a manage.Actor, id string, version int64) error
	AssignPolicy(ctx context.Context, a manage.Actor, id string, kind storage.PolicyKind, policyID string) (manage.ApplicationView, error)
}

const (
	applicationsRoute = "console.applications"
)

func (h *Handler) mountApplications(r *mux.Router) {
	route.Handle(r, applicationsRoute, "/admin/applications", route.Methods{
		http.MethodGet: h.authed(h.applicationsPage), http.MethodPost: h.authed(h.createApplication)})
}

// applicationsPage is the data of admin_applications.
type applicationsPage struct {
	frame
	Rows []appRow
	listNav
	CanCreate bool
	CreateURL string
	// The creation form as typed.
	NewID, NewName string
	NewOrg         bool
	StoreChoices   []storeChoice
	FieldErrors    map[string]string
}

type appRow struct {
	ID, Name, StoreName string
	URL                 string
	Organizational      bool
}

func (h *Handler) applicationsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderApplications(w, r, rq, http.StatusOK, manage.ApplicationInput{}, nil, "")
}

func (h *Handler) renderApplications(w http.ResponseWriter, r *http.Request, rq *request, status int, in manage.ApplicationInput,
	errs map[string]string, pageErr string) error {
	lv := h.newListView(r, applicationsRoute, nil)
	page, err := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.ApplicationView], error) {
		return h.apps.ListBy(r.Context(), rq.Actor, o)
	})
	if err != nil {
		return err
	}
	p := &applicationsPage{CreateURL: h.path(applicationsRoute, nil), NewID: in.ID, NewName: in.Name, NewOrg: in.Organizational, FieldErrors: errs}
	p.Error = pageErr
	for _, s := range rq.Stores {
		if rq.Actor.Can(manage.WriteConfig, s.ID) {
			p.CanCreate = true
			p.StoreChoices = append(p.StoreChoices, storeChoice{ID: s.ID, Name: s.Name, Current: s.ID == in.StoreID})
		}
	}
	p.listNav = lv.nav(page.Next)
	names := storeNames(rq)
	for _, a := range page.Items {
		row := appRow{ID: a.ID, Name: a.Name, StoreName: names[a.StoreID], Organizational: a.Organizational,
			URL: h.path(applicationRoute, nil, "app", a.ID)}
		if row.StoreName == "" {
			row.StoreName = a.StoreID
		}
		p.Rows = append(p.Rows, row)
	}
	h.page(w, r, rq, "admin_applications", status, "", p)
	return nil
}

// createApplication makes an application with the Default policies.
func (h *Handler) createApplication(w http.ResponseWriter, r *http.Request, rq *request) error {
	in := manage.ApplicationInput{ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"),
		StoreID: r.PostFormValue("store_id"), Organizational: r.PostFormValue("organizational") == "yes"}
	app, err := h.apps.Create(r.Context(), rq.Actor, in)
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderApplications(w, r, rq, statusOf(err), in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(applicationRoute, nil, "app", app.ID), "created")
	return nil
}
