package admin

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// organizationReplacement is the body of a PUT on an organization.
type organizationReplacement struct {
	manage.OrganizationInput
	readOnly
}

// mountOrganizations registers /stores/{store}/organizations[/{org}].
func (h *Handler) mountOrganizations(api *mux.Router) {
	s := h.stores.Organizations
	mountStorePart(h, api, storePart[manage.Organization, manage.OrganizationInput]{
		plural: "organizations", idVar: "org",
		list: s.ListBy, get: s.Get, create: s.Create, update: s.Update, remove: s.Delete,
		decodeUpdate: func(w http.ResponseWriter, r *http.Request) (manage.OrganizationInput, readOnly, error) {
			var in organizationReplacement
			err := decodeJSON(w, r, &in)
			return in.OrganizationInput, in.readOnly, err
		},
		id:      func(o manage.Organization) string { return o.ID },
		version: func(o manage.Organization) int64 { return o.Version },
	})
}
