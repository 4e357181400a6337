package console

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// OrganizationService is what the console asks of a store's
// organizations (manage.Organizations).
type OrganizationService interface {
	ListBy(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[manage.Organization], error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.Organization, error)
	Create(ctx context.Context, a manage.Actor, storeID string, in manage.OrganizationInput) (*manage.Organization, error)
	Update(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.OrganizationInput) (*manage.Organization, error)
	Delete(ctx context.Context, a manage.Actor, storeID, id string, version int64) error
}

const (
	orgsRoute      = "console.organizations"
	orgRoute       = "console.organization"
	orgDeleteRoute = "console.organization_delete"
)

func (h *Handler) mountOrganizations(r *mux.Router) {
	route.Handle(r, orgsRoute, "/admin/stores/{store}/organizations", route.Methods{
		http.MethodGet: h.authed(h.orgsPage), http.MethodPost: h.authed(h.createOrg)})
	route.Handle(r, orgRoute, "/admin/stores/{store}/organizations/{org}", route.Methods{
		http.MethodGet: h.authed(h.orgPage), http.MethodPost: h.authed(h.updateOrg)})
	route.Handle(r, orgDeleteRoute, "/admin/stores/{store}/organizations/{org}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteOrg), http.MethodPost: h.authed(h.deleteOrg)})
	h.mountPartnerCodes(r)
}

// orgsPage is the data of admin_organizations: one store's organizations
// and the creation form as typed.
type orgsPage struct {
	frame
	StoreName string
	Rows      []orgRow
	listNav
	CanCreate bool
	CreateURL string
	orgFormData
}

type orgRow struct {
	Name, Domains, URL string
	Partner            bool
}

func (h *Handler) orgsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderOrgs(w, r, rq, http.StatusOK, orgForm{}, nil)
}

func (h *Handler) renderOrgs(w http.ResponseWriter, r *http.Request, rq *request, status int, in orgForm, err error) error {
	s, serr := h.storeFor(r, rq)
	if serr != nil {
		return serr
	}
	lv := h.newListView(r, orgsRoute, nil, "store", s.ID)
	page, lerr := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.Organization], error) {
		return h.orgs.ListBy(r.Context(), rq.Actor, s.ID, o)
	})
	if lerr != nil {
		return lerr
	}
	p := &orgsPage{StoreName: s.Name, CanCreate: rq.Actor.Can(manage.WriteConfig, s.ID), CreateURL: h.path(orgsRoute, nil, "store", s.ID),
		listNav: lv.nav(page.Next)}
	p.Error = p.set(in, orgSchema(s), err)
	for _, o := range page.Items {
		p.Rows = append(p.Rows, orgRow{Name: o.Name, Partner: o.Partner, Domains: joinDomains(o.Domains),
			URL: h.path(orgRoute, nil, "store", s.ID, "org", o.ID)})
	}
	h.page(w, r, rq, "admin_organizations", status, s.ID, p)
	return nil
}

// createOrg makes an organization from the list page's form.
func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	storeID, in := s.ID, readOrgForm(r, orgSchema(s))
	_, err = h.orgs.Create(r.Context(), rq.Actor, storeID, in.input())
	if _, _, ok := formErrors(err, indexedField); ok {
		return h.renderOrgs(w, r, rq, statusOf(err), in, err)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(orgsRoute, nil, "store", storeID), "created")
	return nil
}
