package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"foyer/selfservice/attrform"
	"foyer/selfservice/invite"
	"foyer/selfservice/notify"
	"foyer/selfservice/route"
	"foyer/storage"
)

// Registration and activation paths.
const (
	RegisterPath = "/register"
	ActivatePath = "/register/activate"
)

// purposeActivation names activation links among one-time secrets.
const purposeActivation = "activation"

// registerForm is what the registration page posted.
type registerForm struct {
	Email, Username, Phone, Password, Confirm string
	Accepted                                  bool
	Attributes                                map[string]string
}

// registerURL links to the registration page of the interaction; the
// signature binds it to the page, so a sign-in link does not open it.
func (h *Handler) registerURL(id string) string {
	return h.path(registerRoute, url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, "register")}})
}

// registrationFlow loads the interaction and the policy, and refuses the
// page when the application does not offer registration. When ok is
// false the request was answered with a page, or the error is the
// caller's to return.
func (h *Handler) registrationFlow(w http.ResponseWriter, r *http.Request, id, sig string) (_ *Flow, _ regPolicy, ok bool, _ error) {
	f, err := h.loadFlow(w, r, id, sig, "register")
	if err != nil {
		return nil, regPolicy{}, false, h.flowLoadFailed(w, r, err)
	}
	store, err := h.store.GetIdentityStore(r.Context(), f.App.StoreID)
	if err != nil {
		return nil, regPolicy{}, false, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	pol := regPolicy{SelfServicePolicy: f.App.SelfService.Effective(store), fields: fieldsFor(store)}
	// An invitation is the permission to sign up, registration or not.
	if answered, err := h.invitationSignup(w, r, f, store, &pol); answered || err != nil {
		return nil, pol, false, err
	}
	if !pol.RegistrationEnabled && pol.invitation == nil {
		h.errorPage(w, r, http.StatusForbidden, "register.disabled")
		return nil, pol, false, nil
	}
	return f, pol, true, nil
}

// regPolicy is the application's policy with the fields its identity
// store asks for.
type regPolicy struct {
	storage.SelfServicePolicy
	fields formFields
	// invitation is the flow's pending invitation (invitation_signup.go),
	// and shown the attributes its page shows (nil: fields.Attributes).
	invitation *invite.Pending
	shown      []storage.AttributeDef
	// external is the upstream identity being registered (external
	// mode: no password, the address read-only when vouched for).
	external *externalState
}

func (h *Handler) showRegister(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, pol, ok, err := h.registrationFlow(w, r, q.Get("interaction"), q.Get("sig"))
	if !ok {
		return err
	}
	if x := pendingRegistration(f); x != nil {
		pol.external = x
		return h.renderRegister(w, r, f, pol, externalForm(pol, x), nil)
	}
	// An invitee signs up as invited, even on an application where
	// "Create new account" registers a company.
	if pol.invitation != nil {
		return h.renderRegister(w, r, f, pol, invitationForm(pol.invitation), nil)
	}
	if orgOnboarding(f.App, pol.SelfServicePolicy) {
		return h.showOrgStart(w, r, f, pol.Onboarding, "", nil)
	}
	return h.renderRegister(w, r, f, pol, registerForm{}, nil)
}

func (h *Handler) renderRegister(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm, errs map[string]string) error {
	shown := pol.fields.Attributes
	if pol.shown != nil {
		shown = pol.shown
	}
	data := &registerData{
		Email: form.Email, Accepted: form.Accepted, MinLength: pol.PasswordPolicy.MinLength,
		Username: form.Username, Phone: form.Phone, ShowEmail: pol.fields.Email,
		ShowUsername: pol.fields.Username, UsernameRequired: pol.fields.UsernameRequired,
		ShowPhone: pol.fields.Phone, PhoneRequired: pol.fields.PhoneRequired,
		Attributes: attrform.ForPerson(h.attributeLabels(f.Lang, shown, form.Attributes, attrNaming)),
		SignInURL:  h.loginURL(f.Interaction.ID, nil),
		pageForm: pageForm{Action: h.path(registerRoute, nil),
			Hidden: map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, "register")}},
		Documents: requiredDocuments(f.App),
	}
	if p := pol.invitation; p != nil {
		data.Joining, data.EmailReadOnly = joining(p), p.EmailReadOnly
	}
	if x := pol.external; x != nil {
		data.ExternalProvider, data.EmailVouched = x.ProviderName, x.Verified
		data.EmailReadOnly = data.EmailReadOnly || x.Verified
	} else {
		data.External = h.externalButtons(r, f, "register")
	}
	v := View{Template: "register", Data: data}
	if len(errs) > 0 {
		v.FieldErrors, v.Status = errs, http.StatusBadRequest
	}
	h.renderStep(w, r, f, v)
	return nil
}

func (h *Handler) submitRegister(w http.ResponseWriter, r *http.Request) error {
	f, pol, ok, err := h.registrationFlow(w, r, r.PostFormValue("interaction"), r.PostFormValue("sig"))
	if !ok {
		return err
	}
	if x := pendingRegistration(f); x != nil {
		pol.external = x
		return h.submitExternalRegister(w, r, f, pol)
	}
	if pol.invitation != nil {
		return h.submitInvitation(w, r, f, pol)
	}
	if orgOnboarding(f.App, pol.SelfServicePolicy) {
		return h.submitOrgStart(w, r, f, pol.Onboarding)
	}
	form := readRegisterForm(r, pol.fields)
	errs := map[string]string{}
	checkIdentifiers(pol.fields, form, errs)
	if name, key := h.checkPassword(pol.PasswordPolicy, form.Password, form.Confirm); key != "" {
		errs[name] = key
	}
	if !form.Accepted && len(requiredDocuments(f.App)) > 0 {
		errs["accept_terms"] = "register.terms_required"
	}
	if len(errs) > 0 {
		return h.renderRegister(w, r, f, pol, form, errs)
	}
	return h.finishRegister(w, r, f, pol, form)
}

// finishRegister creates the account of a valid form and answers. With
// activation on, the page never tells whether an identifier was taken, so
// the request only hashes the password and queues the rest
// (runRegistration): a new and a taken address cost the same work.
func (h *Handler) finishRegister(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm) error {
	hash, err := h.hasher.Hash(r.Context(), form.Password)
	if err != nil {
		return fmt.Errorf("selfservice: hash password: %w", err)
	}
	if pol.ActivationEnabled {
		// The documents shown are the ones accepted, even if the policy
		// changes before the worker runs.
		p := deferredPayload{Email: form.Email, Username: form.Username, Phone: form.Phone,
			Attributes: form.Attributes, PasswordHash: hash, Accepted: acceptedConsents(f.App)}
		f.State.Registered = form.Email
		if err := h.saveFlow(r, f); err != nil {
			return err
		}
		if err := h.deferRequest(r, f, deferredRegistration, p); err != nil {
			return err
		}
		return h.checkEmailPage(w, r, f, form.Email)
	}
	acct, err := h.createAccount(r, f, form, hash)
	switch {
	case errors.Is(err, storage.ErrConflict):
		// Without activation nobody proves the address, so a taken
		// identifier can only be refused: the page necessarily tells it.
		return h.registerTaken(w, r, f, pol, form)
	case err != nil:
		return err
	}
	h.event(r, acct.ID, "account.registered")
	firstFactor(&f.State, acct.ID, amrPassword, "")
	f.State.Current = len(f.State.Steps)
	return h.complete(w, r, f)
}

// createAccount creates an enabled account, its password and its consent
// records in one transaction, so a failure leaves no half-made account.
func (h *Handler) createAccount(r *http.Request, f *Flow, form registerForm, hash string) (_ *storage.Account, err error) {
	ctx, err := h.store.BeginTx(r.Context())
	if err != nil {
		return nil, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(ctx)
		}
	}()
	acct, err := h.insertAccount(ctx, f.App.StoreID, f.Lang, form, hash, storage.AccountEnabled, acceptedConsents(f.App))
	if err != nil {
		return nil, err
	}
	if err := h.store.Commit(ctx); err != nil {
		return nil, fmt.Errorf("selfservice: commit: %w", err)
	}
	return acct, nil
}

// insertAccount writes the account, its password and the acceptance of
// the documents the registration page showed, in the transaction in ctx.
func (h *Handler) insertAccount(ctx context.Context, storeID, lang string, form registerForm, hash string, status storage.AccountStatus,
	accepted []acceptedConsent) (*storage.Account, error) {
	// An account enabled at registration has no activation step, and then
	// the e-mail identifier counts as confirmed from registration (seeds
	// 000 and 002); a pending one is confirmed by its activation link. A
	// squatter gains nothing by it: a reset through the address takes the
	// account over (submitNewPassword, finishReset).
	acct := &storage.Account{StoreID: storeID, Status: status, Email: form.Email, Username: form.Username,
		Phone: form.Phone, Attributes: form.Attributes, Language: lang,
		EmailConfirmed: status == storage.AccountEnabled && form.Email != "",
		EmailUnproven:  status == storage.AccountEnabled && form.Email != ""}
	if err := h.storeAccount(ctx, acct, hash, accepted); err != nil {
		return nil, err
	}
	return acct, nil
}

// storeAccount writes the account, its password and the acceptance of
// the documents the registration page showed, in the transaction in ctx.
func (h *Handler) storeAccount(ctx context.Context, acct *storage.Account, hash string, accepted []acceptedConsent) error {
	if err := h.store.CreateAccount(ctx, acct); err != nil {
		return fmt.Errorf("selfservice: create account: %w", err)
	}
	return h.setPasswordAndConsents(ctx, acct.ID, hash, accepted)
}

// setPasswordAndConsents writes a new account's password and the
// acceptance of the documents its registration page showed.
// An account registered with an external identity has no password ("").
func (h *Handler) setPasswordAndConsents(ctx context.Context, accountID, hash string, accepted []acceptedConsent) error {
	if hash != "" {
		if err := h.store.SetPassword(ctx, accountID, hash); err != nil {
			return fmt.Errorf("selfservice: set password: %w", err)
		}
	}
	now := h.cfg.Now().UTC()
	for _, d := range accepted {
		rec := &storage.ConsentRecord{AccountID: accountID, Consent: d.Name, Version: d.Version, GrantedAt: now}
		if err := h.store.RecordConsent(ctx, rec); err != nil {
			return fmt.Errorf("selfservice: record consent: %w", err)
		}
	}
	return nil
}

// consentDocument is a document of the consent policy as the registration
// page names it: its title, or the theme's text for its name.
type consentDocument struct {
	Label, URL string
}

// acceptedConsent is a document a registration accepted, as shown.
type acceptedConsent struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// acceptedConsents are the required documents of the application's
// consent policy, in their current versions: what the registration page
// shows and its checkbox accepts.
func acceptedConsents(app *storage.Application) []acceptedConsent {
	var out []acceptedConsent
	for _, d := range storage.ConsentPolicyOf(app) {
		if d.Required {
			out = append(out, acceptedConsent{Name: d.Name, Version: d.Version})
		}
	}
	return out
}

// requiredDocuments are the documents of the application's consent policy
// that a registration accepts (one checkbox for all of them).
func requiredDocuments(app *storage.Application) []consentDocument {
	var out []consentDocument
	for _, d := range storage.ConsentPolicyOf(app) {
		if !d.Required {
			continue
		}
		label := d.Title
		if label == "" {
			label = "account.consent." + d.Name
		}
		out = append(out, consentDocument{Label: label, URL: d.URL})
	}
	return out
}

// registerTaken shows which identifiers are taken, next to their fields.
func (h *Handler) registerTaken(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm) error {
	errs, err := h.takenFields(r.Context(), f.App.StoreID, form)
	if err != nil {
		return err
	}
	if len(errs) == 0 { // taken by a registration that was deleted since
		errs["email"] = "register.email_taken"
	}
	return h.renderRegister(w, r, f, pol, form, errs)
}

// purposeSignupAttempt throttles "someone tried to sign up" mails
// (runRegistration); no secret has this purpose, so the throttle's claim
// alone holds them back until it expires and the cleanup removes it.
const purposeSignupAttempt = "signup_attempt"

// portalSignInLink is a link that starts a sign-in at the client's brand
// portal with the address pre-filled (authz's /oauth2/initiate, which
// builds the portal URL); when the client has no brand portal, the
// account portal of the account's identity store (Foyer's sign-in pages
// exist only inside an authorization request, and the portal starts one
// with its "Forgot your password?"), or empty when the store has none.
func (h *Handler) portalSignInLink(c *storage.Client, owner *storage.Account) string {
	email := owner.Email
	if brandPortal(c) == "" {
		return h.accountPortalLink(owner.StoreID)
	}
	return h.cfg.Issuer + h.routes.Path(route.Initiate, url.Values{"client_id": {c.ID}, "login_hint": {email}})
}

// brandPortal is the client's initiate_login_uri when browsers may be sent
// there: a self-registered client is no portal the operator vouched for
// (authz's /oauth2/initiate refuses it too).
func brandPortal(c *storage.Client) string {
	if c.RegistrationTokenHash != nil {
		return ""
	}
	return c.InitiateLoginURI
}

// sendActivation stores a new activation secret and queues the link for
// the flow's interaction.
func (h *Handler) sendActivation(r *http.Request, f *Flow, pol storage.SelfServicePolicy, acct *storage.Account) error {
	return h.issueActivation(r.Context(), f.Interaction.ID, f.Lang, f.App, pol, acct)
}

// issueActivation stores a new activation secret and queues the link,
// in the transaction ctx may carry.
func (h *Handler) issueActivation(ctx context.Context, interactionID, lang string, app *storage.Application, pol storage.SelfServicePolicy, acct *storage.Account) error {
	token, hash, err := newSecret()
	if err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	secret := &storage.OneTimeSecret{Purpose: purposeActivation, Hash: hash, AccountID: acct.ID, Data: interactionID,
		CreatedAt: now, ExpiresAt: now.Add(pol.ActivationLinkLifetime)}
	if err := h.store.CreateOneTimeSecret(ctx, secret); err != nil {
		return fmt.Errorf("selfservice: store activation secret: %w", err)
	}
	// The token leads, as in links already sent; the signed interaction
	// lets the confirmation page allow the redirect to its client.
	link := h.cfg.Issuer + h.path(activateRoute, url.Values{"token": {token}}) +
		"&" + url.Values{"interaction": {interactionID}, "sig": {h.signer.Sign(interactionID, activateSig)}}.Encode()
	_, err = h.notify.Email(ctx, acct.Email, acct.ID, "activation", lang, branding(app),
		notify.ActivationEmail{Link: link, Minutes: int(pol.ActivationLinkLifetime.Minutes())})
	if err != nil {
		return fmt.Errorf("selfservice: queue activation mail: %w", err)
	}
	return nil
}

// checkEmailPage is the answer to every registration with activation on:
// it names the address typed and carries nothing that depends on whether
// an account has it. A new link is had with its "Send again" button
// (sendagain.go), or by signing in with the password chosen (the
// sign-in's "send a new activation link", with its limits).
func (h *Handler) checkEmailPage(w http.ResponseWriter, r *http.Request, f *Flow, email string) error {
	return h.renderCheckEmail(w, r, f, email, "")
}

// renderCheckEmail is checkEmailPage with a notice; the button is there
// when the interaction registered this address (not for an invitation's
// or an organization's registration, whose jobs differ).
func (h *Handler) renderCheckEmail(w http.ResponseWriter, r *http.Request, f *Flow, email, notice string) error {
	data := &messageData{
		Title: "register.check_email_title", Message: "register.check_email", SentTo: email, Notice: notice,
		Hint: "register.check_email_resend", LinkURL: f.URL(url.Values{"restart": {"1"}}), LinkText: "login.title"}
	if f.State.Registered != "" && f.State.Registered == email {
		data.ResendAction = h.path(registerSendAgainRoute, nil)
		data.ResendHidden = map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, registerSendAgainSig)}
	}
	h.renderStep(w, r, f, View{Template: "message", Data: data})
	return nil
}
