package selfservice

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// resetFormLifetime bounds the new-password form a spent link or code
// opens: long enough to choose a password, short enough that a page left
// open on a shared computer soon stops working.
const resetFormLifetime = 15 * time.Minute

// showResetLink answers opening a reset link with a page whose button
// posts the token: e-mail security scanners prefetch links, and a GET that
// spent the token would leave the customer a used link.
func (h *Handler) showResetLink(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	usable, err := h.secretUsable(r, purposeResetLink, q.Get("token"))
	if err != nil {
		return err
	}
	if !usable {
		return h.resetLinkInvalid(w, r)
	}
	v := View{Template: "recover", Data: &recoverData{
		Mode: "confirm", Title: "recover.reset_confirm_title", Intro: "recover.reset_confirm_intro",
		Submit: "recover.reset_confirm_submit", pageForm: pageForm{Action: h.path(resetRoute, nil),
			Hidden: map[string]string{"token": q.Get("token"), "interaction": q.Get("interaction"), "sig": q.Get("sig")}},
	}}
	var app *storage.Application
	f, err := h.loadFlow(w, r, q.Get("interaction"), q.Get("sig"), recoverSig)
	if err != nil || f.Interaction.SessionID != "" {
		f = nil
	} else {
		app = f.App
	}
	return h.renderOptionalFlow(w, r, f, app, v)
}

// openResetLink spends the posted reset link and shows the new-password
// form.
func (h *Handler) openResetLink(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	sum := sha256.Sum256([]byte(token))
	sec, err := h.store.UseOneTimeSecret(r.Context(), purposeResetLink, sum[:], h.cfg.Now().UTC())
	if errors.Is(err, storage.ErrNotFound) || token == "" {
		return h.resetLinkInvalid(w, r)
	}
	if err != nil {
		return fmt.Errorf("selfservice: use reset secret: %w", err)
	}
	d := decodeRecoveryData(sec.Data)
	app, err := h.store.GetApplication(r.Context(), d.App)
	if err != nil {
		return fmt.Errorf("selfservice: load application: %w", err)
	}
	return h.showNewPassword(w, r, sec.AccountID, d, app, nil)
}

// resetLinkInvalid explains an expired, used or unknown link and offers a
// new one when the link still names a live sign-in request.
func (h *Handler) resetLinkInvalid(w http.ResponseWriter, r *http.Request) error {
	lang := h.render.NegotiateRequest(r, "", "")
	data := &messageData{Title: "recover.link_invalid_title", Message: "recover.link_invalid"}
	// The link's query on GET, the confirmation form's fields on POST.
	var app *storage.Application
	if f, err := h.loadFlow(w, r, r.FormValue("interaction"), r.FormValue("sig"), recoverSig); err == nil && f.Interaction.SessionID == "" {
		data.LinkURL, data.LinkText = h.recoverURL(f.Interaction.ID), "recover.send_new_link"
		lang, app = f.Lang, f.App
	}
	if app == nil {
		// Expired or finished: still that application's page.
		app = h.interactionApp(r, r.FormValue("interaction"))
	}
	if err := h.render.Render(w, r, themes.Page{Template: "message", Lang: lang, Status: http.StatusBadRequest, Data: data, Branding: branding(app)}); err != nil {
		h.log.ErrorContext(r.Context(), "render", "template", "message", "err", err)
	}
	return nil
}

// showNewPassword issues the secret the new-password form posts back and
// renders the form, inside the sign-in request when it still waits.
func (h *Handler) showNewPassword(w http.ResponseWriter, r *http.Request, accountID string, d recoveryData, app *storage.Application, errs map[string]string) error {
	token, hash, err := newSecret()
	if err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	sec := &storage.OneTimeSecret{Purpose: purposeResetForm, Hash: hash, AccountID: accountID, Data: d.encode(),
		CreatedAt: now, ExpiresAt: now.Add(resetFormLifetime)}
	if err := h.store.CreateOneTimeSecret(r.Context(), sec); err != nil {
		return fmt.Errorf("selfservice: store reset form secret: %w", err)
	}
	pol, err := h.policy(r.Context(), app)
	if err != nil {
		return err
	}
	v := View{Template: "recover", Data: &recoverData{
		Mode: "password", Title: "recover.new_password_title", Submit: "recover.new_password_submit",
		MinLength: pol.PasswordPolicy.MinLength, pageForm: pageForm{Action: h.path(resetPasswordRoute, nil), Hidden: map[string]string{"token": token}},
	}}
	if len(errs) > 0 {
		v.FieldErrors, v.Status = errs, http.StatusBadRequest
	}
	return h.renderOptionalFlow(w, r, h.waitingFlow(w, r, d.Interaction), app, v)
}

// renderOptionalFlow renders inside the flow when there is one (its
// Content-Security-Policy lets the form's redirect reach the client), or
// as a stand-alone page with the application's branding.
func (h *Handler) renderOptionalFlow(w http.ResponseWriter, r *http.Request, f *Flow, app *storage.Application, v View) error {
	if f != nil {
		h.renderStep(w, r, f, v)
		return nil
	}
	if p, ok := v.Data.(formPage); ok {
		fillForm(p.form(), v)
	}
	if app == nil {
		// A link whose sign-in is over (or was started in another
		// browser) still names the application it was sent for.
		app = h.interactionApp(r, r.FormValue("interaction"))
	}
	err := h.render.Render(w, r, themes.Page{Template: v.Template, Status: v.Status, Data: v.Data, Branding: branding(app),
		Lang: h.render.NegotiateRequest(r, "", ""), Return: h.pickerReturn(r, nil, v.Data)})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render", "template", v.Template, "err", err)
	}
	return nil
}

// submitNewPassword spends the form's secret, checks the password against
// the policy (a refused one gets a fresh form secret), sets it and
// finishes the reset.
func (h *Handler) submitNewPassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sum := sha256.Sum256([]byte(r.PostFormValue("token")))
	sec, err := h.store.UseOneTimeSecret(ctx, purposeResetForm, sum[:], h.cfg.Now().UTC())
	if errors.Is(err, storage.ErrNotFound) {
		return h.resetLinkInvalid(w, r)
	}
	if err != nil {
		return fmt.Errorf("selfservice: use reset form secret: %w", err)
	}
	// An account disabled since the link was sent keeps its password: an
	// administrator who re-enables it must not find one set meanwhile.
	acct, err := h.store.GetAccount(ctx, sec.AccountID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && acct.Status == storage.AccountDisabled) {
		return h.resetLinkInvalid(w, r)
	}
	if err != nil {
		return fmt.Errorf("selfservice: load account: %w", err)
	}
	d := decodeRecoveryData(sec.Data)
	app, err := h.store.GetApplication(ctx, d.App)
	if err != nil {
		return fmt.Errorf("selfservice: load application: %w", err)
	}
	pol, err := h.policy(ctx, app)
	if err != nil {
		return err
	}
	pw := r.PostFormValue("password")
	if name, key := h.checkPassword(pol.PasswordPolicy, pw, r.PostFormValue("password_confirm")); key != "" {
		return h.showNewPassword(w, r, sec.AccountID, d, app, map[string]string{name: key})
	}
	hash, err := h.hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("selfservice: hash password: %w", err)
	}
	if err := h.store.SetPassword(ctx, sec.AccountID, hash); err != nil {
		return fmt.Errorf("selfservice: set password: %w", err)
	}
	// The account's other reset links, codes and open forms die with the
	// old password: an older link must not set another one.
	if err := storage.SpendPasswordResets(ctx, h.store, sec.AccountID, h.cfg.Now().UTC()); err != nil {
		return fmt.Errorf("selfservice: %w", err)
	}
	if err := h.claimedByReset(r, acct, d.Method != storage.MethodSMSCode); err != nil {
		return err
	}
	return h.finishReset(w, r, sec.AccountID, d, app)
}

// claimedByReset makes a reset the proof of ownership it is. A pending
// account gets reset links only at its address, so the reset proves it as
// activation would; whatever password someone registered it with is gone.
// An account whose address was confirmed at registration without proof
// (no activation step) is taken over by the first reset through the
// mailbox (byMailbox): whoever registered it loses their second factors,
// recovery codes and phone number with their password, so the owner is
// not stopped at an MFA step only they could pass, and cannot reset the
// account back by SMS.
func (h *Handler) claimedByReset(r *http.Request, acct *storage.Account, byMailbox bool) error {
	ctx := r.Context()
	if err := h.store.ActivateAccount(ctx, acct.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("selfservice: activate on reset: %w", err)
	}
	if !byMailbox || !acct.EmailUnproven {
		return nil
	}
	auths, err := h.store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return fmt.Errorf("selfservice: list authenticators: %w", err)
	}
	for _, a := range auths {
		if err := h.store.DeleteAuthenticator(ctx, acct.ID, a.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("selfservice: delete authenticator: %w", err)
		}
	}
	if _, err := h.store.DeleteOneTimeSecrets(ctx, acct.ID, purposeRecoveryCode); err != nil {
		return fmt.Errorf("selfservice: delete recovery codes: %w", err)
	}
	// And the external identities it was registered with: an upstream
	// account anyone can open with someone else's address.
	links, err := h.store.ListExternalIdentities(ctx, acct.ID)
	if err != nil {
		return fmt.Errorf("selfservice: list external identities: %w", err)
	}
	for _, x := range links {
		if err := h.store.UnlinkExternalIdentity(ctx, acct.ID, x.Provider, x.Subject); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("selfservice: unlink external identity: %w", err)
		}
	}
	// Last, so that a failure above is retried by the next reset.
	acct.Phone, acct.PhoneConfirmed, acct.EmailUnproven = "", false, false
	if err := h.store.UpdateAccountProfile(ctx, acct); err != nil {
		return fmt.Errorf("selfservice: update account: %w", err)
	}
	h.eventData(r, acct.ID, "account.claimed", map[string]string{"removed_factors": strconv.Itoa(len(auths)),
		"removed_external_identities": strconv.Itoa(len(links))})
	return nil
}

// finishReset ends the account's sessions and tokens (whoever knew the old password
// is signed out everywhere), tells the owner, and signs in when the
// request that started the reset still waits.
func (h *Handler) finishReset(w http.ResponseWriter, r *http.Request, accountID string, d recoveryData, app *storage.Application) error {
	ctx := r.Context()
	if _, err := h.sessions.EndByAccount(ctx, accountID, ""); err != nil {
		return fmt.Errorf("selfservice: end sessions: %w", err)
	}
	// And every token any client holds for the account: a refresh token
	// stolen with the old password must not outlive it.
	if _, err := h.store.RevokeTokensBySubject(ctx, accountID); err != nil {
		return fmt.Errorf("selfservice: revoke tokens: %w", err)
	}
	h.event(r, accountID, "password_reset.completed")
	acct, err := h.store.GetAccount(ctx, accountID)
	if err != nil {
		return fmt.Errorf("selfservice: load account: %w", err)
	}
	f := h.waitingFlow(w, r, d.Interaction)
	// An e-mail speaks the account's language first, then the browser's.
	lang := h.render.NegotiateRequest(r, acct.Language, "")
	if f != nil {
		lang = f.Lang
	}
	if err := h.notifyPasswordChanged(r, acct, app, lang); err != nil {
		return err
	}
	if f != nil && acct.Status == storage.AccountEnabled {
		// Codes and links sent earlier in the sign-in (a passwordless code
		// to the same mailbox) must not serve as its second factor.
		if err := h.codes.spend(ctx, accountID); err != nil {
			return err
		}
		firstFactor(&f.State, accountID, amrOf(d.Method), mailboxProof(acct, d.Method == storage.MethodSMSCode))
		f.State.Recover = ""
		f.State.Current = len(f.State.Steps)
		return h.complete(w, r, f)
	}
	h.renderMessage(w, r, lang, app, &messageData{Title: "recover.done_title", Message: "recover.done",
		LinkURL: h.accountPortalLink(acct.StoreID), LinkText: "account.sign_in_again"})
	return nil
}

// notifyPasswordChanged tells the owner by e-mail, or by SMS when the
// account has no address to write to.
func (h *Handler) notifyPasswordChanged(r *http.Request, acct *storage.Account, app *storage.Application, lang string) error {
	pol, err := h.policy(r.Context(), app)
	if err != nil {
		return err
	}
	email, phone := recoveryContacts(pol, acct)
	switch {
	case email != "":
		_, err = h.notify.Email(r.Context(), email, acct.ID, "password_changed", lang, branding(app), notify.PasswordChangedEmail{})
	case phone != "":
		_, err = h.notify.SMSFor(r.Context(), phone, acct.ID, "password_changed", lang, branding(app), nil, h.render.T(lang, "sms.password_changed", branding(app).AppName))
	}
	if err != nil {
		return fmt.Errorf("selfservice: queue password-changed notice: %w", err)
	}
	return nil
}
