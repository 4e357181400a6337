package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
)

// administratorPage is the data of admin_administrator: one
// administrator's roles, editable by an owner.
type administratorPage struct {
	frame
	Email, Status string
	CanManage     bool
	SaveURL       string
	BackURL       string
	Version       int64
	Roles         []roleGrant
	FieldErrors   map[string]string
}

// roleGrant is one role's row of the roles form: held or not, and the
// stores it is limited to (none ticked: every store).
type roleGrant struct {
	Value, Label string
	Checked      bool
	Stores       []storeChoice
	// Field is the form name of its store checkboxes.
	Field string
}

func (h *Handler) administratorPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	a, err := h.admins.Get(r.Context(), rq.Actor, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return h.renderAdministrator(w, r, rq, http.StatusOK, a, a.Grants, nil, "")
}

func (h *Handler) renderAdministrator(w http.ResponseWriter, r *http.Request, rq *request, status int, a *manage.Administrator,
	grants []manage.Grant, errs map[string]string, pageErr string) error {
	p := &administratorPage{Email: a.Email, Status: string(a.Status), CanManage: rq.Actor.Can(manage.ManageAdministrators, ""),
		SaveURL: h.path(administratorRoute, nil, "id", a.ID), BackURL: h.path(administratorsRoute, nil), Version: a.Version, FieldErrors: errs}
	p.Error = pageErr
	for _, role := range storage.AdminRoles {
		rg := roleGrant{Value: string(role), Label: "admin.role." + string(role), Field: "stores_" + string(role)}
		var limited []string
		for _, g := range grants {
			if g.Role == role {
				rg.Checked, limited = true, g.StoreIDs
			}
		}
		rg.Stores = h.storeChoices(rq, limited)
		p.Roles = append(p.Roles, rg)
	}
	h.page(w, r, rq, "admin_administrator", status, "", p)
	return nil
}

// setRoles replaces the administrator's roles with the ticked ones.
func (h *Handler) setRoles(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["id"]
	var grants []manage.Grant
	for _, role := range storage.AdminRoles {
		if slices.Contains(r.PostForm["role"], string(role)) {
			grants = append(grants, manage.Grant{Role: role, StoreIDs: r.PostForm["stores_"+string(role)]})
		}
	}
	_, err := h.admins.SetRoles(r.Context(), rq.Actor, id, formVersion(r), grants)
	if errs, pageErr, ok := formErrors(err, rolesFields(grants)); ok {
		a, gerr := h.admins.Get(r.Context(), rq.Actor, id)
		if gerr != nil {
			return gerr
		}
		return h.renderAdministrator(w, r, rq, statusOf(err), a, grants, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(administratorsRoute, nil), "saved")
	return nil
}

// rolesFields maps "grants[i].x" to the row of the i-th ticked role.
func rolesFields(grants []manage.Grant) func(string) string {
	return func(field string) string {
		var i int
		var rest string
		if _, err := fmt.Sscanf(field, "grants[%d]", &i); err == nil && i >= 0 && i < len(grants) {
			rest = field[strings.Index(field, "]")+1:]
			if rest == ".store_ids" {
				return "stores_" + string(grants[i].Role)
			}
			return "role_" + string(grants[i].Role)
		}
		return "roles"
	}
}

// setStatus disables or enables an administrator (the form says which).
func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["id"]
	var err error
	notice := "enabled"
	switch r.PostFormValue("status") {
	case string(storage.AccountDisabled):
		_, err = h.admins.Disable(r.Context(), rq.Actor, id, formVersion(r))
		notice = "disabled"
	case string(storage.AccountEnabled):
		_, err = h.admins.Enable(r.Context(), rq.Actor, id, formVersion(r))
	default:
		http.Redirect(w, r, h.path(administratorsRoute, nil), http.StatusSeeOther)
		return nil
	}
	if _, pageErr, ok := formErrors(err, strconv.Quote); ok {
		return h.renderAdministrators(w, r, rq, statusOf(err), inviteForm{Role: string(storage.RoleAdmin)}, nil, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(administratorsRoute, nil), notice)
	return nil
}

// confirmRemoveAdministrator asks before removing: removal cannot be
// undone, and the page works without JavaScript.
func (h *Handler) confirmRemoveAdministrator(w http.ResponseWriter, r *http.Request, rq *request) error {
	// Checked before the look-up too, so that who may not manage
	// administrators learns nothing about an id.
	if err := rq.Actor.Require(manage.ManageAdministrators, ""); err != nil {
		return err
	}
	a, err := h.admins.Get(r.Context(), rq.Actor, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.ManageAdministrators, "", confirmPage{Title: "admin.administrators.remove_title",
		Question: "admin.administrators.remove_question", Subject: a.Email, ActionURL: h.path(administratorRemoveRoute, nil, "id", a.ID),
		Button: "admin.administrators.remove", Version: a.Version, CancelURL: h.path(administratorsRoute, nil)})
}

// removeAdministrator removes one, only with the confirmation page's
// confirm=yes.
func (h *Handler) removeAdministrator(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["id"]
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(administratorRemoveRoute, nil, "id", id),
		remove: func(version int64) error { return h.admins.Remove(r.Context(), rq.Actor, id, version) },
		rename: strconv.Quote,
		refused: func(status int, pageErr string, _ error) error {
			return h.renderAdministrators(w, r, rq, status, inviteForm{Role: string(storage.RoleAdmin)}, nil, pageErr)
		},
		after: to(h.path(administratorsRoute, nil)), notice: "removed"})
}
