package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// roleReplacement is the body of a PUT on a role.
type roleReplacement struct {
	manage.RoleInput
	readOnly
}

// mountRoles registers /stores/{store}/roles[/{role}].
func (h *Handler) mountRoles(api *mux.Router) {
	s := h.stores.Roles
	mountStorePart(h, api, storePart[manage.Role, manage.RoleInput]{
		plural: "roles", idVar: "role",
		list: s.ListBy, get: s.Get, create: s.Create, update: s.Update, remove: s.Delete,
		decodeUpdate: func(w http.ResponseWriter, r *http.Request) (manage.RoleInput, readOnly, error) {
			var in roleReplacement
			err := decodeJSON(w, r, &in)
			return in.RoleInput, in.readOnly, err
		},
		id:      func(r manage.Role) string { return r.ID },
		version: func(r manage.Role) int64 { return r.Version },
	})
}
