package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/themes"
)

// invitationFormPage is the data of admin_invitation_new (seed 004's
// "Invite customer"): the organization first, then the clients that
// choice allows, the address, the language, the roles (only with an
// organization), the groups and the profile attributes to pre-fill. The
// organization's "Update" button posts the form back as typed with the
// clients of the new choice, so it works without JavaScript.
type invitationFormPage struct {
	frame
	StoreName   string
	ActionURL   string
	BackURL     string
	Email       string
	HasOrg      bool
	Orgs        []option
	Clients     []option
	Languages   []option
	Roles       []option
	Groups      []option
	Attributes  []attributeInput
	FieldErrors map[string]string
}

// attributeInput is one pre-filled profile attribute of the form; Field
// is its name in the form and in field errors (attributes.NAME).
type attributeInput struct {
	Field, ID, Label, Value string
}

// invitationForm reads the posted form.
func invitationForm(r *http.Request) manage.InvitationInput {
	_ = r.ParseForm()
	in := manage.InvitationInput{OrganizationID: r.PostFormValue("organization_id"), ClientID: r.PostFormValue("client_id"),
		Email: r.PostFormValue("email"), Language: r.PostFormValue("language"),
		RoleIDs: r.PostForm["role_ids"], GroupIDs: r.PostForm["group_ids"], Attributes: map[string]string{}}
	for k, v := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "attributes."); ok && len(v) > 0 && strings.TrimSpace(v[0]) != "" {
			in.Attributes[name] = strings.TrimSpace(v[0])
		}
	}
	if in.OrganizationID == "" {
		in.RoleIDs = nil // roles are held in an organization: none to keep
	}
	return in
}

func (h *Handler) newInvitationPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	in := manage.InvitationInput{OrganizationID: r.URL.Query().Get("organization")}
	return h.renderInvitationForm(w, r, rq, http.StatusOK, in, nil, "")
}

// sendInvitation sends the invitation, or shows the form again as typed:
// with the clients of the organization chosen when its Update button
// posted it, with the errors next to the fields when the service refused.
func (h *Handler) sendInvitation(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	in := invitationForm(r)
	if r.PostFormValue("refresh") != "" {
		if err := rq.Actor.Require(manage.WriteAccounts, s.ID); err != nil {
			return err
		}
		return h.renderInvitationForm(w, r, rq, http.StatusOK, in, nil, "")
	}
	inv, err := h.invitations.Send(r.Context(), rq.Actor, s.ID, in)
	if errs, pageErr, ok := formErrors(err, func(f string) string { return f }); ok {
		return h.renderInvitationForm(w, r, rq, statusOf(err), in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(invitationRoute, nil, "store", s.ID, "invitation", inv.ID), "invitation_sent")
	return nil
}

func (h *Handler) renderInvitationForm(w http.ResponseWriter, r *http.Request, rq *request, status int, in manage.InvitationInput,
	errs map[string]string, pageErr string) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	if err := rq.Actor.Require(manage.WriteAccounts, s.ID); err != nil {
		return err
	}
	p := &invitationFormPage{StoreName: s.Name, Email: in.Email, HasOrg: in.OrganizationID != "", FieldErrors: errs,
		ActionURL: h.path(invitationNewRoute, nil, "store", s.ID), BackURL: h.path(invitationsRoute, nil, "store", s.ID)}
	p.Error = pageErr
	if err := h.invitationChoices(r, rq, s.ID, in, p); err != nil {
		return err
	}
	p.Languages = append(p.Languages, option{Value: "", Label: "admin.invitations.language_auto", Selected: in.Language == "", Translate: true})
	for _, l := range h.render.Languages() {
		p.Languages = append(p.Languages, option{Value: l, Label: themes.LanguageName(l), Selected: in.Language == l})
	}
	for _, d := range s.Attributes {
		if d.AdminVisible {
			p.Attributes = append(p.Attributes, attributeInput{Field: "attributes." + d.Name, ID: "invite-attr-" + d.Name,
				Label: d.LabelOrName(), Value: in.Attributes[d.Name]})
		}
	}
	h.page(w, r, rq, "admin_invitation_new", status, s.ID, p)
	return nil
}

// invitationChoices fills the organizations, the clients the chosen one
// allows (an organization that is gone is offered as none), the roles
// and the groups, each marked as the form had it.
func (h *Handler) invitationChoices(r *http.Request, rq *request, storeID string, in manage.InvitationInput, p *invitationFormPage) error {
	ctx, all := r.Context(), manage.ListOptions{}
	orgs, err := h.orgs.ListBy(ctx, rq.Actor, storeID, all)
	if err != nil {
		return err
	}
	p.Orgs = append(p.Orgs, option{Value: "", Label: "admin.invitations.no_organization", Selected: in.OrganizationID == "", Translate: true})
	for _, o := range orgs.Items {
		p.Orgs = append(p.Orgs, option{Value: o.ID, Label: o.Name, Selected: in.OrganizationID == o.ID})
	}
	clients, err := h.invitations.Clients(ctx, rq.Actor, storeID, in.OrganizationID)
	if errors.Is(err, storage.ErrNotFound) && in.OrganizationID != "" {
		clients, err = nil, nil // the service reports the organization next to its field
	}
	if err != nil {
		return err
	}
	for _, c := range clients {
		// The only client there is needs no choosing (the portal's form
		// preselects it too).
		chosen := in.ClientID == c.ClientID || (in.ClientID == "" && len(clients) == 1)
		p.Clients = append(p.Clients, option{Value: c.ClientID, Label: c.ApplicationName + " · " + c.Name, Selected: chosen})
	}
	roles, err := h.roles.ListBy(ctx, rq.Actor, storeID, all)
	if err != nil {
		return err
	}
	for _, x := range roles.Items {
		p.Roles = append(p.Roles, option{Value: x.ID, Label: x.Name, Selected: slices.Contains(in.RoleIDs, x.ID)})
	}
	groups, err := h.groups.ListBy(ctx, rq.Actor, storeID, all)
	if err != nil {
		return err
	}
	for _, g := range groups.Items {
		p.Groups = append(p.Groups, option{Value: g.ID, Label: g.Name, Selected: slices.Contains(in.GroupIDs, g.ID)})
	}
	return nil
}
