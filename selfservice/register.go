package selfservice

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"foyer/storage"
)

// Registration and activation paths.
const (
	RegisterPath = "/register"
	ActivatePath = "/register/activate"
)

// purposeActivation names activation links among one-time secrets.
const purposeActivation = "activation"

// consentVersion is the version of the terms of service and privacy policy
// a registration accepts. Applications do not version their documents yet,
// so every acceptance is of version 1.
const consentVersion = "1"

// registerForm is what the registration page posted.
type registerForm struct {
	Email, Username, Phone, Password, Confirm string
	Accepted                                  bool
	Attributes                                map[string]string
}

// registerURL links to the registration page of the interaction; the
// signature binds it to the page, so a sign-in link does not open it.
func (h *Handler) registerURL(id string) string {
	return RegisterPath + "?" + url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, "register")}}.Encode()
}

// registrationFlow loads the interaction and the policy, and refuses the
// page when the application does not offer registration.
func (h *Handler) registrationFlow(w http.ResponseWriter, r *http.Request, id, sig string) (*Flow, regPolicy, bool) {
	f, err := h.loadFlow(r, id, sig, "register")
	switch {
	case errors.Is(err, errBadLink):
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil, regPolicy{}, false
	case errors.Is(err, storage.ErrNotFound):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil, regPolicy{}, false
	case err != nil:
		h.serverError(w, r, err)
		return nil, regPolicy{}, false
	}
	store, err := h.store.GetIdentityStore(r.Context(), f.App.StoreID)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("selfservice: load identity store: %w", err))
		return nil, regPolicy{}, false
	}
	pol := regPolicy{SelfServicePolicy: f.App.SelfService.Effective(store), fields: fieldsFor(store)}
	if !pol.RegistrationEnabled {
		h.errorPage(w, r, http.StatusForbidden, "register.disabled")
		return nil, pol, false
	}
	return f, pol, true
}

// regPolicy is the application's policy with the fields its identity
// store asks for.
type regPolicy struct {
	storage.SelfServicePolicy
	fields formFields
}

func (h *Handler) policy(ctx context.Context, app *storage.Application) (storage.SelfServicePolicy, error) {
	store, err := h.store.GetIdentityStore(ctx, app.StoreID)
	if err != nil {
		return storage.SelfServicePolicy{}, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	return app.SelfService.Effective(store), nil
}

func (h *Handler) showRegister(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, pol, ok := h.registrationFlow(w, r, q.Get("interaction"), q.Get("sig"))
	if !ok {
		return
	}
	h.renderRegister(w, r, f, pol, registerForm{}, nil)
}

func (h *Handler) renderRegister(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm, errs map[string]string) {
	v := View{Template: "register", Data: map[string]any{
		"Email": form.Email, "Accepted": form.Accepted, "MinLength": pol.PasswordPolicy.MinLength,
		"Username": form.Username, "Phone": form.Phone, "ShowEmail": pol.fields.Email,
		"ShowUsername": pol.fields.Username, "UsernameRequired": pol.fields.UsernameRequired,
		"ShowPhone": pol.fields.Phone, "PhoneRequired": pol.fields.PhoneRequired,
		"Attributes": h.attributeLabels(f.Lang, pol.fields.Attributes, form.Attributes),
		"Action":     RegisterPath, "SignInURL": h.loginURL(f.Interaction.ID, nil),
		"Hidden": map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, "register")},
	}}
	if len(errs) > 0 {
		v.FieldErrors, v.Status = errs, http.StatusBadRequest
	}
	h.renderStep(w, r, f, v)
}

func (h *Handler) submitRegister(w http.ResponseWriter, r *http.Request) {
	f, pol, ok := h.registrationFlow(w, r, r.PostFormValue("interaction"), r.PostFormValue("sig"))
	if !ok {
		return
	}
	form := readRegisterForm(r, pol.fields)
	errs := map[string]string{}
	checkIdentifiers(pol.fields, form, errs)
	if key := checkPassword(pol.PasswordPolicy, h.common, form.Password, form.Confirm); key != "" {
		errs["password"] = key
	}
	if !form.Accepted {
		errs["accept_terms"] = "register.terms_required"
	}
	if len(errs) > 0 {
		h.renderRegister(w, r, f, pol, form, errs)
		return
	}
	h.finishRegister(w, r, f, pol, form)
}

// finishRegister creates the account of a valid form and answers.
func (h *Handler) finishRegister(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm) {
	// Hash before looking the address up: both answers cost the same.
	hash, err := h.hasher.Hash(r.Context(), form.Password)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("selfservice: hash password: %w", err))
		return
	}
	status := storage.AccountEnabled
	if pol.ActivationEnabled {
		status = storage.AccountPending
	}
	acct, err := h.createAccount(r, f, form, hash, status)
	switch {
	case errors.Is(err, storage.ErrConflict) && pol.ActivationEnabled:
		h.registerExisting(w, r, f, form)
	case errors.Is(err, storage.ErrConflict):
		// Without activation nobody proves the address, so a taken
		// identifier can only be refused: the page necessarily tells it.
		h.registerTaken(w, r, f, pol, form)
	case err != nil:
		h.serverError(w, r, err)
	case pol.ActivationEnabled:
		h.event(r, acct.ID, "account.registered")
		if err := h.sendActivation(r, f, pol.SelfServicePolicy, acct); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.checkEmailPage(w, r, f)
	default:
		h.event(r, acct.ID, "account.registered")
		f.State.AccountID, f.State.AMR = acct.ID, []string{"pwd"}
		f.State.Current = len(f.State.Steps)
		h.complete(w, r, f)
	}
}

// createAccount creates the account, its password and its consent
// records in one transaction, so a failure leaves no half-made account.
func (h *Handler) createAccount(r *http.Request, f *Flow, form registerForm, hash string, status storage.AccountStatus) (_ *storage.Account, err error) {
	ctx, err := h.store.BeginTx(r.Context())
	if err != nil {
		return nil, fmt.Errorf("selfservice: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = h.store.Rollback(ctx)
		}
	}()
	acct := &storage.Account{StoreID: f.App.StoreID, Status: status, Email: form.Email, Username: form.Username,
		Phone: form.Phone, Attributes: form.Attributes, Language: f.Lang}
	if err := h.store.CreateAccount(ctx, acct); err != nil {
		return nil, fmt.Errorf("selfservice: create account: %w", err)
	}
	if err := h.store.SetPassword(ctx, acct.ID, hash); err != nil {
		return nil, fmt.Errorf("selfservice: set password: %w", err)
	}
	now := h.cfg.Now().UTC()
	for _, c := range []string{"terms_of_service", "privacy_policy"} {
		rec := &storage.ConsentRecord{AccountID: acct.ID, Consent: c, Version: consentVersion, GrantedAt: now}
		if err := h.store.RecordConsent(ctx, rec); err != nil {
			return nil, fmt.Errorf("selfservice: record consent: %w", err)
		}
	}
	if err := h.store.Commit(ctx); err != nil {
		return nil, fmt.Errorf("selfservice: commit: %w", err)
	}
	return acct, nil
}

// registerTaken shows which identifiers are taken, next to their fields.
func (h *Handler) registerTaken(w http.ResponseWriter, r *http.Request, f *Flow, pol regPolicy, form registerForm) {
	errs, err := h.takenFields(r.Context(), f.App.StoreID, form)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if len(errs) == 0 { // taken by a registration that was deleted since
		errs["email"] = "register.email_taken"
	}
	h.renderRegister(w, r, f, pol, form, errs)
}

// registerExisting answers a registration with a taken identifier exactly
// as a new one. Only the typed address is written to: its account's owner
// learns someone tried to sign up; when the address is free (the username
// or phone number is taken) its owner, the registrant, learns to choose
// another. The holder of the username or phone is never told.
// purposeSignupAttempt throttles "someone tried to sign up" mails; no
// secret has this purpose, so the throttle's claim alone holds them back
// until it expires and the cleanup removes it.
const (
	purposeSignupAttempt  = "signup_attempt"
	signupAttemptInterval = 10 * time.Minute
)

func (h *Handler) registerExisting(w http.ResponseWriter, r *http.Request, f *Flow, form registerForm) {
	owner, err := h.store.FindAccountByIdentifier(r.Context(), f.App.StoreID, storage.IdentifierEmail, form.Email)
	if errors.Is(err, storage.ErrNotFound) {
		h.registerIdentifierTaken(w, r, f, form.Email)
		return
	}
	if err != nil {
		h.serverError(w, r, fmt.Errorf("selfservice: find existing account: %w", err))
		return
	}
	// Anyone can type the owner's address again and again: tell the owner
	// at most once per signupAttemptInterval (same page either way).
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pol.ReRequestInterval = max(pol.ReRequestInterval, signupAttemptInterval)
	held, err := h.throttled(r.Context(), pol, owner.ID, purposeSignupAttempt, "email")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !held {
		h.event(r, owner.ID, "account.signup_attempt_existing")
		if _, err := h.notify.Email(r.Context(), owner.Email, owner.ID, "signup_attempt_existing", f.Lang,
			branding(f.App), map[string]any{"Link": h.portalSignInLink(f.Client, owner.Email)}); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.checkEmailPage(w, r, f)
}

// portalSignInLink is a link that starts a sign-in at the client's brand
// portal with the address pre-filled (authz's /oauth2/initiate, which
// builds the portal URL), or empty when the client has no portal: Foyer's
// sign-in pages exist only inside an authorization request.
func (h *Handler) portalSignInLink(c *storage.Client, email string) string {
	if brandPortal(c) == "" {
		return ""
	}
	return h.cfg.Issuer + "/oauth2/initiate?" + url.Values{"client_id": {c.ID}, "login_hint": {email}}.Encode()
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

// registerIdentifierTaken tells the registrant, at the address only they
// can read, that their username or phone number is in use.
func (h *Handler) registerIdentifierTaken(w http.ResponseWriter, r *http.Request, f *Flow, email string) {
	if _, err := h.notify.Email(r.Context(), email, "", "notice", f.Lang, branding(f.App), map[string]any{
		"Title": "email.signup_identifier_taken.title", "Paragraphs": "email.signup_identifier_taken.body",
	}); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.checkEmailPage(w, r, f)
}

// sendActivation stores a new activation secret and queues the link.
func (h *Handler) sendActivation(r *http.Request, f *Flow, pol storage.SelfServicePolicy, acct *storage.Account) error {
	token, hash, err := newSecret()
	if err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	data := ""
	if f != nil {
		data = f.Interaction.ID
	}
	secret := &storage.OneTimeSecret{Purpose: purposeActivation, Hash: hash, AccountID: acct.ID, Data: data,
		CreatedAt: now, ExpiresAt: now.Add(pol.ActivationLinkLifetime)}
	if err := h.store.CreateOneTimeSecret(r.Context(), secret); err != nil {
		return fmt.Errorf("selfservice: store activation secret: %w", err)
	}
	// The token leads, as in links already sent; the signed interaction
	// lets the confirmation page allow the redirect to its client.
	link := h.cfg.Issuer + ActivatePath + "?" + url.Values{"token": {token}}.Encode()
	lang, app := "", (*storage.Application)(nil)
	if f != nil {
		lang, app = f.Lang, f.App
		link += "&" + url.Values{"interaction": {f.Interaction.ID}, "sig": {h.signer.Sign(f.Interaction.ID, activateSig)}}.Encode()
	}
	_, err = h.notify.Email(r.Context(), acct.Email, acct.ID, "activation", lang, branding(app),
		map[string]any{"Link": link, "Minutes": int(pol.ActivationLinkLifetime.Minutes())})
	if err != nil {
		return fmt.Errorf("selfservice: queue activation mail: %w", err)
	}
	return nil
}

// checkEmailPage is the answer to every registration with activation on:
// it carries nothing that depends on the address.
func (h *Handler) checkEmailPage(w http.ResponseWriter, r *http.Request, f *Flow) {
	h.renderStep(w, r, f, View{Template: "message", Data: map[string]any{
		"Title": "register.check_email_title", "Message": "register.check_email"}})
}

// newSecret returns a random URL-safe secret and its SHA-256.
func newSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("selfservice: random: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	return token, sum[:], nil
}
