package console

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// orgPage is the data of admin_organization: one organization's form
// (sent with the version the page showed) and its deletion.
type orgPage struct {
	frame
	storeItem
	Title string
	orgFormData
	// PartnerCode is the partner code section (partner organizations only).
	PartnerCode *partnerCodeView
	// BrandingURL is its branding page ("" without the service).
	BrandingURL string
}

// orgFor loads the request's {org} of its {store} for the actor.
func (h *Handler) orgFor(r *http.Request, rq *request) (*manage.IdentityStore, *manage.Organization, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, nil, err
	}
	o, err := h.orgs.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["org"])
	if err != nil {
		return nil, nil, err
	}
	return s, o, nil
}

func shownOrg(o *manage.Organization) orgForm {
	return orgForm{Name: o.Name, Partner: o.Partner, Domains: strings.Join(o.Domains, "\n"), Attributes: o.Attributes,
		DisplayName: o.DisplayName, LogoURL: o.LogoURL, PrimaryColor: o.PrimaryColor}
}

func (h *Handler) orgPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	h.renderOrg(w, r, rq, http.StatusOK, s, o, shownOrg(o), nil)
	return nil
}

func (h *Handler) renderOrg(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore, o *manage.Organization,
	in orgForm, err error) {
	h.renderOrgWith(w, r, rq, status, s, o, in, err, nil)
}

// renderOrgWith shows the page with the partner code section pc (nil:
// read as stored).
func (h *Handler) renderOrgWith(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore, o *manage.Organization,
	in orgForm, err error, pc *partnerCodeView) {
	p := &orgPage{Title: o.Name, storeItem: h.storeItemOf(rq, s, o.Version, "org", o.ID, orgRoute, orgDeleteRoute, orgsRoute), PartnerCode: pc}
	p.Error = p.set(in, orgSchema(s), err)
	if h.brandings != nil {
		p.BrandingURL = h.path(orgBrandingRoute, nil, "store", s.ID, "org", o.ID)
	}
	if pc == nil {
		var perr error
		// A failure to read the code's status leaves its section out
		// rather than the organization's page.
		if p.PartnerCode, perr = h.partnerCodeOf(r, rq, s.ID, o); perr != nil {
			h.log.ErrorContext(r.Context(), "console: partner code status", "org", o.ID, "err", perr)
		}
	}
	h.page(w, r, rq, "admin_organization", status, s.ID, p)
}

// updateOrg saves the organization if it is still at the version the form
// was shown with.
func (h *Handler) updateOrg(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	in := readOrgForm(r, orgSchema(s))
	_, err = h.orgs.Update(r.Context(), rq.Actor, s.ID, o.ID, formVersion(r), in.input())
	return h.saved(w, r, err, func(err error) { h.renderOrg(w, r, rq, statusOf(err), s, o, in, err) },
		h.path(orgRoute, nil, "store", s.ID, "org", o.ID))
}

// confirmDeleteOrg asks before deleting an organization.
func (h *Handler) confirmDeleteOrg(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.orgs.delete_title", Question: "admin.orgs.delete_question",
		Subject: o.Name, ActionURL: h.path(orgDeleteRoute, nil, "store", s.ID, "org", o.ID), Button: "admin.orgs.delete", Version: o.Version,
		CancelURL: h.path(orgRoute, nil, "store", s.ID, "org", o.ID)})
}

// deleteOrg deletes it, only with the confirmation page's confirm=yes; a
// refusal shows on the organization's page.
func (h *Handler) deleteOrg(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, o, err := h.orgFor(r, rq)
	if err != nil {
		return err
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(orgDeleteRoute, nil, "store", s.ID, "org", o.ID),
		remove: func(version int64) error { return h.orgs.Delete(r.Context(), rq.Actor, s.ID, o.ID, version) },
		rename: indexedField,
		refused: func(status int, _ string, err error) error {
			h.renderOrg(w, r, rq, status, s, o, shownOrg(o), err)
			return nil
		},
		after: to(h.path(orgsRoute, nil, "store", s.ID)), notice: "deleted"})
}
