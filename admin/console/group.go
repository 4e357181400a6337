package console

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

const (
	groupRoute       = "console.group"
	groupDeleteRoute = "console.group_delete"
)

func (h *Handler) mountGroup(r *mux.Router) {
	route.Handle(r, groupRoute, "/admin/stores/{store}/groups/{group}", route.Methods{
		http.MethodGet: h.authed(h.groupPage), http.MethodPost: h.authed(h.renameGroup)})
	route.Handle(r, groupDeleteRoute, "/admin/stores/{store}/groups/{group}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteGroup), http.MethodPost: h.authed(h.deleteGroup)})
}

// groupPage is the data of admin_group: one group's name (renamed with
// the version the page showed) and its deletion.
type groupPage struct {
	frame
	storeItem
	Name        string
	FieldErrors map[string]string
}

// groupFor loads the request's {group} of its {store} for the actor.
func (h *Handler) groupFor(r *http.Request, rq *request) (*manage.IdentityStore, *manage.Group, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, nil, err
	}
	g, err := h.groups.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["group"])
	if err != nil {
		return nil, nil, err
	}
	return s, g, nil
}

func (h *Handler) groupPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, g, err := h.groupFor(r, rq)
	if err != nil {
		return err
	}
	h.renderGroup(w, r, rq, http.StatusOK, s, g, g.Name, nil)
	return nil
}

func (h *Handler) renderGroup(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore, g *manage.Group,
	name string, err error) {
	errs, pageErr, _ := formErrors(err, indexedField)
	p := &groupPage{Name: name, FieldErrors: errs,
		storeItem: h.storeItemOf(rq, s, g.Version, "group", g.ID, groupRoute, groupDeleteRoute, groupsRoute)}
	p.Error = pageErr
	h.page(w, r, rq, "admin_group", status, s.ID, p)
}

// renameGroup renames the group if it is still at the version the form
// was shown with; a name a portal restriction holds stays, and the page
// says why.
func (h *Handler) renameGroup(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, g, err := h.groupFor(r, rq)
	if err != nil {
		return err
	}
	name := r.PostFormValue("name")
	_, err = h.groups.Update(r.Context(), rq.Actor, s.ID, g.ID, formVersion(r), manage.GroupInput{Name: name})
	return h.saved(w, r, err, func(err error) { h.renderGroup(w, r, rq, statusOf(err), s, g, name, err) },
		h.path(groupRoute, nil, "store", s.ID, "group", g.ID))
}

// confirmDeleteGroup asks before deleting a group and its memberships.
func (h *Handler) confirmDeleteGroup(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, g, err := h.groupFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.groups.delete_title", Question: "admin.groups.delete_question",
		Subject: g.Name, ActionURL: h.path(groupDeleteRoute, nil, "store", s.ID, "group", g.ID), Button: "admin.groups.delete", Version: g.Version,
		CancelURL: h.path(groupRoute, nil, "store", s.ID, "group", g.ID)})
}

// deleteGroup deletes it, only with the confirmation page's confirm=yes;
// a group a portal restriction names stays, and its page says why.
func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, g, err := h.groupFor(r, rq)
	if err != nil {
		return err
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(groupDeleteRoute, nil, "store", s.ID, "group", g.ID),
		remove: func(version int64) error { return h.groups.Delete(r.Context(), rq.Actor, s.ID, g.ID, version) },
		rename: indexedField,
		refused: func(status int, _ string, err error) error {
			h.renderGroup(w, r, rq, status, s, g, g.Name, err)
			return nil
		},
		after: to(h.path(groupsRoute, nil, "store", s.ID)), notice: "deleted"})
}
