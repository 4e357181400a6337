package selfservice

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"foyer/selfservice/attrform"
	"foyer/selfservice/invite"
	"foyer/storage"
)

// The pre-filled sign-up of an invitation: the registration page with
// the invited address (read-only unless the policy lets invitees choose
// another), the attributes the invitation set for review, and a line
// naming what the invitee joins. It is offered whether or not the
// application offers registration: the invitation is the permission.
// Completing it creates the account and accepts the invitation in one
// transaction.

// invitationSignup adds the flow's pending invitation, if any, to the
// registration policy; answered: the invitation became unusable and the
// request was answered with the "no longer valid" page.
func (h *Handler) invitationSignup(w http.ResponseWriter, r *http.Request, f *Flow, store *storage.IdentityStore, pol *regPolicy) (answered bool, _ error) {
	st := f.State.Invitation
	if st == nil || st.ID == "" || st.Accepted {
		return false, nil
	}
	p, err := h.pendingInvitation(r.Context(), f)
	if errors.Is(err, invite.ErrUnusable) {
		h.invitationInvalid(w, r, f)
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("selfservice: find invitation: %w", err)
	}
	pol.invitation = p
	// The page shows every attribute self-service shows, the invitation's
	// values in them; the customer changes the editable ones.
	pol.shown = attrform.Visible(store.Attributes)
	pol.fields.Email = true // invitations go to an address
	return false, nil
}

// invitationForm is the first page's form: the invited address and the
// invitation's attributes.
func invitationForm(p *invite.Pending) registerForm {
	return registerForm{Email: p.Invitation.Email, Attributes: maps.Clone(p.Invitation.Attributes)}
}

// submitInvitation checks and completes the invitation's sign-up.
func (h *Handler) submitInvitation(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy) error {
	p := pol.invitation
	form := readRegisterForm(r, pol.fields)
	errs := map[string]string{}
	checkIdentifiers(pol.fields, form, errs)
	// The invitation's values stay for what the page did not ask.
	posted := form.Attributes
	form.Attributes = maps.Clone(p.Invitation.Attributes)
	if form.Attributes == nil {
		form.Attributes = map[string]string{}
	}
	for _, d := range pol.fields.Attributes {
		delete(form.Attributes, d.Name)
	}
	maps.Copy(form.Attributes, posted)
	invited := strings.EqualFold(form.Email, p.Invitation.Email)
	if p.EmailReadOnly && !invited {
		// The page shows the address read-only; a post that changed it is
		// refused, not quietly corrected.
		form.Email, errs["email"] = p.Invitation.Email, "invitation.email_read_only"
	}
	if name, key := h.checkPassword(pol.PasswordPolicy, form.Password, form.Confirm); key != "" {
		errs[name] = key
	}
	if !form.Accepted && len(requiredDocuments(f.App)) > 0 {
		errs["accept_terms"] = "register.terms_required"
	}
	if len(errs) > 0 {
		return h.renderRegister(w, r, f, pol, form, errs)
	}
	hash, err := h.hasher.Hash(r.Context(), form.Password)
	if err != nil {
		return fmt.Errorf("selfservice: hash password: %w", err)
	}
	if invited {
		form.Email = p.Invitation.Email // as invited, whatever the case typed
		return h.invitedSignup(w, r, f, pol, form, hash)
	}
	return h.changedAddressSignup(w, r, f, pol, form, hash)
}

// invitedSignup creates the account of the invited address: enabled, the
// address confirmed (the invitation link proved the mailbox), the
// invitation accepted; then the customer is signed in.
func (h *Handler) invitedSignup(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm, hash string) error {
	acct, skipped, err := h.createInvited(r, f, pol.invitation, form, hash, storage.AccountEnabled, true)
	switch {
	case errors.Is(err, storage.ErrConflict):
		// The username or phone number typed is another account's, or
		// someone made the invited address's account meanwhile (a second
		// tab): the page says which, so a taken username can be changed.
		return h.registerTaken(w, r, f, pol, form)
	case errors.Is(err, invite.ErrUnusable):
		h.invitationInvalid(w, r, f)
		return nil
	case err != nil:
		return err
	}
	return h.signUpDone(w, r, f, acct, skipped)
}

// changedAddressSignup creates the account of an address the invitee
// chose instead, which nothing proved yet: with activation on it waits
// for its activation link, and the page never tells whether the address
// was taken (the normal registration's rule); a taken identifier gets
// what a registration's gets (registerExisting, queued): the typed
// address is told. Without activation it is enabled as a registration
// would be.
func (h *Handler) changedAddressSignup(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm, hash string) error {
	status := storage.AccountEnabled
	if pol.ActivationEnabled {
		status = storage.AccountPending
	}
	acct, skipped, err := h.createInvited(r, f, pol.invitation, form, hash, status, false)
	switch {
	case errors.Is(err, storage.ErrConflict) && pol.ActivationEnabled:
		if err := h.deferRequest(r, f, deferredRegistrationTaken, deferredPayload{Email: form.Email}); err != nil {
			return err
		}
		return h.checkEmailPage(w, r, f, form.Email)
	case errors.Is(err, storage.ErrConflict):
		return h.registerTaken(w, r, f, pol, form)
	case errors.Is(err, invite.ErrUnusable):
		h.invitationInvalid(w, r, f)
		return nil
	case err != nil:
		return err
	}
	if pol.ActivationEnabled {
		h.event(r, acct.ID, "account.registered")
		h.acceptedEvent(r, acct.ID, f.State.Invitation.ID, skipped)
		return h.checkEmailPage(w, r, f, form.Email)
	}
	return h.signUpDone(w, r, f, acct, skipped)
}

// signUpDone signs the new account in and continues the authorization
// request; skipped are the roles the acceptance did not grant.
func (h *Handler) signUpDone(w http.ResponseWriter, r *http.Request, f *Flow, acct *storage.Account, skipped []string) error {
	h.event(r, acct.ID, "account.registered")
	h.acceptedEvent(r, acct.ID, f.State.Invitation.ID, skipped)
	f.State.Invitation.Accepted = true
	firstFactor(&f.State, acct.ID, amrPassword, "")
	f.State.Current = len(f.State.Steps)
	return h.complete(w, r, f)
}

// createInvited creates the account, its password and consents, accepts
// the invitation and (for a pending account) queues the activation link,
// all in one transaction: a lost race for the invitation leaves nothing.
func (h *Handler) createInvited(r *http.Request, f *Flow, p *invite.Pending, form registerForm, hash string,
	status storage.AccountStatus, proven bool) (_ *storage.Account, skipped []string, err error) {
	ctx, err := h.store.BeginTx(r.Context())
	if err != nil {
		return nil, nil, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(ctx)
		}
	}()
	lang := p.Invitation.Language
	if lang == "" {
		lang = f.Lang
	}
	acct := &storage.Account{StoreID: f.App.StoreID, Status: status, Email: form.Email, Username: form.Username,
		Phone: form.Phone, Attributes: form.Attributes, Language: lang,
		EmailConfirmed: status == storage.AccountEnabled, EmailUnproven: status == storage.AccountEnabled && !proven}
	if err := h.storeAccount(ctx, acct, hash, acceptedConsents(f.App)); err != nil {
		return nil, nil, err
	}
	if skipped, err = h.invites.Accept(ctx, p, acct); err != nil {
		return nil, nil, err
	}
	if status == storage.AccountPending {
		store, err := h.store.GetIdentityStore(ctx, f.App.StoreID)
		if err != nil {
			return nil, nil, fmt.Errorf("selfservice: load identity store: %w", err)
		}
		if err := h.issueActivation(ctx, f.Interaction.ID, lang, f.App, f.App.SelfService.Effective(store), acct); err != nil {
			return nil, nil, err
		}
	}
	if err := h.store.Commit(ctx); err != nil {
		return nil, nil, fmt.Errorf("selfservice: commit: %w", err)
	}
	return acct, skipped, nil
}
