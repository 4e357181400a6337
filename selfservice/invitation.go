package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"foyer/selfservice/invite"
	"foyer/selfservice/session"
	"foyer/storage"
)

// An authorization request whose login_hint is an invitation's (the
// client's brand portal passed it on from the invitation link) turns the
// sign-in into the invitation's acceptance: a pre-filled sign-up when the
// invited address has no account (invitation_signup.go), or the sign-in
// pre-filled with the address, after which the invitation is accepted.
// The hint is the invitation's secret: whoever holds it may learn whether
// the invited address has an account, nobody else.

// invitationState is the invitation part of a flow's state.
type invitationState struct {
	// Checked: the hint was looked at, so the sign-in page no longer
	// answers it (an unusable link was explained once).
	Checked bool `json:"checked,omitempty"`
	// ID is the pending invitation the flow accepts; "" when unusable.
	ID string `json:"id,omitempty"`
	// Accepted: the sign-up accepted it; the sign-in does not again.
	Accepted bool `json:"accepted,omitempty"`
}

// invitationHint is the request's login_hint when it is an invitation's.
func invitationHint(f *Flow) string {
	if hint := f.Params.Get("login_hint"); invite.IsLoginHint(hint) {
		return hint
	}
	return ""
}

// pendingInvitation finds the flow's invitation afresh (a revocation or a
// resend since the last page counts); invite.ErrUnusable when it cannot
// be used by this request's client.
func (h *Handler) pendingInvitation(ctx context.Context, f *Flow) (*invite.Pending, error) {
	hint := invitationHint(f)
	if h.invites == nil || hint == "" {
		return nil, invite.ErrUnusable
	}
	p, err := h.invites.Find(ctx, hint, f.Client.ID)
	if err != nil {
		return nil, err
	}
	if f.State.Invitation != nil && f.State.Invitation.ID != "" && f.State.Invitation.ID != p.Invitation.ID {
		return nil, invite.ErrUnusable
	}
	return p, nil
}

// startInvitation answers the first sign-in page of a flow with an
// invitation hint: the "no longer valid" page, the pre-filled sign-up, or
// (handled false) the sign-in page with the invited address filled in.
func (h *Handler) startInvitation(w http.ResponseWriter, r *http.Request, f *Flow) (handled bool, _ error) {
	ctx := r.Context()
	f.State.Invitation = &invitationState{Checked: true}
	p, err := h.pendingInvitation(ctx, f)
	switch {
	case errors.Is(err, invite.ErrUnusable):
		if err := h.saveFlow(r, f); err != nil {
			return true, err
		}
		h.invitationInvalid(w, r, f)
		return true, nil
	case err != nil:
		return true, fmt.Errorf("selfservice: find invitation: %w", err)
	}
	f.State.Invitation.ID = p.Invitation.ID
	_, err = h.store.FindAccountByIdentifier(ctx, f.App.StoreID, storage.IdentifierEmail, p.Invitation.Email)
	signUp := errors.Is(err, storage.ErrNotFound)
	if err != nil && !signUp {
		return true, fmt.Errorf("selfservice: find invited account: %w", err)
	}
	next := h.registerURL(f.Interaction.ID)
	if !signUp {
		f.State.Identifier, next = p.Invitation.Email, h.loginURL(f.Interaction.ID, nil)
	}
	if err := h.saveFlow(r, f); err != nil {
		return true, err
	}
	if other, err := h.signedInElsewhere(r, f, p); err != nil || other != "" {
		if err == nil {
			h.renderStep(w, r, f, View{Template: "invitation", Status: http.StatusForbidden, Data: &invitationData{
				Kind: "wrong_account", Email: p.Invitation.Email, SignedInAs: other, SignInURL: next}})
		}
		return true, err
	}
	if signUp {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return true, nil
	}
	return false, nil
}

// signedInElsewhere names the account the browser is signed in with when
// it is another address than an invitation that fixes the address: the
// page says so before the invitee signs in or up afresh.
func (h *Handler) signedInElsewhere(r *http.Request, f *Flow, p *invite.Pending) (string, error) {
	if !p.EmailReadOnly {
		return "", nil
	}
	sso, err := h.sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("selfservice: current session: %w", err)
	}
	acct, err := h.store.GetAccount(r.Context(), sso.AccountID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("selfservice: load account: %w", err)
	}
	if acct.StoreID != f.App.StoreID || strings.EqualFold(acct.Email, p.Invitation.Email) {
		return "", nil
	}
	return accountName(acct), nil
}

// acceptOnSignIn accepts the flow's invitation for the account that just
// signed in, in a transaction of its own, before the session starts. An
// account of another address, where the invitation fixes the address, is
// told so and sent back to sign in as the invited address (handled true).
// An invitation that became unusable meanwhile (revoked, or accepted by a
// parallel sign-up) is dropped: the sign-in itself stands.
func (h *Handler) acceptOnSignIn(w http.ResponseWriter, r *http.Request, f *Flow) (handled bool, _ error) {
	st := f.State.Invitation
	if st == nil || st.ID == "" || st.Accepted {
		return false, nil
	}
	ctx := r.Context()
	p, err := h.pendingInvitation(ctx, f)
	if errors.Is(err, invite.ErrUnusable) {
		st.ID = ""
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("selfservice: find invitation: %w", err)
	}
	acct, err := h.store.GetAccount(ctx, f.State.AccountID)
	if err != nil {
		return true, fmt.Errorf("selfservice: load account: %w", err)
	}
	if p.EmailReadOnly && !strings.EqualFold(acct.Email, p.Invitation.Email) {
		return true, h.invitationWrongAccount(w, r, f, p)
	}
	skipped, err := h.acceptInTx(ctx, p, acct)
	switch {
	case errors.Is(err, invite.ErrUnusable):
		st.ID = ""
		return false, nil
	case err != nil:
		return true, err
	}
	st.Accepted = true
	h.acceptedEvent(r, acct.ID, p.Invitation.ID, skipped)
	return false, nil
}

// acceptedEvent records an invitation's acceptance in the account's
// activity log, with the roles it named that the current rules no longer
// let it grant (invite.Service.Accept), comma-separated.
func (h *Handler) acceptedEvent(r *http.Request, accountID, invitationID string, skippedRoles []string) {
	data := map[string]string{"invitation": invitationID}
	if len(skippedRoles) > 0 {
		data["skipped_roles"] = strings.Join(skippedRoles, ",")
	}
	h.eventData(r, accountID, "invitation.accepted", data)
}

// acceptInTx accepts the invitation for an existing account.
func (h *Handler) acceptInTx(ctx context.Context, p *invite.Pending, acct *storage.Account) (skipped []string, err error) {
	tx, err := h.store.BeginTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(tx)
		}
	}()
	if skipped, err = h.invites.Accept(tx, p, acct); err != nil {
		return nil, err
	}
	if err := h.store.Commit(tx); err != nil {
		return nil, fmt.Errorf("selfservice: commit: %w", err)
	}
	return skipped, nil
}

// invitationInvalid is the one page for every unusable invitation link
// (expired, used, revoked, replaced by a newer e-mail, for another
// application): it says which is not, so a guessed link learns nothing.
func (h *Handler) invitationInvalid(w http.ResponseWriter, r *http.Request, f *Flow) {
	h.renderStep(w, r, f, View{Template: "invitation", Status: http.StatusGone, Data: &invitationData{
		Kind: "invalid", SignInURL: h.loginURL(f.Interaction.ID, nil)}})
}

// invitationWrongAccount explains that the invitation is for another
// address and starts the sign-in over with that address filled in.
func (h *Handler) invitationWrongAccount(w http.ResponseWriter, r *http.Request, f *Flow, p *invite.Pending) error {
	f.State = State{Steps: baseSteps(f.App), Identifier: p.Invitation.Email, Failures: f.State.Failures,
		Invitation: f.State.Invitation}
	if err := h.saveFlow(r, f); err != nil {
		return err
	}
	h.renderStep(w, r, f, View{Template: "invitation", Status: http.StatusForbidden, Data: &invitationData{
		Kind: "wrong_account", Email: p.Invitation.Email, SignInURL: h.loginURL(f.Interaction.ID, nil)}})
	return nil
}

// joining names what the invitee joins: the organization, or the
// application when the invitation names none.
func joining(p *invite.Pending) string {
	if p.Organization != nil {
		return p.Organization.Name
	}
	return p.Application.Name
}
