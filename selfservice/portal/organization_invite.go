package portal

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"foyer/selfservice/invite"
	"foyer/selfservice/regulate"
	"foyer/storage"
	"foyer/themes"
)

// inviteInput is what the invitation form sent.
type inviteInput struct {
	Email, ClientID, Language string
	RoleIDs                   []string
}

// inviteChoices fills the invitation form: the clients an invitation to
// the organization can go through (clients of the store's organizational
// applications with a brand portal, the only one preselected), the
// languages, and the assignable roles, with what a refused post sent.
func (h *Handler) inviteChoices(r *http.Request, a *orgAdmin, roles []storage.StoreRole, in *inviteInput) (inviteForm, error) {
	if in == nil {
		in = &inviteInput{}
	}
	f := inviteForm{Email: in.Email}
	clients, err := h.inviteClients(r, a)
	if err != nil {
		return f, err
	}
	for _, c := range clients {
		f.Clients = append(f.Clients, option{Value: c.ID, Label: c.Name, Selected: c.ID == in.ClientID || len(clients) == 1})
	}
	for _, l := range h.render.Languages() {
		f.Languages = append(f.Languages, option{Value: l, Label: h.languageName(a.Lang, l), Selected: l == in.Language})
	}
	for _, sr := range roles {
		if sr.Assignable {
			f.Roles = append(f.Roles, roleView{ID: sr.ID, Name: sr.Name, Changeable: true, Checked: slices.Contains(in.RoleIDs, sr.ID)})
		}
	}
	return f, nil
}

// languageName is a language's name in the page's language where the
// catalogs have one, else its name in itself ("Français").
func (h *Handler) languageName(pageLang, code string) string {
	key := "account.org.invite.language." + code
	if name := h.render.T(pageLang, key); name != key {
		return name
	}
	return themes.LanguageName(code)
}

// inviteClients are the clients an invitation to the organization can
// name (what invite.Service accepts for it).
func (h *Handler) inviteClients(r *http.Request, a *orgAdmin) ([]storage.Client, error) {
	apps, err := h.store.ListApplications(r.Context())
	if err != nil {
		return nil, err
	}
	orgApps := map[string]bool{}
	for _, app := range apps {
		if app.StoreID == a.Org.StoreID && app.Organizational {
			orgApps[app.ID] = true
		}
	}
	all, err := h.store.ListClients(r.Context())
	if err != nil {
		return nil, err
	}
	var out []storage.Client
	for _, c := range all {
		if orgApps[c.ApplicationID] && c.InitiateLoginURI != "" && c.RegistrationTokenHash == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// sendInvitation invites a colleague to the organization, with only
// assignable roles (invite.Request.OnlyAssignable); a refused invitation
// comes back with the errors next to their fields and everything kept.
func (h *Handler) sendInvitation(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	if h.invites == nil {
		h.notFound(w, r)
		return nil
	}
	_ = r.ParseForm()
	in := &inviteInput{Email: strings.TrimSpace(r.PostFormValue("email")), ClientID: r.PostFormValue("client_id"),
		Language: r.PostFormValue("language"), RoleIDs: r.PostForm["role_ids"]}
	if held, err := h.invitationsHeld(w, r, a, in); held || err != nil {
		return err
	}
	inv, err := h.invites.Send(r.Context(), invite.Request{StoreID: a.Org.StoreID, OrganizationID: a.Org.ID,
		ClientID: in.ClientID, Email: in.Email, Language: in.Language, RoleIDs: in.RoleIDs, OnlyAssignable: true,
		By: invite.Sender{Kind: invite.SenderAccount, ID: a.Account.ID, Name: displayName(a.Account)}})
	var ve *invite.ValidationError
	if errors.As(err, &ve) {
		return h.renderOrg(w, r, a, orgForm{status: http.StatusUnprocessableEntity, invite: in, fieldErrors: inviteErrors(ve, in)})
	}
	if err != nil {
		return err
	}
	h.orgEvent(r, a, a.Account.ID, "organization.invitation_sent", map[string]string{"invitation": inv.ID, "email": inv.Email})
	h.orgDone(w, r, a, "invitation_sent")
	return nil
}

// invitationsHeld counts an invitation e-mail the administrator asks for
// (regulate.OrganizationInvitation) before it is sent; past the limit it
// answers 429 with the form kept (held true) and nothing is sent.
func (h *Handler) invitationsHeld(w http.ResponseWriter, r *http.Request, a *orgAdmin, in *inviteInput) (held bool, _ error) {
	v, err := h.limits.Attempt(r.Context(), regulate.OrganizationInvitation.Key(a.Account.ID), h.cfg.Now().UTC())
	if err != nil {
		return true, err
	}
	if !v.Exceeded() {
		return false, nil
	}
	if v.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(v.RetryAfter.Seconds()))))
	}
	return true, h.renderOrg(w, r, a, orgForm{status: http.StatusTooManyRequests, invite: in, err: "account.org.invite.error.throttled"})
}

// inviteErrors words the service's refusals for the form's fields. An
// address the service refuses although it is well formed gets one
// message whatever the reason.
func inviteErrors(ve *invite.ValidationError, in *inviteInput) map[string]string {
	out := map[string]string{}
	for field := range ve.Fields {
		switch {
		case field == "email" && !storage.ValidEmail(in.Email):
			out["email"] = "account.org.invite.error.email"
		case field == "email":
			out["email"] = "account.org.invite.error.email_unavailable"
		case field == "client_id":
			out["client_id"] = "account.org.invite.error.client"
		case field == "language":
			out["language"] = "account.org.invite.error.language"
		case field == "role_ids":
			out["role_ids"] = "account.org.invite.error.roles"
		default:
			out["invite"] = "account.org.invite.error.other"
		}
	}
	return out
}

// invitation is the organization's invitation the form names; nil after
// the not-found page was written (another organization's invitation
// looks like one that does not exist).
func (h *Handler) invitation(w http.ResponseWriter, r *http.Request, a *orgAdmin) (*storage.Invitation, error) {
	if h.invites == nil {
		h.notFound(w, r)
		return nil, nil
	}
	inv, err := h.store.GetInvitation(r.Context(), a.Org.StoreID, r.PostFormValue("invitation"))
	if errors.Is(err, storage.ErrNotFound) || err == nil && (inv.OrganizationID != a.Org.ID || inv.Status != storage.InvitationPending) {
		h.notFound(w, r)
		return nil, nil
	}
	return inv, err
}

// resendInvitation sends a pending invitation again with a new link.
func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	inv, err := h.invitation(w, r, a)
	if inv == nil || err != nil {
		return err
	}
	if held, err := h.invitationsHeld(w, r, a, nil); held || err != nil {
		return err
	}
	_, err = h.invites.Resend(r.Context(), a.Org.StoreID, inv.ID)
	if errors.Is(err, invite.ErrNotPending) || errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	h.orgEvent(r, a, a.Account.ID, "organization.invitation_resent", map[string]string{"invitation": inv.ID, "email": inv.Email})
	h.orgDone(w, r, a, "invitation_resent")
	return nil
}

// revokeInvitation deletes a pending invitation: its link stops working.
func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	inv, err := h.invitation(w, r, a)
	if inv == nil || err != nil {
		return err
	}
	err = h.invites.Revoke(r.Context(), a.Org.StoreID, inv.ID)
	if errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	h.orgEvent(r, a, a.Account.ID, "organization.invitation_revoked", map[string]string{"invitation": inv.ID, "email": inv.Email})
	h.orgDone(w, r, a, "invitation_revoked")
	return nil
}
