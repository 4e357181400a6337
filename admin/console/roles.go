package console

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// RoleService is what the console asks of a store's role definitions
// (manage.Roles).
type RoleService interface {
	ListBy(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[manage.Role], error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Role, error)
	Create(ctx context.Context, a manage.Actor, storeID string, in manage.RoleInput) (*manage.Role, error)
	Update(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.RoleInput) (*manage.Role, error)
	Delete(ctx context.Context, a manage.Actor, storeID, id string, version int64) error
}

const (
	rolesRoute      = "console.roles"
	roleRoute       = "console.role"
	roleDeleteRoute = "console.role_delete"
)

func (h *Handler) mountRoles(r *mux.Router) {
	route.Handle(r, rolesRoute, "/admin/stores/{store}/roles", route.Methods{
		http.MethodGet: h.authed(h.rolesPage), http.MethodPost: h.authed(h.createRole)})
	route.Handle(r, roleRoute, "/admin/stores/{store}/roles/{role}", route.Methods{
		http.MethodGet: h.authed(h.rolePage), http.MethodPost: h.authed(h.updateRole)})
	route.Handle(r, roleDeleteRoute, "/admin/stores/{store}/roles/{role}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteRole), http.MethodPost: h.authed(h.deleteRole)})
}

// rolesPage is the data of admin_roles: one store's role definitions and
// the creation form as typed.
type rolesPage struct {
	frame
	StoreName string
	Rows      []roleRow
	listNav
	CanCreate   bool
	CreateURL   string
	Form        manage.RoleInput
	FieldErrors map[string]string
}

type roleRow struct{ Name, Description, URL string }

func (h *Handler) rolesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderRoles(w, r, rq, http.StatusOK, manage.RoleInput{}, nil, "")
}

func (h *Handler) renderRoles(w http.ResponseWriter, r *http.Request, rq *request, status int, in manage.RoleInput, errs map[string]string, pageErr string) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	lv := h.newListView(r, rolesRoute, nil, "store", s.ID)
	page, err := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.Role], error) {
		return h.roles.ListBy(r.Context(), rq.Actor, s.ID, o)
	})
	if err != nil {
		return err
	}
	p := &rolesPage{StoreName: s.Name, CanCreate: rq.Actor.Can(manage.WriteConfig, s.ID), CreateURL: h.path(rolesRoute, nil, "store", s.ID),
		Form: in, FieldErrors: errs, listNav: lv.nav(page.Next)}
	p.Error = pageErr
	for _, x := range page.Items {
		p.Rows = append(p.Rows, roleRow{Name: x.Name, Description: x.Description, URL: h.path(roleRoute, nil, "store", s.ID, "role", x.ID)})
	}
	h.page(w, r, rq, "admin_roles", status, s.ID, p)
	return nil
}

func roleForm(r *http.Request) manage.RoleInput {
	return manage.RoleInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		OrganizationAdmin: r.PostFormValue("organization_admin") == "yes", Assignable: r.PostFormValue("assignable") == "yes"}
}

// createRole defines a role from the list page's form.
func (h *Handler) createRole(w http.ResponseWriter, r *http.Request, rq *request) error {
	storeID, in := mux.Vars(r)["store"], roleForm(r)
	_, err := h.roles.Create(r.Context(), rq.Actor, storeID, in)
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderRoles(w, r, rq, statusOf(err), in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(rolesRoute, nil, "store", storeID), "created")
	return nil
}
