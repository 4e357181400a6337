package console

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// rolePage is the data of admin_role: one role definition's form (sent
// with the version the page showed) and its deletion.
type rolePage struct {
	frame
	storeItem
	Title       string
	Form        manage.RoleInput
	FieldErrors map[string]string
}

// roleFor loads the request's {role} of its {store} for the actor.
func (h *Handler) roleFor(r *http.Request, rq *request) (*manage.IdentityStore, *manage.Role, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, nil, err
	}
	x, err := h.roles.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["role"])
	if err != nil {
		return nil, nil, err
	}
	return s, x, nil
}

// shownRole is the role's form as stored.
func shownRole(x *manage.Role) manage.RoleInput {
	return manage.RoleInput{Name: x.Name, Description: x.Description, OrganizationAdmin: x.OrganizationAdmin, Assignable: x.Assignable}
}

func (h *Handler) rolePage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.roleFor(r, rq)
	if err != nil {
		return err
	}
	h.renderRole(w, r, rq, http.StatusOK, s, x, shownRole(x), nil)
	return nil
}

func (h *Handler) renderRole(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore, x *manage.Role,
	in manage.RoleInput, err error) {
	errs, pageErr, _ := formErrors(err, indexedField)
	p := &rolePage{Title: x.Name, Form: in, FieldErrors: errs,
		storeItem: h.storeItemOf(rq, s, x.Version, "role", x.ID, roleRoute, roleDeleteRoute, rolesRoute)}
	p.Error = pageErr
	h.page(w, r, rq, "admin_role", status, s.ID, p)
}

// updateRole saves the role if it is still at the version the form was
// shown with.
func (h *Handler) updateRole(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.roleFor(r, rq)
	if err != nil {
		return err
	}
	in := roleForm(r)
	_, err = h.roles.Update(r.Context(), rq.Actor, s.ID, x.ID, formVersion(r), in)
	return h.saved(w, r, err, func(err error) { h.renderRole(w, r, rq, statusOf(err), s, x, in, err) },
		h.path(roleRoute, nil, "store", s.ID, "role", x.ID))
}

// confirmDeleteRole asks before deleting a role definition.
func (h *Handler) confirmDeleteRole(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.roleFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.roles.delete_title", Question: "admin.roles.delete_question",
		Subject: x.Name, ActionURL: h.path(roleDeleteRoute, nil, "store", s.ID, "role", x.ID), Button: "admin.roles.delete", Version: x.Version,
		CancelURL: h.path(roleRoute, nil, "store", s.ID, "role", x.ID)})
}

// deleteRole deletes it, only with the confirmation page's confirm=yes; a
// refusal shows on the role's page.
func (h *Handler) deleteRole(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.roleFor(r, rq)
	if err != nil {
		return err
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(roleDeleteRoute, nil, "store", s.ID, "role", x.ID),
		remove: func(version int64) error { return h.roles.Delete(r.Context(), rq.Actor, s.ID, x.ID, version) },
		rename: indexedField,
		refused: func(status int, _ string, err error) error {
			h.renderRole(w, r, rq, status, s, x, shownRole(x), err)
			return nil
		},
		after: to(h.path(rolesRoute, nil, "store", s.ID)), notice: "deleted"})
}
