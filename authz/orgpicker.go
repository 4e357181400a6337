package authz

import (
	"net/http"

	"foyer/storage"
	"foyer/themes"
)

// OrganizationPath is the organization picker of an organizational
// client's sign-in.
const OrganizationPath = "/oauth2/organization"

// organizationStep names the step in signed picker links, so a consent or
// resume link for the same interaction cannot be used here, nor the
// reverse.
const organizationStep = "organization"

// organizationRoute is the picker's named route.
const organizationRoute = "authz.organization"

// showOrganizations renders the picker: one radio button per organization
// the account holds a role in, the one the client named checked.
func (h *Handler) showOrganizations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := h.loadStep(r, q.Get("interaction"), q.Get("sig"), organizationStep)
	if err != nil {
		return h.consentRefused(w, r, p, err)
	}
	return h.renderOrganizations(w, r, p, "")
}

// renderOrganizations writes the picker for p, with an error message key
// at the list when the last choice was not one of it. An account left
// with no organization meanwhile is refused instead.
func (h *Handler) renderOrganizations(w http.ResponseWriter, r *http.Request, p *pendingConsent, errKey string) error {
	orgs, err := h.accountOrganizations(r.Context(), p.login.acct.ID)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		h.refuseNoOrganization(w, r, p.ar, p.login)
		return nil
	}
	asked := p.ar.GetRequestForm().Get(OrganizationParam)
	data := organizationData{
		Action:  h.routes.Path(organizationRoute, nil),
		Account: accountLabel(p.login.acct),
		Hidden:  map[string]string{"interaction": p.in.ID, "sig": h.steps.Sign(p.in.ID, organizationStep)},
		Error:   errKey,
	}
	for _, o := range orgs {
		data.Organizations = append(data.Organizations, organizationOption{ID: o.ID, Name: o.Name, Checked: o.ID == asked})
	}
	status := http.StatusOK
	if errKey != "" {
		status = http.StatusUnprocessableEntity
	}
	w.Header().Set("Cache-Control", "no-store")
	app := p.login.app
	h.renderStepPage(w, r, p, themes.Page{Template: "organization", Status: status, Data: data,
		Branding: themes.Branding{AppName: app.Name, LogoURL: app.LogoURL, PrimaryColor: app.PrimaryColor,
			Scope: storage.TranslationScope(app.StoreID, app.ID)}})
	return nil
}

// submitOrganization takes the choice. The interaction is used once: the
// request, now naming the organization and no longer asking to select,
// goes on to consent or issue (consentOrIssue checks the roles again).
func (h *Handler) submitOrganization(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// A cross-site post must not sign the user in to an organization.
	if !h.stepPost(w, r) {
		return nil
	}
	p, err := h.loadStep(r, r.PostForm.Get("interaction"), r.PostForm.Get("sig"), organizationStep)
	if err != nil {
		return h.consentRefused(w, r, p, err)
	}
	orgs, err := h.accountOrganizations(ctx, p.login.acct.ID)
	if err != nil {
		return err
	}
	picked := r.PostForm.Get(OrganizationParam)
	if findOrg(orgs, picked) == nil {
		// Nothing chosen, or an organization not offered: ask again.
		return h.renderOrganizations(w, r, p, "organization.choose")
	}
	// Single use: whoever deletes it first continues.
	if err := h.store.DeleteInteraction(ctx, p.in.ID); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil //nolint:nilerr // another request used it first: answered, not a failure
	}
	choose(p.ar, picked)
	return h.consentOrIssue(w, r, p.ar, p.login, p.state.RequestedAt)
}
