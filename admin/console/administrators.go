package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// AdministratorService is what the console asks of the administrators
// (manage.Administrators).
type AdministratorService interface {
	List(ctx context.Context, actor manage.Actor) ([]manage.Administrator, error)
	Get(ctx context.Context, actor manage.Actor, id string) (*manage.Administrator, error)
	Invite(ctx context.Context, actor manage.Actor, in manage.NewAdministrator) (*manage.Administrator, error)
	SetRoles(ctx context.Context, actor manage.Actor, id string, version int64, grants []manage.Grant) (*manage.Administrator, error)
	Disable(ctx context.Context, actor manage.Actor, id string, version int64) (*manage.Administrator, error)
	Enable(ctx context.Context, actor manage.Actor, id string, version int64) (*manage.Administrator, error)
	Remove(ctx context.Context, actor manage.Actor, id string, version int64) error
}

const (
	administratorsRoute      = "console.administrators"
	administratorRoute       = "console.administrator"
	administratorStatusRoute = "console.administrator_status"
	administratorRemoveRoute = "console.administrator_remove"
)

func (h *Handler) mountAdministrators(r *mux.Router) {
	route.Handle(r, administratorsRoute, "/admin/administrators", route.Methods{
		http.MethodGet: h.authed(h.administratorsPage), http.MethodPost: h.authed(h.inviteAdministrator)})
	route.Handle(r, administratorRoute, "/admin/administrators/{id}", route.Methods{
		http.MethodGet: h.authed(h.administratorPage), http.MethodPost: h.authed(h.setRoles)})
	route.Handle(r, administratorStatusRoute, "/admin/administrators/{id}/status", route.Methods{http.MethodPost: h.authed(h.setStatus)})
	route.Handle(r, administratorRemoveRoute, "/admin/administrators/{id}/remove", route.Methods{
		http.MethodGet: h.authed(h.confirmRemoveAdministrator), http.MethodPost: h.authed(h.removeAdministrator)})
}

// administratorsPage is the data of admin_administrators.
type administratorsPage struct {
	frame
	Admins []adminRow
	Sorts  []sortLink
	// CanManage: the actor may invite and change administrators (an
	// owner over every store); the forms are shown only then.
	CanManage   bool
	InviteURL   string
	InviteEmail string
	Roles       []roleChoice
	AllStores   []storeChoice
	// FieldErrors are the invitation form's.
	FieldErrors map[string]string
}

type adminRow struct {
	ID, Email, Status string
	Disabled          bool
	Grants            []string
	LastLogin         string
	EditURL           string
	StatusURL         string
	RemoveURL         string
	Self              bool
	// Version is what the row's forms post: a change made meanwhile is
	// refused rather than overwritten.
	Version int64
}

// inviteForm is the invitation as typed.
type inviteForm struct {
	Email  string
	Role   string
	Stores []string
}

type roleChoice struct {
	Value, Label string
	Selected     bool
}

func (h *Handler) administratorsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderAdministrators(w, r, rq, http.StatusOK, inviteForm{Role: string(storage.RoleAdmin)}, nil, "")
}

func (h *Handler) renderAdministrators(w http.ResponseWriter, r *http.Request, rq *request, status int, in inviteForm, errs map[string]string, pageErr string) error {
	admins, err := h.admins.List(r.Context(), rq.Actor)
	if err != nil {
		return err
	}
	p := &administratorsPage{CanManage: rq.Actor.Can(manage.ManageAdministrators, ""), InviteURL: h.path(administratorsRoute, nil),
		InviteEmail: in.Email, FieldErrors: errs, Roles: roleChoices(in.Role), AllStores: h.storeChoices(rq, in.Stores)}
	p.Error = pageErr
	p.Sorts = h.adminSortLinks(sortAdministrators(admins, r.URL.Query().Get("sort")))
	names := storeNames(rq)
	for _, a := range admins {
		row := adminRow{ID: a.ID, Email: a.Email, Status: string(a.Status), Disabled: a.Status != storage.AccountEnabled,
			Grants: grantLabels(a.Grants, names), Self: a.ID == rq.Actor.ID, Version: a.Version,
			EditURL: h.path(administratorRoute, nil, "id", a.ID), StatusURL: h.path(administratorStatusRoute, nil, "id", a.ID),
			RemoveURL: h.path(administratorRemoveRoute, nil, "id", a.ID)}
		if a.LastLoginAt != nil {
			row.LastLogin = a.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		p.Admins = append(p.Admins, row)
	}
	h.page(w, r, rq, "admin_administrators", status, "", p)
	return nil
}

// inviteAdministrator invites an administrator with one role, limited to
// the chosen stores (none: every store).
func (h *Handler) inviteAdministrator(w http.ResponseWriter, r *http.Request, rq *request) error {
	in := inviteForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"), Stores: r.PostForm["store_ids"]}
	_, err := h.admins.Invite(r.Context(), rq.Actor, manage.NewAdministrator{Email: in.Email,
		Grants: []manage.Grant{{Role: storage.AdminRole(in.Role), StoreIDs: in.Stores}}})
	if errs, pageErr, ok := formErrors(err, inviteFields); ok {
		return h.renderAdministrators(w, r, rq, statusOf(err), in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(administratorsRoute, nil), "invited")
	return nil
}

// inviteFields maps the service's field names to the invitation form's.
func inviteFields(field string) string {
	switch {
	case field == "grants" || strings.HasSuffix(field, ".role"):
		return "role"
	case strings.HasSuffix(field, ".store_ids"):
		return "store_ids"
	}
	return field
}

func roleChoices(selected string) []roleChoice {
	out := make([]roleChoice, 0, len(storage.AdminRoles))
	for _, r := range storage.AdminRoles {
		out = append(out, roleChoice{Value: string(r), Label: "admin.role." + string(r), Selected: string(r) == selected})
	}
	return out
}

// storeChoices are the stores the actor sees, those in selected ticked.
func (h *Handler) storeChoices(rq *request, selected []string) []storeChoice {
	out := make([]storeChoice, 0, len(rq.Stores))
	for _, s := range rq.Stores {
		out = append(out, storeChoice{ID: s.ID, Name: s.Name, Current: slices.Contains(selected, s.ID)})
	}
	return out
}

func storeNames(rq *request) map[string]string {
	m := make(map[string]string, len(rq.Stores))
	for _, s := range rq.Stores {
		m[s.ID] = s.Name
	}
	return m
}

// grantLabels reads each grant as "role" or "role: store, store".
func grantLabels(gs []manage.Grant, names map[string]string) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		if len(g.StoreIDs) == 0 {
			out = append(out, string(g.Role))
			continue
		}
		stores := make([]string, len(g.StoreIDs))
		for i, id := range g.StoreIDs {
			stores[i] = id
			if n := names[id]; n != "" {
				stores[i] = n
			}
		}
		out = append(out, string(g.Role)+": "+strings.Join(stores, ", "))
	}
	return out
}
