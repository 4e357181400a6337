package console

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// AccountRoleService is what the Roles tab asks of an account's roles and
// memberships (manage.AccountRoles).
type AccountRoleService interface {
	List(ctx context.Context, a manage.Actor, storeID, accountID string) ([]manage.AccountRole, error)
	Organizations(ctx context.Context, a manage.Actor, storeID, accountID string) ([]manage.AccountOrganization, error)
	Assign(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.RoleAssignment) (*manage.AccountRole, error)
	Remove(ctx context.Context, a manage.Actor, storeID, accountID, organizationID, roleID string) error
	AddMembership(ctx context.Context, a manage.Actor, storeID, accountID, organizationID string) (*manage.AccountOrganization, bool, error)
	RemoveMembership(ctx context.Context, a manage.Actor, storeID, accountID, organizationID string) error
}

const (
	accountRolesRoute              = "console.account_roles"
	accountRoleRemoveRoute         = "console.account_role_remove"
	accountOrganizationsRoute      = "console.account_organizations"
	accountOrganizationRemoveRoute = "console.account_organization_remove"
)

// mountAccountRoles registers the account profile's Roles tab and its
// forms; without the service (a console built for other tests) there is
// no tab.
func (h *Handler) mountAccountRoles(r *mux.Router) {
	if h.accountRoles == nil {
		return
	}
	route.Handle(r, accountRolesRoute, accountPathPrefix+"/roles", route.Methods{
		http.MethodGet: h.authed(h.accountRolesPage), http.MethodPost: h.authed(h.assignAccountRole)})
	route.Handle(r, accountRoleRemoveRoute, accountPathPrefix+"/roles/{organization}/{role}/remove", route.Methods{
		http.MethodPost: h.authed(h.removeAccountRole)})
	route.Handle(r, accountOrganizationsRoute, accountPathPrefix+"/organizations", route.Methods{
		http.MethodPost: h.authed(h.addAccountOrganization)})
	route.Handle(r, accountOrganizationRemoveRoute, accountPathPrefix+"/organizations/{organization}/remove", route.Methods{
		http.MethodPost: h.authed(h.removeAccountOrganization)})
	h.addAccountTab(accountTab{Route: accountRolesRoute, Label: "admin.account_roles.tab", Order: accountTabRoles})
}

// accountRolesPage is the data of admin_account_roles: the account's
// (organization, role) pairs, the assignment form with the store's
// organizations and roles, and the account's memberships.
type accountRolesPage struct {
	accountFrame
	Pairs         []accountRolePair
	Memberships   []accountMembership
	Organizations []choice
	Roles         []choice
	AssignURL     string
	MemberURL     string
	// Form is the assignment as typed, MemberOrg the membership form's
	// choice; FieldErrors name either form's field.
	Form        manage.RoleAssignment
	MemberOrg   string
	FieldErrors map[string]string
	// AssignOpen keeps the assignment form open to show why it failed.
	AssignOpen bool
}

type accountRolePair struct {
	Organization, Role, RemoveURL string
}

type accountMembership struct {
	Organization, RemoveURL string
}

// choice is one option of a select.
type choice struct{ ID, Name string }

func (h *Handler) accountRolesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderAccountRoles(w, r, rq, http.StatusOK, accountRolesPage{})
}

// renderAccountRoles shows the tab; in carries what a refused form keeps
// (what was typed, the errors).
func (h *Handler) renderAccountRoles(w http.ResponseWriter, r *http.Request, rq *request, status int, in accountRolesPage) error {
	f, err := h.accountFrameFor(r, rq, accountRolesRoute)
	if err != nil {
		return err
	}
	ctx, a, storeID, acctID := r.Context(), rq.Actor, f.StoreID, f.Account.ID
	pairs, err := h.accountRoles.List(ctx, a, storeID, acctID)
	if err != nil {
		return err
	}
	members, err := h.accountRoles.Organizations(ctx, a, storeID, acctID)
	if err != nil {
		return err
	}
	vars := []string{"store", storeID, "account", acctID}
	p := &in
	notice, pageErr := p.Notice, p.Error
	p.accountFrame = *f
	p.Notice, p.Error = notice, pageErr
	p.AssignURL, p.MemberURL = h.path(accountRolesRoute, nil, vars...), h.path(accountOrganizationsRoute, nil, vars...)
	for _, x := range pairs {
		p.Pairs = append(p.Pairs, accountRolePair{Organization: x.OrganizationName, Role: x.RoleName,
			RemoveURL: h.path(accountRoleRemoveRoute, nil, append(vars, "organization", x.OrganizationID, "role", x.RoleID)...)})
	}
	for _, m := range members {
		p.Memberships = append(p.Memberships, accountMembership{Organization: m.OrganizationName,
			RemoveURL: h.path(accountOrganizationRemoveRoute, nil, append(vars, "organization", m.OrganizationID)...)})
	}
	if f.CanWrite {
		if err := h.roleChoices(ctx, a, storeID, p); err != nil {
			return err
		}
	}
	h.page(w, r, rq, "admin_account_roles", status, storeID, p)
	return nil
}

// roleChoices fills the selects with the store's organizations and roles,
// by name.
func (h *Handler) roleChoices(ctx context.Context, a manage.Actor, storeID string, p *accountRolesPage) error {
	orgs, err := h.orgs.ListBy(ctx, a, storeID, manage.ListOptions{})
	if err != nil {
		return err
	}
	for _, o := range orgs.Items {
		p.Organizations = append(p.Organizations, choice{ID: o.ID, Name: o.Name})
	}
	roles, err := h.roles.ListBy(ctx, a, storeID, manage.ListOptions{})
	if err != nil {
		return err
	}
	for _, x := range roles.Items {
		p.Roles = append(p.Roles, choice{ID: x.ID, Name: x.Name})
	}
	return nil
}

// assignAccountRole gives the account the chosen role in the chosen
// organization; a choice missing or not of the store, or a pair held,
// shows the tab again with the reason.
func (h *Handler) assignAccountRole(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	in := manage.RoleAssignment{OrganizationID: r.PostFormValue("organization_id"), RoleID: r.PostFormValue("role_id")}
	_, err := h.accountRoles.Assign(r.Context(), rq.Actor, v["store"], v["account"], in)
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		p := accountRolesPage{Form: in, FieldErrors: errs, AssignOpen: true}
		p.Error = pageErr
		return h.renderAccountRoles(w, r, rq, statusOf(err), p)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(accountRolesRoute, nil, "store", v["store"], "account", v["account"]), "saved")
	return nil
}

// removeAccountRole takes one pair from the account (no confirmation: it
// is assigned again as easily).
func (h *Handler) removeAccountRole(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	if err := h.accountRoles.Remove(r.Context(), rq.Actor, v["store"], v["account"], v["organization"], v["role"]); err != nil {
		return err
	}
	h.done(w, r, h.path(accountRolesRoute, nil, "store", v["store"], "account", v["account"]), "saved")
	return nil
}

// addAccountOrganization makes the account a member of the chosen
// organization (a member already stays one).
func (h *Handler) addAccountOrganization(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	org := r.PostFormValue("organization_id")
	_, _, err := h.accountRoles.AddMembership(r.Context(), rq.Actor, v["store"], v["account"], org)
	if errs, pageErr, ok := formErrors(err, memberField); ok {
		p := accountRolesPage{MemberOrg: org, FieldErrors: errs}
		p.Error = pageErr
		return h.renderAccountRoles(w, r, rq, statusOf(err), p)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(accountRolesRoute, nil, "store", v["store"], "account", v["account"]), "saved")
	return nil
}

// removeAccountOrganization ends a membership; the account's roles in the
// organization stay.
func (h *Handler) removeAccountOrganization(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := mux.Vars(r)
	if err := h.accountRoles.RemoveMembership(r.Context(), rq.Actor, v["store"], v["account"], v["organization"]); err != nil {
		return err
	}
	h.done(w, r, h.path(accountRolesRoute, nil, "store", v["store"], "account", v["account"]), "saved")
	return nil
}

// memberField names the membership form's field apart from the
// assignment form's organization on the same page.
func memberField(field string) string { return "member_" + field }
