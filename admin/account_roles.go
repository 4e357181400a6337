package admin

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// errNoAccountRoles: the handler was built without the AccountRoles
// service (a test that only walks the routes).
var errNoAccountRoles = errors.New("admin: the account roles service is not configured")

// Route names of an account's roles and memberships.
const (
	accountRolesRoute         = "admin.account_roles"
	accountRoleRoute          = "admin.account_role"
	accountOrganizationsRoute = "admin.account_organizations"
	accountOrganizationRoute  = "admin.account_organization"
)

// mountAccountRoles registers an account's (organization, role) pairs and
// its organization memberships:
//
//	/stores/{store}/accounts/{account}/roles                       GET, POST
//	/stores/{store}/accounts/{account}/roles/{organization}/{role} DELETE
//	/stores/{store}/accounts/{account}/organizations               GET
//	/stores/{store}/accounts/{account}/organizations/{organization} PUT, DELETE
//
// Pairs and memberships have no version of their own: a pair is there or
// not, so there is nothing for If-Match to protect.
func (h *Handler) mountAccountRoles(api *mux.Router) {
	base := "/stores/{store}/accounts/{account}"
	route.Handle(api, accountRolesRoute, base+"/roles", route.Methods{
		http.MethodGet: h.withAccountRoles(h.listAccountRoles), http.MethodPost: h.withAccountRoles(h.assignAccountRole)})
	route.Handle(api, accountRoleRoute, base+"/roles/{organization}/{role}", route.Methods{
		http.MethodDelete: h.withAccountRoles(h.removeAccountRole)})
	route.Handle(api, accountOrganizationsRoute, base+"/organizations", route.Methods{
		http.MethodGet: h.withAccountRoles(h.listAccountOrganizations)})
	route.Handle(api, accountOrganizationRoute, base+"/organizations/{organization}", route.Methods{
		http.MethodPut: h.withAccountRoles(h.addAccountOrganization), http.MethodDelete: h.withAccountRoles(h.removeAccountOrganization)})
}

// withAccountRoles runs next only when the service is there.
func (h *Handler) withAccountRoles(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		if h.accountRoles == nil {
			return errNoAccountRoles
		}
		return next(w, r, a)
	})
}

// itemList is a whole list in the shape of a page without a next one: an
// account holds few pairs and memberships.
func itemList[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}

func (h *Handler) listAccountRoles(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	items, err := h.accountRoles.List(r.Context(), a, v["store"], v["account"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, itemList(items))
	return nil
}

func (h *Handler) assignAccountRole(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.RoleAssignment
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	v := mux.Vars(r)
	pair, err := h.accountRoles.Assign(r.Context(), a, v["store"], v["account"], in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	w.Header().Set("Location", h.routes.Path(accountRoleRoute, nil, "store", v["store"], "account", v["account"],
		"organization", pair.OrganizationID, "role", pair.RoleID))
	writeJSON(w, http.StatusCreated, pair)
	return nil
}

func (h *Handler) removeAccountRole(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	if err := h.accountRoles.Remove(r.Context(), a, v["store"], v["account"], v["organization"], v["role"]); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listAccountOrganizations(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	items, err := h.accountRoles.Organizations(r.Context(), a, v["store"], v["account"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeJSON(w, http.StatusOK, itemList(items))
	return nil
}

// addAccountOrganization makes the account a member: 201 when it was not
// one, 200 when it was (PUT is idempotent).
func (h *Handler) addAccountOrganization(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	m, added, err := h.accountRoles.AddMembership(r.Context(), a, v["store"], v["account"], v["organization"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	writeJSON(w, status, m)
	return nil
}

func (h *Handler) removeAccountOrganization(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v := mux.Vars(r)
	if err := h.accountRoles.RemoveMembership(r.Context(), a, v["store"], v["account"], v["organization"]); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
