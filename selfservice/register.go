package selfservice

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"

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
	Email, Password, Confirm string
	Accepted                 bool
}

// registerURL links to the registration page of the interaction; the
// signature binds it to the page, so a sign-in link does not open it.
func (h *Handler) registerURL(id string) string {
	return RegisterPath + "?" + url.Values{"interaction": {id}, "sig": {h.signer.Sign(id, "register")}}.Encode()
}

// registrationFlow loads the interaction and the policy, and refuses the
// page when the application does not offer registration.
func (h *Handler) registrationFlow(w http.ResponseWriter, r *http.Request, id, sig string) (*Flow, storage.SelfServicePolicy, bool) {
	f, err := h.loadFlow(r, id, sig, "register")
	switch {
	case errors.Is(err, errBadLink):
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil, storage.SelfServicePolicy{}, false
	case errors.Is(err, storage.ErrNotFound):
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil, storage.SelfServicePolicy{}, false
	case err != nil:
		h.serverError(w, r, err)
		return nil, storage.SelfServicePolicy{}, false
	}
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		h.serverError(w, r, err)
		return nil, pol, false
	}
	if !pol.RegistrationEnabled {
		h.errorPage(w, r, http.StatusForbidden, "register.disabled")
		return nil, pol, false
	}
	return f, pol, true
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

func (h *Handler) renderRegister(w http.ResponseWriter, r *http.Request, f *Flow, pol storage.SelfServicePolicy, form registerForm, errs map[string]string) {
	v := View{Template: "register", Data: map[string]any{
		"Email": form.Email, "Accepted": form.Accepted, "MinLength": pol.PasswordPolicy.MinLength,
		"Action": RegisterPath, "SignInURL": h.loginURL(f.Interaction.ID, nil),
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
	form := registerForm{
		Email: strings.TrimSpace(r.PostFormValue("email")), Password: r.PostFormValue("password"),
		Confirm: r.PostFormValue("password_confirm"), Accepted: r.PostFormValue("accept_terms") == "on",
	}
	errs := map[string]string{}
	if a, err := mail.ParseAddress(form.Email); err != nil || a.Address != form.Email || len(form.Email) > 320 {
		errs["email"] = "register.email_invalid"
	}
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
		h.registerExisting(w, r, f, form.Email)
	case errors.Is(err, storage.ErrConflict):
		// Without activation nobody proves the address, so an existing one
		// can only be refused: this page necessarily tells it is taken.
		h.renderRegister(w, r, f, pol, form, map[string]string{"email": "register.email_taken"})
	case err != nil:
		h.serverError(w, r, err)
	case pol.ActivationEnabled:
		h.event(r, acct.ID, "account.registered")
		if err := h.sendActivation(r, f, pol, acct); err != nil {
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
	acct := &storage.Account{StoreID: f.App.StoreID, Status: status, Email: form.Email, Language: f.Lang}
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

// registerExisting answers a registration with a taken address exactly as
// a new one, and tells the owner instead.
func (h *Handler) registerExisting(w http.ResponseWriter, r *http.Request, f *Flow, email string) {
	owner, err := h.store.FindAccountByIdentifier(r.Context(), f.App.StoreID, storage.IdentifierEmail, email)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("selfservice: find existing account: %w", err))
		return
	}
	h.event(r, owner.ID, "account.signup_attempt_existing")
	if _, err := h.notify.Email(r.Context(), owner.Email, owner.ID, "signup_attempt_existing", f.Lang,
		branding(f.App), map[string]any{}); err != nil {
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
	link := h.cfg.Issuer + ActivatePath + "?" + url.Values{"token": {token}}.Encode()
	lang, app := "", (*storage.Application)(nil)
	if f != nil {
		lang, app = f.Lang, f.App
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
