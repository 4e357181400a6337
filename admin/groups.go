package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// groupReplacement is the body of a PUT on a group.
type groupReplacement struct {
	manage.GroupInput
	readOnly
}

// mountGroups registers /stores/{store}/groups[/{group}].
func (h *Handler) mountGroups(api *mux.Router) {
	s := h.stores.Groups
	mountStorePart(h, api, storePart[manage.Group, manage.GroupInput]{
		plural: "groups", idVar: "group",
		list: s.ListBy, get: s.Get, create: s.Create, update: s.Update, remove: s.Delete,
		decodeUpdate: func(w http.ResponseWriter, r *http.Request) (manage.GroupInput, readOnly, error) {
			var in groupReplacement
			err := decodeJSON(w, r, &in)
			return in.GroupInput, in.readOnly, err
		},
		id:      func(g manage.Group) string { return g.ID },
		version: func(g manage.Group) int64 { return g.Version },
	})
}
