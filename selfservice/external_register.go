package selfservice

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"foyer/selfservice/attrform"
	"foyer/selfservice/invite"
	"foyer/storage"
)

// externalPolicy is the registration policy for an external identity's
// account and whether the flow may create one: the application offers
// registration (people, not companies), or the flow carries an
// invitation.
func (h *Handler) externalPolicy(ctx context.Context, f *Flow) (regPolicy, bool, error) {
	store, err := h.store.GetIdentityStore(ctx, f.App.StoreID)
	if err != nil {
		return regPolicy{}, false, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	pol := regPolicy{SelfServicePolicy: f.App.SelfService.Effective(store), fields: fieldsFor(store)}
	if inv := f.State.Invitation; inv != nil && inv.ID != "" && !inv.Accepted {
		p, err := h.pendingInvitation(ctx, f)
		switch {
		case err == nil:
			pol.invitation, pol.shown = p, attrform.Visible(store.Attributes)
			pol.fields.Email = true
		case !errors.Is(err, invite.ErrUnusable):
			return pol, false, fmt.Errorf("selfservice: find invitation: %w", err)
		}
	}
	may := pol.invitation != nil || (pol.RegistrationEnabled && !orgOnboarding(f.App, pol.SelfServicePolicy))
	return pol, may, nil
}

// externalInvitationCheck refuses, with a page, an identity whose
// address is not the invited one (or not verified) when the invitation
// fixes the address. Nothing is created.
func (h *Handler) externalInvitationCheck(w http.ResponseWriter, r *http.Request, f *Flow, x *externalState) (bool, error) {
	if inv := f.State.Invitation; inv == nil || inv.ID == "" || inv.Accepted {
		return false, nil
	}
	p, err := h.pendingInvitation(r.Context(), f)
	if errors.Is(err, invite.ErrUnusable) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("selfservice: find invitation: %w", err)
	}
	if !p.EmailReadOnly || (x.Verified && strings.EqualFold(x.Email, p.Invitation.Email)) {
		return false, nil
	}
	if err := h.saveFlow(r, f); err != nil {
		return true, err
	}
	h.renderExternal(w, r, f, http.StatusForbidden, &externalData{Kind: "invitation", Provider: x.ProviderName,
		Email: p.Invitation.Email, RetryURL: h.loginURL(f.Interaction.ID, nil)})
	return true, nil
}

// externalForm is the registration form filled from the identity (and
// the invitation's values, which the identity's complete).
func externalForm(pol regPolicy, x *externalState) registerForm {
	form := registerForm{Email: x.Email, Attributes: map[string]string{}}
	if p := pol.invitation; p != nil {
		form = invitationForm(p)
		if form.Attributes == nil {
			form.Attributes = map[string]string{}
		}
		if x.Verified {
			form.Email = x.Email
		}
	}
	if pol.fields.Username {
		form.Username = storage.CleanIdentifier(storage.IdentifierUsername, x.Username)
	}
	if pol.fields.Phone {
		form.Phone = storage.CleanIdentifier(storage.IdentifierPhone, x.Phone)
	}
	for _, d := range pol.fields.Attributes {
		if v, ok := x.Attributes[d.Name]; ok && form.Attributes[d.Name] == "" {
			form.Attributes[d.Name] = v
		}
	}
	return form
}

// externalRegister handles an identity that is no account's: a verified
// address with everything the store requires mapped creates the account
// at once; otherwise the registration page asks for the rest (the
// address too, when the upstream did not vouch for it).
func (h *Handler) externalRegister(w http.ResponseWriter, r *http.Request, f *Flow, x *externalState) error {
	pol, may, err := h.externalPolicy(r.Context(), f)
	if err != nil {
		return err
	}
	if !may {
		if err := h.saveFlow(r, f); err != nil {
			return err
		}
		h.renderExternal(w, r, f, http.StatusForbidden, &externalData{Kind: "no_account", Provider: x.ProviderName,
			RetryURL: h.loginURL(f.Interaction.ID, nil)})
		return nil
	}
	if !x.Verified && pol.ActivationEnabled {
		// An address nobody proved cannot make an account that its
		// activation link would later hand to whoever holds the upstream
		// identity: anyone can name someone else's free address upstream
		// and wait for its owner to click (pre-account takeover).
		if err := h.saveFlow(r, f); err != nil {
			return err
		}
		h.renderExternal(w, r, f, http.StatusForbidden, &externalData{Kind: "unverified", Provider: x.ProviderName,
			RetryURL: h.loginURL(f.Interaction.ID, nil)})
		return nil
	}
	f.State.External = x
	pol.external = x
	if x.Verified && len(requiredDocuments(f.App)) == 0 {
		form := externalForm(pol, x)
		errs := map[string]string{}
		checkIdentifiers(pol.fields, form, errs)
		if len(errs) == 0 {
			return h.createExternalAccount(w, r, f, pol, form)
		}
	}
	if err := h.saveFlow(r, f); err != nil {
		return err
	}
	http.Redirect(w, r, h.registerURL(f.Interaction.ID), http.StatusSeeOther)
	return nil
}

// pendingRegistration is the flow's identity waiting to be registered.
func pendingRegistration(f *Flow) *externalState {
	if x := f.State.External; x != nil && x.AccountID == "" {
		return x
	}
	return nil
}

// submitExternalRegister checks the external mode's form (no password)
// and creates the account.
func (h *Handler) submitExternalRegister(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy) error {
	x := pol.external
	form := readRegisterForm(r, pol.fields)
	// What the page asked is checked; the invitation's values for the
	// rest (attributes self-service does not edit) are the sender's, and
	// not the page's to refuse.
	errs := map[string]string{}
	checkIdentifiers(pol.fields, form, errs)
	if p := pol.invitation; p != nil {
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
	}
	if x.Verified && !strings.EqualFold(form.Email, x.Email) {
		// The page shows the vouched-for address read-only.
		form.Email, errs["email"] = x.Email, "external.email_read_only"
	}
	if !form.Accepted && len(requiredDocuments(f.App)) > 0 {
		errs["accept_terms"] = "register.terms_required"
	}
	if len(errs) > 0 {
		return h.renderRegister(w, r, f, pol, form, errs)
	}
	if x.Verified {
		form.Email = x.Email
		return h.createExternalAccount(w, r, f, pol, form)
	}
	return h.registerUnverified(w, r, f, pol, form)
}

// registerUnverified registers with an address the upstream did not
// vouch for, where the application registers without activation (with
// activation, externalRegister refused it): the account is enabled with
// its address unproven, as the registration page makes it, and the first
// password reset through the mailbox claims it (claimedByReset), the
// identity unlinked.
func (h *Handler) registerUnverified(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm) error {
	x := pol.external
	acct := &storage.Account{StoreID: f.App.StoreID, Status: storage.AccountEnabled, Email: form.Email,
		Username: form.Username, Phone: form.Phone, Attributes: form.Attributes, Language: f.Lang,
		EmailConfirmed: form.Email != "", EmailUnproven: form.Email != ""}
	skipped, err := h.insertExternalAccount(r, f, acct, x, pol.invitation)
	switch {
	case errors.Is(err, storage.ErrConflict):
		return h.registerTaken(w, r, f, pol, form)
	case errors.Is(err, invite.ErrUnusable):
		h.invitationInvalid(w, r, f)
		return nil
	case err != nil:
		return err
	}
	return h.externalRegistered(w, r, f, acct, x, pol.invitation, skipped)
}

// createExternalAccount creates the enabled account of a verified
// address, the address confirmed, with the identity linked.
func (h *Handler) createExternalAccount(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm) error {
	x := pol.external
	acct := &storage.Account{StoreID: f.App.StoreID, Status: storage.AccountEnabled, Email: form.Email,
		Username: form.Username, Phone: form.Phone, Attributes: form.Attributes, Language: f.Lang,
		EmailConfirmed: form.Email != ""}
	skipped, err := h.insertExternalAccount(r, f, acct, x, pol.invitation)
	switch {
	case errors.Is(err, storage.ErrConflict):
		// Taken meanwhile (the address was checked free), or the
		// username or phone the upstream gave: the page says which.
		if err := h.saveFlow(r, f); err != nil {
			return err
		}
		return h.registerTaken(w, r, f, pol, form)
	case errors.Is(err, invite.ErrUnusable):
		// Another sign-up with the link (or a revocation) came first.
		h.invitationInvalid(w, r, f)
		return nil
	case err != nil:
		return err
	}
	return h.externalRegistered(w, r, f, acct, x, pol.invitation, skipped)
}

// insertExternalAccount creates acct, its consents and the link in one
// transaction, with the acceptance of the flow's invitation (p, nil for
// none): the invitation's single use decides, so of two sign-ups with one
// link (a password one in another tab) only one makes an account; the
// other gets invite.ErrUnusable and keeps nothing.
func (h *Handler) insertExternalAccount(r *http.Request, f *Flow, acct *storage.Account, x *externalState, p *invite.Pending) (skipped []string, err error) {
	ctx, err := h.store.BeginTx(r.Context())
	if err != nil {
		return nil, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(ctx)
		}
	}()
	if err := h.storeAccount(ctx, acct, "", acceptedConsents(f.App)); err != nil {
		return nil, err
	}
	if err := h.store.LinkExternalIdentity(ctx, x.identity(acct.ID, h.cfg.Now().UTC())); err != nil {
		return nil, fmt.Errorf("selfservice: link external identity: %w", err)
	}
	if p != nil {
		if skipped, err = h.invites.Accept(ctx, p, acct); err != nil {
			return nil, err
		}
	}
	if err := h.store.Commit(ctx); err != nil {
		return nil, fmt.Errorf("selfservice: commit: %w", err)
	}
	return skipped, nil
}

// identity is the link row of x for the account.
func (x *externalState) identity(accountID string, now time.Time) *storage.ExternalIdentity {
	return &storage.ExternalIdentity{AccountID: accountID, Provider: x.Provider, Subject: x.Subject, Email: x.Email,
		CreatedAt: now, AMR: x.AMR, ACR: x.ACR}
}

// externalRegistered signs the new account in with the identity: its
// first factor is done, the MFA gate applies. p is the invitation
// insertExternalAccount accepted with the account (nil for none), skipped
// the roles the acceptance did not grant.
func (h *Handler) externalRegistered(w http.ResponseWriter, r *http.Request, f *Flow, acct *storage.Account, x *externalState,
	p *invite.Pending, skipped []string) error {
	h.eventData(r, acct.ID, "external.registered", map[string]string{"provider": x.Provider, "provider_name": x.ProviderName})
	if p != nil {
		h.acceptedEvent(r, acct.ID, p.Invitation.ID, skipped)
		f.State.Invitation.Accepted = true
	}
	f.State.External = nil
	f.State.Identifier = accountName(acct)
	externalFirstFactor(&f.State, acct.ID, f.App.SelfService.External, x.Provider, x.AMR)
	f.State.Current = len(f.State.Steps)
	return h.complete(w, r, f)
}
