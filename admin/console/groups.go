package console

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// GroupService is what the console asks of a store's groups
// (manage.Groups).
type GroupService interface {
	ListBy(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[manage.Group], error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Group, error)
	Create(ctx context.Context, a manage.Actor, storeID string, in manage.GroupInput) (*manage.Group, error)
	Update(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.GroupInput) (*manage.Group, error)
	Delete(ctx context.Context, a manage.Actor, storeID, id string, version int64) error
}

const (
	groupsRoute = "console.groups"
)

func (h *Handler) mountGroups(r *mux.Router) {
	route.Handle(r, groupsRoute, "/admin/stores/{store}/groups", route.Methods{
		http.MethodGet: h.authed(h.groupsPage), http.MethodPost: h.authed(h.createGroup)})
}

// groupsPage is the data of admin_groups: one store's groups.
type groupsPage struct {
	frame
	StoreName string
	Groups    []groupRow
	listNav
	BackURL     string
	CanCreate   bool
	CreateURL   string
	NewName     string
	FieldErrors map[string]string
}

// groupRow is one group of the list, linking to its page.
type groupRow struct{ Name, URL string }

func (h *Handler) groupsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderGroups(w, r, rq, http.StatusOK, "", nil, "")
}

func (h *Handler) renderGroups(w http.ResponseWriter, r *http.Request, rq *request, status int, name string, errs map[string]string, pageErr string) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	lv := h.newListView(r, groupsRoute, nil, "store", s.ID)
	page, err := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.Group], error) {
		return h.groups.ListBy(r.Context(), rq.Actor, s.ID, o)
	})
	if err != nil {
		return err
	}
	p := &groupsPage{StoreName: s.Name, BackURL: h.path(storeRoute, nil, "store", s.ID), CanCreate: rq.Actor.Can(manage.WriteConfig, s.ID),
		CreateURL: h.path(groupsRoute, nil, "store", s.ID), NewName: name, FieldErrors: errs}
	p.Error = pageErr
	p.listNav = lv.nav(page.Next)
	for _, g := range page.Items {
		p.Groups = append(p.Groups, groupRow{Name: g.Name, URL: h.path(groupRoute, nil, "store", s.ID, "group", g.ID)})
	}
	h.page(w, r, rq, "admin_groups", status, s.ID, p)
	return nil
}

// createGroup adds a group to the store.
func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, rq *request) error {
	storeID, name := mux.Vars(r)["store"], r.PostFormValue("name")
	_, err := h.groups.Create(r.Context(), rq.Actor, storeID, manage.GroupInput{Name: name})
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderGroups(w, r, rq, statusOf(err), name, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(groupsRoute, nil, "store", storeID), "created")
	return nil
}
