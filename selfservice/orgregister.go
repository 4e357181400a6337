package selfservice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"foyer/selfservice/notify"
	"foyer/selfservice/regulate"
	"foyer/storage"
)

// Registering organizations (seed 003). On an organizational application
// whose onboarding policy offers it, "Create new account" asks for the
// e-mail address first (this file); the message's link opens the full
// registration page (orgregister_form.go), which creates the organization
// or joins a partner (orgregister_create.go, orgregister_partner.go).

// OrgRegisterPath is the page the registration link of an organization
// leads to.
const OrgRegisterPath = "/register/organization"

const (
	// deferredOrgRegistration sends the registration link, or tells the
	// owner of a taken address, behind the same page (no enumeration).
	deferredOrgRegistration = "org_registration"
	// orgLinkPurpose seals registration links.
	orgLinkPurpose = "org-register"
)

// orgOnboarding reports whether registration on the application registers
// organizations rather than lone accounts.
func orgOnboarding(app *storage.Application, pol storage.SelfServicePolicy) bool {
	return app.Organizational && (pol.Onboarding.CustomerRegistration || pol.Onboarding.PartnerRegistration)
}

// orgLink is what a registration link carries, sealed (HMAC with expiry):
// no row is needed before the address is proven, and the account the
// link creates makes it unusable after (its address is then taken).
type orgLink struct {
	Email       string `json:"e"`
	App         string `json:"a"`
	Client      string `json:"c"`
	Interaction string `json:"i"`
	Lang        string `json:"l,omitempty"`
}

// orgStartData is org_register_start.html's: the address to send the
// registration link to.
type orgStartData struct {
	pageForm
	Email     string
	SignInURL string
}

// orgConfigured reports whether a kind of registration the policy offers
// has the role its first member gets; without one the operator has not
// finished the set-up, and no customer should get a link that cannot work.
func orgConfigured(on storage.Onboarding) bool {
	return (on.CustomerRegistration && on.NewOrganizationRoleID != "") || (on.PartnerRegistration && on.PartnerRoleID != "")
}

// showOrgStart is the registration page of an organizational application:
// the address first.
func (h *Handler) showOrgStart(w http.ResponseWriter, r *http.Request, f *Flow, on storage.Onboarding, email string, errs map[string]string) error {
	if !orgConfigured(on) {
		h.errorPage(w, r, http.StatusServiceUnavailable, "org_register.not_configured")
		return nil
	}
	v := View{Template: "org_register_start", Data: &orgStartData{Email: email, SignInURL: h.loginURL(f.Interaction.ID, nil),
		pageForm: pageForm{Action: h.path(registerRoute, nil),
			Hidden: map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, "register")}}}}
	if len(errs) > 0 {
		v.FieldErrors, v.Status = errs, http.StatusBadRequest
	}
	h.renderStep(w, r, f, v)
	return nil
}

// submitOrgStart queues the link and answers the same page for every
// valid address: whether it is taken is the worker's business.
func (h *Handler) submitOrgStart(w http.ResponseWriter, r *http.Request, f *Flow, on storage.Onboarding) error {
	email := storage.CleanIdentifier(storage.IdentifierEmail, r.PostFormValue("email"))
	if !orgConfigured(on) || !storage.ValidEmail(email) {
		return h.showOrgStart(w, r, f, on, email, map[string]string{"email": "register.email_invalid"})
	}
	if err := h.deferRequest(r, f, deferredOrgRegistration, deferredPayload{Email: email}); err != nil {
		return err
	}
	return h.checkEmailPage(w, r, f, email)
}

// runOrgRegistration mails the registration link to a free address, or
// the "someone tried to sign up" notice to the owner of a taken one
// (registerExisting). Links to one address are throttled in the database
// (regulate.OrganizationSignupLink) and count against the send caps.
func (h *Handler) runOrgRegistration(ctx context.Context, j *deferredJob) error {
	_, err := h.store.FindAccountByIdentifier(ctx, j.app.StoreID, storage.IdentifierEmail, j.p.Email)
	switch {
	case err == nil:
		return h.registerExisting(ctx, j)
	case !errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("selfservice: find account: %w", err)
	}
	now := h.cfg.Now().UTC()
	_, err = h.inTx(ctx, j, func(tx context.Context) error {
		v, err := h.limits.Attempt(tx, regulate.OrganizationSignupLink.Key(j.p.Email), now)
		if err != nil {
			return fmt.Errorf("selfservice: count registration links: %w", err)
		}
		if v.Exceeded() {
			return errHeld
		}
		if capped, err := h.sendCapped(tx, j.p.IP, addressKey(j.p.Email), "email"); err != nil {
			return err
		} else if capped {
			return errHeld
		}
		link, err := h.orgRegisterLink(j)
		if err != nil {
			return err
		}
		_, err = h.notify.Email(tx, j.p.Email, "", "organization_signup", j.p.Lang, branding(j.app),
			notify.ActivationEmail{Link: link, Minutes: int(j.pol.ActivationLinkLifetime.Minutes())})
		return err
	})
	if errors.Is(err, errHeld) {
		return h.deferredDone(ctx, j)
	}
	return err
}

// addressKey names an address among the send caps' recipients without
// storing it.
func addressKey(email string) string {
	sum := sha256.Sum256([]byte("org-signup\x00" + strings.ToLower(email)))
	return "address:" + hex.EncodeToString(sum[:])
}

// orgRegisterLink is the sealed link to the registration page, valid for
// the policy's activation link lifetime.
func (h *Handler) orgRegisterLink(j *deferredJob) (string, error) {
	raw, err := json.Marshal(orgLink{Email: j.p.Email, App: j.app.ID, Client: j.client.ID, Interaction: j.p.Interaction, Lang: j.p.Lang})
	if err != nil {
		return "", fmt.Errorf("selfservice: encode registration link: %w", err)
	}
	token := h.signer.SealUntil(orgLinkPurpose, string(raw), h.cfg.Now().Add(j.pol.ActivationLinkLifetime))
	return h.cfg.Issuer + h.path(orgRegisterRoute, url.Values{"token": {token}}), nil
}
