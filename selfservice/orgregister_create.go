package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"foyer/selfservice/partnerlookup"
	"foyer/storage"
)

// Errors of the registration's transaction that the page answers with a
// field error; nothing was created.
var (
	errOrgNameTaken       = errors.New("selfservice: organization name taken")
	errPartnerCodeInvalid = errors.New("selfservice: partner code not valid")
	errPartnerUnavailable = errors.New("selfservice: partner code could not be checked")
)

// submitOrgRegister checks the page, creates the organization (or joins
// the partner) with its first member in one transaction, and signs the
// member in.
func (h *Handler) submitOrgRegister(w http.ResponseWriter, r *http.Request) error {
	reg, ok, err := h.loadOrgRegistration(w, r, r.PostFormValue("token"), r.PostFormValue("partner") == "1")
	if !ok {
		return err
	}
	form := readOrgForm(r, reg)
	if errs := h.checkOrgForm(reg, form); len(errs) > 0 {
		return h.renderOrgRegister(w, r, reg, form, errs, 0)
	}
	if reg.partner {
		if wait, err := h.partnerCodeThrottled(r, reg); err != nil {
			return err
		} else if wait > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())))
			return h.renderOrgRegister(w, r, reg, form, map[string]string{"partner_code": "org_register.code_throttled"}, http.StatusTooManyRequests)
		}
	}
	hash, err := h.hasher.Hash(r.Context(), form.Password)
	if err != nil {
		return fmt.Errorf("selfservice: hash password: %w", err)
	}
	acct, org, err := h.registerOrganization(r.Context(), reg, form, hash)
	if field, key := orgFieldError(err); key != "" {
		return h.renderOrgRegister(w, r, reg, form, map[string]string{field: key}, 0)
	}
	if errors.Is(err, storage.ErrConflict) {
		return h.orgIdentifierTaken(w, r, reg, form)
	}
	if err != nil {
		return err
	}
	kind := "organization.registered"
	if org.Partner {
		kind = "organization.partner_joined"
	}
	h.eventData(r, acct.ID, kind, map[string]string{"organization": org.ID})
	return h.finishOrgRegister(w, r, reg, acct)
}

// orgFieldError is the field and message of an error the page shows next
// to a field, or "" for any other.
func orgFieldError(err error) (field, key string) {
	switch {
	case errors.Is(err, errOrgNameTaken):
		return "organization_name", "org_register.name_taken"
	case errors.Is(err, errPartnerCodeInvalid):
		return "partner_code", "org_register.code_invalid"
	case errors.Is(err, errPartnerUnavailable):
		return "partner_code", "org_register.code_unavailable"
	}
	return "", ""
}

// orgIdentifierTaken answers a username or phone number another account
// holds; the link's address taken meanwhile means the link was used.
func (h *Handler) orgIdentifierTaken(w http.ResponseWriter, r *http.Request, reg *orgRegistration, form orgForm) error {
	errs, err := h.takenFields(r.Context(), reg.app.StoreID, form.registerForm)
	if err != nil {
		return err
	}
	if _, taken := errs["email"]; taken || len(errs) == 0 {
		h.errorPage(w, r, http.StatusBadRequest, "org_register.link_used")
		return nil
	}
	return h.renderOrgRegister(w, r, reg, form, errs, 0)
}

// registerOrganization runs the registration's transaction; for a partner
// code Foyer does not know it asks the application's partner lookup
// webhook (outside any transaction: it is a network call) and tries again
// with the partner's details.
func (h *Handler) registerOrganization(ctx context.Context, reg *orgRegistration, form orgForm, hash string) (*storage.Account, *storage.Organization, error) {
	acct, org, err := h.registerOrganizationTx(ctx, reg, form, hash, nil)
	if !reg.partner || !errors.Is(err, errPartnerCodeInvalid) {
		return acct, org, err
	}
	details, err := h.lookupPartner(ctx, reg.app.ID, form.PartnerCode)
	switch {
	case errors.Is(err, partnerlookup.ErrPartnerUnknown):
		return nil, nil, errPartnerCodeInvalid
	case err != nil:
		return nil, nil, err
	}
	return h.registerOrganizationTx(ctx, reg, form, hash, details)
}

// registerOrganizationTx creates, in one transaction, the organization
// (or redeems the partner code), the enabled account with its address
// confirmed (the link proved it), its password and consents, its
// membership and its role there: a failure leaves nothing behind, a
// redeemed code's use included.
func (h *Handler) registerOrganizationTx(ctx context.Context, reg *orgRegistration, form orgForm, hash string,
	details *partnerlookup.PartnerDetails) (_ *storage.Account, _ *storage.Organization, err error) {
	tx, err := h.store.BeginTx(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(tx)
		}
	}()
	var org *storage.Organization
	if reg.partner {
		org, err = h.partnerOrganization(tx, reg, form.PartnerCode, details)
	} else {
		org, err = h.newCustomerOrganization(tx, reg, form)
	}
	if err != nil {
		return nil, nil, err
	}
	acct := &storage.Account{StoreID: reg.app.StoreID, Status: storage.AccountEnabled, Email: form.Email, EmailConfirmed: true,
		Username: form.Username, Phone: form.Phone, Attributes: form.Attributes, Language: reg.lang}
	if err := h.store.CreateAccount(tx, acct); err != nil {
		return nil, nil, fmt.Errorf("selfservice: create account: %w", err)
	}
	if err := h.setPasswordAndConsents(tx, acct.ID, hash, acceptedConsents(reg.app)); err != nil {
		return nil, nil, err
	}
	if err := h.joinOrganization(tx, acct, org.ID, reg.roleID); err != nil {
		return nil, nil, err
	}
	if err := h.store.Commit(tx); err != nil {
		return nil, nil, fmt.Errorf("selfservice: commit: %w", err)
	}
	return acct, org, nil
}

// newCustomerOrganization creates the customer's organization; a name
// the store has already is errOrgNameTaken.
func (h *Handler) newCustomerOrganization(tx context.Context, reg *orgRegistration, form orgForm) (*storage.Organization, error) {
	org := &storage.Organization{StoreID: reg.app.StoreID, Name: form.OrganizationName, Attributes: form.OrgAttributes}
	err := h.store.CreateOrganization(tx, org)
	switch {
	case errors.Is(err, storage.ErrConflict):
		return nil, errOrgNameTaken
	case err != nil:
		return nil, fmt.Errorf("selfservice: create organization: %w", err)
	}
	return org, nil
}

// joinOrganization makes the account a member of the organization with
// the role ("members are the accounts with a role in it").
func (h *Handler) joinOrganization(tx context.Context, acct *storage.Account, orgID, roleID string) error {
	m := &storage.OrganizationMember{OrganizationID: orgID, AccountID: acct.ID, StoreID: acct.StoreID}
	if err := h.store.AddOrganizationMember(tx, m); err != nil {
		return fmt.Errorf("selfservice: add member: %w", err)
	}
	pair := &storage.AccountRole{AccountID: acct.ID, StoreID: acct.StoreID, OrganizationID: orgID, RoleID: roleID}
	if err := h.store.AssignAccountRole(tx, pair); err != nil {
		return fmt.Errorf("selfservice: assign role: %w", err)
	}
	return nil
}

// finishOrgRegister continues the sign-in that asked for the registration
// when this browser still has it waiting; otherwise it says the account
// exists and where to sign in.
func (h *Handler) finishOrgRegister(w http.ResponseWriter, r *http.Request, reg *orgRegistration, acct *storage.Account) error {
	if f := reg.flow; f != nil {
		firstFactor(&f.State, acct.ID, amrPassword, mailboxProof(acct, false))
		f.State.Current = len(f.State.Steps)
		return h.complete(w, r, f)
	}
	link, text := h.portalSignInLink(reg.client, acct), "org_register.sign_in"
	if link == "" {
		text = ""
	}
	return h.renderOrg(w, r, reg, View{Template: "message", Data: &messageData{
		Title: "org_register.done_title", Message: "org_register.done", LinkURL: link, LinkText: text}})
}
