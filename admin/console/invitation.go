package console

import (
	"net/http"
	"sort"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// invitationPage is the data of admin_invitation: everything about one
// invitation, with Resend (pending ones) and Revoke.
type invitationPage struct {
	frame
	StoreName    string
	Inv          manage.Invitation
	Status       string // a message key
	Organization string // "" for none
	Roles        []manage.NamedRef
	Groups       []manage.NamedRef
	Attributes   []attributeInput
	CreatedBy    string
	Created      string
	Sent         string
	Expires      string
	Accepted     string
	AccountURL   string // the account that accepted it
	CanWrite     bool
	CanResend    bool
	ResendURL    string
	RevokeURL    string
	BackURL      string
}

// invitationFor loads the request's {invitation} of its {store}.
func (h *Handler) invitationFor(r *http.Request, rq *request) (*manage.IdentityStore, *manage.Invitation, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, nil, err
	}
	inv, err := h.invitations.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["invitation"])
	if err != nil {
		return nil, nil, err
	}
	return s, inv, nil
}

func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, inv, err := h.invitationFor(r, rq)
	if err != nil {
		return err
	}
	return h.renderInvitation(w, r, rq, http.StatusOK, s, inv, "")
}

func (h *Handler) renderInvitation(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore,
	inv *manage.Invitation, pageErr string) error {
	roles, groups, err := h.invitations.Names(r.Context(), rq.Actor, inv)
	if err != nil {
		return err
	}
	canWrite := rq.Actor.Can(manage.WriteAccounts, s.ID)
	p := &invitationPage{StoreName: s.Name, Inv: *inv, Status: "admin.invitations.status_" + inv.Status,
		Organization: inv.OrganizationName, Roles: roles, Groups: groups, CreatedBy: inv.CreatedBy.Name,
		Created: inv.CreatedAt.UTC().Format(listTime), Sent: inv.SentAt.UTC().Format(listTime),
		Expires: inv.ExpiresAt.UTC().Format(listTime), CanWrite: canWrite,
		CanResend: canWrite && inv.Status != manage.InvitationDone,
		ResendURL: h.path(invitationResendRoute, nil, "store", s.ID, "invitation", inv.ID),
		RevokeURL: h.path(invitationRevokeRoute, nil, "store", s.ID, "invitation", inv.ID),
		BackURL:   h.path(invitationsRoute, nil, "store", s.ID)}
	p.Error = pageErr
	if p.CreatedBy == "" {
		p.CreatedBy = inv.CreatedBy.Kind
	}
	if inv.AcceptedAt != nil {
		p.Accepted = inv.AcceptedAt.UTC().Format(listTime)
	}
	if inv.AccountID != "" {
		p.AccountURL = h.path(accountRoute, nil, "store", s.ID, "account", inv.AccountID)
	}
	labels := map[string]string{}
	for _, d := range s.Attributes {
		labels[d.Name] = d.LabelOrName()
	}
	for name, v := range inv.Attributes {
		label := labels[name]
		if label == "" {
			label = name
		}
		p.Attributes = append(p.Attributes, attributeInput{Field: name, Label: label, Value: v})
	}
	sort.Slice(p.Attributes, func(i, j int) bool { return p.Attributes[i].Label < p.Attributes[j].Label })
	h.page(w, r, rq, "admin_invitation", status, s.ID, p)
	return nil
}

// resendInvitation sends it again with a new link; a refusal (one
// accepted meanwhile) shows on its page.
func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, inv, err := h.invitationFor(r, rq)
	if err != nil {
		return err
	}
	_, err = h.invitations.Resend(r.Context(), rq.Actor, s.ID, inv.ID)
	if _, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderInvitation(w, r, rq, statusOf(err), s, inv, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(invitationRoute, nil, "store", s.ID, "invitation", inv.ID), "invitation_resent")
	return nil
}

// confirmRevokeInvitation asks before revoking.
func (h *Handler) confirmRevokeInvitation(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, inv, err := h.invitationFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteAccounts, s.ID, confirmPage{Title: "admin.invitations.revoke_title",
		Question: "admin.invitations.revoke_question", Subject: inv.Email, Button: "admin.invitations.revoke",
		ActionURL: h.path(invitationRevokeRoute, nil, "store", s.ID, "invitation", inv.ID),
		CancelURL: h.path(invitationRoute, nil, "store", s.ID, "invitation", inv.ID)})
}

// revokeInvitation revokes it, only with the confirmation page's
// confirm=yes; it then leaves the list.
func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, inv, err := h.invitationFor(r, rq)
	if err != nil {
		return err
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(invitationRevokeRoute, nil, "store", s.ID, "invitation", inv.ID),
		remove: func(int64) error { return h.invitations.Revoke(r.Context(), rq.Actor, s.ID, inv.ID) },
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			return h.renderInvitation(w, r, rq, status, s, inv, pageErr)
		},
		after: to(h.path(invitationsRoute, nil, "store", s.ID)), notice: "invitation_revoked"})
}
