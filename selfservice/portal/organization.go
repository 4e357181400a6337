package portal

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"foyer/selfservice/invite"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
)

// Inviter sends, resends and revokes invitations (invite.Service); the
// portal's organization administrators invite colleagues through it.
type Inviter interface {
	Send(ctx context.Context, req invite.Request) (*storage.Invitation, error)
	Resend(ctx context.Context, storeID, id string) (*storage.Invitation, error)
	Revoke(ctx context.Context, storeID, id string) error
}

// Routes of organization administration (organization*.go). Every one
// under orgPath names the organization in its path, and each request
// checks the signed-in account administers it (inOrg).
const (
	orgsRoute      = "portal.organizations"
	orgRoute       = "portal.organization"
	orgRenameRoute = "portal.organization_rename"
	orgRolesRoute  = "portal.organization_roles"
	orgRemoveRoute = "portal.organization_remove"
	orgInviteRoute = "portal.organization_invite"
	orgResendRoute = "portal.organization_resend"
	orgRevokeRoute = "portal.organization_revoke"

	orgsPath = BasePath + "/organizations"
	orgPath  = orgsPath + "/{org}"
	// peoplePerPage is how many people one page of an organization lists.
	peoplePerPage = 50
)

func (h *Handler) mountOrganizations(r *mux.Router) {
	route.Handle(r, orgsRoute, orgsPath, route.Methods{http.MethodGet: h.authed(h.showOrganizations)})
	route.Handle(r, orgRoute, orgPath, route.Methods{http.MethodGet: h.authed(h.inOrg(h.showOrganization))})
	for name, fn := range map[string]func(http.ResponseWriter, *http.Request, *orgAdmin) error{
		orgRenameRoute: h.renameOrganization, orgRolesRoute: h.changeRole, orgRemoveRoute: h.removePerson,
		orgInviteRoute: h.sendInvitation, orgResendRoute: h.resendInvitation, orgRevokeRoute: h.revokeInvitation,
	} {
		route.Handle(r, name, orgPath+orgActionPaths[name], route.Methods{http.MethodPost: h.authed(h.inOrg(fn))})
	}
}

// orgActionPaths are the forms' paths below orgPath.
var orgActionPaths = map[string]string{
	orgRenameRoute: "/rename", orgRolesRoute: "/roles", orgRemoveRoute: "/remove",
	orgInviteRoute: "/invitations", orgResendRoute: "/invitations/resend", orgRevokeRoute: "/invitations/revoke",
}

// orgAdmin is a signed-in account in an organization it administers.
type orgAdmin struct {
	*viewer
	Org *storage.Organization
}

// inOrg runs fn when the signed-in account holds an administrating role
// in the organization the path names; any other id (another
// organization, another store's, none) is the not-found page, as for an
// organization that does not exist.
func (h *Handler) inOrg(fn func(http.ResponseWriter, *http.Request, *orgAdmin) error) func(http.ResponseWriter, *http.Request, *viewer) error {
	return func(w http.ResponseWriter, r *http.Request, v *viewer) error {
		orgs, err := h.store.ListAdministeredOrganizations(r.Context(), v.Account.ID)
		if err != nil {
			return err
		}
		id := mux.Vars(r)["org"]
		i := slices.IndexFunc(orgs, func(o storage.Organization) bool { return o.ID == id && o.StoreID == v.Account.StoreID })
		if i < 0 {
			h.notFound(w, r)
			return nil
		}
		return fn(w, r, &orgAdmin{viewer: v, Org: &orgs[i]})
	}
}

// orgNav is the menu entry of organization administration, for accounts
// that administer an organization (nil for others). A failure to tell
// hides the entry and is logged: the page itself still answers.
func (h *Handler) orgNav(r *http.Request, v *viewer) *navItem {
	orgs, err := h.store.ListAdministeredOrganizations(r.Context(), v.Account.ID)
	if err != nil {
		h.log.WarnContext(r.Context(), "portal: administered organizations", "err", err)
		return nil
	}
	if len(orgs) == 0 {
		return nil
	}
	path := h.path(orgsRoute, nil)
	return &navItem{Path: path, Label: "account.nav.organization", Current: strings.HasPrefix(r.URL.Path, path)}
}

// showOrganizations lists the organizations the account administers; one
// organization opens directly, none is not found (the menu has no entry).
func (h *Handler) showOrganizations(w http.ResponseWriter, r *http.Request, v *viewer) error {
	orgs, err := h.store.ListAdministeredOrganizations(r.Context(), v.Account.ID)
	if err != nil {
		return err
	}
	switch len(orgs) {
	case 0:
		h.notFound(w, r)
		return nil
	case 1:
		http.Redirect(w, r, h.orgURL(orgRoute, orgs[0].ID, nil), http.StatusFound)
		return nil
	}
	links := make([]orgLink, len(orgs))
	for i, o := range orgs {
		links[i] = orgLink{Name: o.Name, URL: h.orgURL(orgRoute, o.ID, nil)}
	}
	h.renderPage(w, r, v, "account_organizations", http.StatusOK, &orgsData{Organizations: links})
	return nil
}

// orgURL is the path of an organization's route with the query.
func (h *Handler) orgURL(name, orgID string, query url.Values) string {
	return h.routes.Path(name, query, "org", orgID)
}

// orgDone redirects to the organization's page after a successful post,
// naming the notice to show.
func (h *Handler) orgDone(w http.ResponseWriter, r *http.Request, a *orgAdmin, notice string) {
	http.Redirect(w, r, h.orgURL(orgRoute, a.Org.ID, url.Values{"notice": {notice}}), http.StatusSeeOther)
}

// orgEvent records a change on the affected account's activity log, with
// the administrator as the actor and the organization named.
func (h *Handler) orgEvent(r *http.Request, a *orgAdmin, accountID, kind string, data map[string]string) {
	if data == nil {
		data = map[string]string{}
	}
	data["organization"] = a.Org.ID
	data["organization_name"] = a.Org.Name
	data["by"] = a.Account.ID
	e := &storage.Event{AccountID: accountID, Kind: kind, Actor: a.Account.ID, IP: session.ClientIP(r), Data: data}
	if err := h.store.AppendEvent(r.Context(), e); err != nil {
		h.log.WarnContext(r.Context(), "portal organization event", "kind", kind, "err", err)
	}
}
