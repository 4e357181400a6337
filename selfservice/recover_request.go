package selfservice

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"foyer/storage"
)

func (h *Handler) showRecover(w http.ResponseWriter, r *http.Request) {
	f, pol, ok := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return
	}
	h.renderRecoverForm(w, r, f, pol, View{})
}

func (h *Handler) renderRecoverForm(w http.ResponseWriter, r *http.Request, f *Flow, pol storage.SelfServicePolicy, v View) {
	links := []map[string]string{{"URL": h.loginURL(f.Interaction.ID, nil), "Text": "recover.back_to_sign_in"}}
	if store, err := h.store.GetIdentityStore(r.Context(), f.App.StoreID); err == nil && reminderAllowed(pol, store) {
		links = append(links, map[string]string{"URL": h.reminderURL(f.Interaction.ID, nil), "Text": "recover.forgot_username"})
	}
	v.Template = "recover"
	v.Data = map[string]any{
		"Mode": "field", "Title": "recover.title", "Intro": "recover.intro", "Submit": "recover.submit",
		"Field": "identifier", "Label": "login.identifier_label", "InputType": "text", "Autocomplete": "username",
		"Action": RecoverPath, "Hidden": h.recoverHidden(f), "Links": links,
	}
	h.renderStep(w, r, f, v)
}

// submitRecover answers every identifier with the same page: whether an
// account matched, which contacts it has and whether the throttle held a
// message back are told to nobody but the account's own inbox or phone.
func (h *Handler) submitRecover(w http.ResponseWriter, r *http.Request) {
	f, pol, ok := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return
	}
	typed := strings.TrimSpace(r.PostFormValue("identifier"))
	if typed == "" || len(typed) > 320 {
		h.renderRecoverForm(w, r, f, pol, View{Status: http.StatusBadRequest,
			FieldErrors: map[string]string{"identifier": "login.identifier_required"}})
		return
	}
	acct, err := h.findByIdentifier(r.Context(), f.App.StoreID, typed)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// The account stays server-side, in the interaction, for the code page
	// and "send a code to my phone instead".
	f.State.Recover = ""
	if acct != nil {
		f.State.Recover = acct.ID
		h.event(r, acct.ID, "password_reset.requested")
	}
	if err := h.saveFlow(r, f); err != nil {
		h.serverError(w, r, err)
		return
	}
	email, phone := recoveryContacts(pol, acct)
	switch {
	case email != "" && pol.RecoveryMethods.ResetByEmailLink:
		err = h.sendResetLink(r, f, pol, acct.ID, email)
	case phone != "" && pol.RecoveryMethods.ResetByPhoneCode:
		err = h.sendResetCode(r, f, pol, acct.ID, phone)
	default:
		// Nothing to send: draw a secret all the same, so this path does
		// the work the others do before their INSERT.
		_, _, err = newSecret()
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.renderSent(w, r, f, pol, View{}, "")
}

// renderSent is the one answer to a reset request: where a link went, or
// where to enter a code, and "send a code to my phone instead".
func (h *Handler) renderSent(w http.ResponseWriter, r *http.Request, f *Flow, pol storage.SelfServicePolicy, v View, notice string) {
	data := map[string]any{
		"Mode": "code", "Title": "recover.sent_title", "Intro": "recover.sent", "Submit": "recover.code_submit",
		"Action": RecoverCodePath, "Hidden": h.recoverHidden(f),
		"Links": []map[string]string{{"URL": h.recoverURL(f.Interaction.ID), "Text": "recover.start_over"}},
	}
	if notice != "" {
		data["Notice"] = notice
	}
	if pol.RecoveryMethods.ResetByPhoneCode && pol.RecoveryMethods.ResetByEmailLink {
		data["PhoneAction"] = RecoverPhonePath
	}
	v.Template, v.Data = "recover", data
	h.renderStep(w, r, f, v)
}

// submitRecoverPhone sends a code to the phone of the account the request
// named, if it has one; the answer is the same either way.
func (h *Handler) submitRecoverPhone(w http.ResponseWriter, r *http.Request) {
	f, pol, ok := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return
	}
	acct := h.recoverAccount(r, f)
	if _, phone := recoveryContacts(pol, acct); phone != "" && pol.RecoveryMethods.ResetByPhoneCode {
		if err := h.sendResetCode(r, f, pol, acct.ID, phone); err != nil {
			h.serverError(w, r, err)
			return
		}
	} else if _, _, err := newSecret(); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.renderSent(w, r, f, pol, View{}, "recover.code_sent")
}

// recoverAccount is the account the interaction's reset request named, or
// nil (none, or gone since).
func (h *Handler) recoverAccount(r *http.Request, f *Flow) *storage.Account {
	if f.State.Recover == "" {
		return nil
	}
	acct, err := h.store.GetAccount(r.Context(), f.State.Recover)
	if err != nil {
		return nil
	}
	return acct
}

func (h *Handler) submitRecoverCode(w http.ResponseWriter, r *http.Request) {
	f, pol, ok := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return
	}
	sec, err := h.checkCode(r, f, r.PostFormValue("code"))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if sec == nil {
		h.renderSent(w, r, f, pol, View{Status: http.StatusBadRequest, FieldErrors: map[string]string{"code": "recover.code_invalid"}}, "")
		return
	}
	d := recoveryData{Interaction: f.Interaction.ID, App: f.App.ID, Method: "sms"}
	h.showNewPassword(w, r, sec.AccountID, d, f.App, nil)
}

// checkCode returns the spent code secret when code is the current code
// of the interaction's account, or nil. Every try is counted before the
// comparison; the fifth wrong one spends the code.
func (h *Handler) checkCode(r *http.Request, f *Flow, code string) (*storage.OneTimeSecret, error) {
	ctx := r.Context()
	if f.State.Recover == "" {
		return nil, nil
	}
	sec, err := h.store.LatestOneTimeSecret(ctx, f.State.Recover, purposeResetCode)
	now := h.cfg.Now().UTC()
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (sec.UsedAt != nil || !now.Before(sec.ExpiresAt))) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: latest reset code: %w", err)
	}
	n, err := h.store.RecordLoginAttempt(ctx, codeAttemptKey(sec.ID), now, sec.CreatedAt.Add(-1))
	if err != nil {
		return nil, fmt.Errorf("selfservice: count code attempt: %w", err)
	}
	perAccount, err := h.store.RecordLoginAttempt(ctx, accountCodeAttemptKey(sec.AccountID), now, now.Add(-codeAttemptWindow))
	if err != nil {
		return nil, fmt.Errorf("selfservice: count account code attempt: %w", err)
	}
	right := subtle.ConstantTimeCompare(codeHash(decodeRecoveryData(sec.Data).Salt, code), sec.Hash) == 1
	if !right || n > maxCodeAttempts || perAccount > maxAccountCodeAttempts {
		h.event(r, sec.AccountID, "password_reset.failed")
		if n >= maxCodeAttempts || perAccount >= maxAccountCodeAttempts {
			if _, err := h.store.UseOneTimeSecret(ctx, purposeResetCode, sec.Hash, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, fmt.Errorf("selfservice: spend guessed code: %w", err)
			}
		}
		return nil, nil
	}
	used, err := h.store.UseOneTimeSecret(ctx, purposeResetCode, sec.Hash, now)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil // a parallel request spent it first
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: use reset code: %w", err)
	}
	return used, nil
}

// sendResetLink queues a reset link unless one went to the account within
// the re-request interval.
func (h *Handler) sendResetLink(r *http.Request, f *Flow, pol storage.SelfServicePolicy, accountID, email string) error {
	token, hash, err := newSecret()
	if err != nil {
		return err
	}
	if held, err := h.throttled(r.Context(), pol, accountID, purposeResetLink, "email"); err != nil || held {
		return err
	}
	now := h.cfg.Now().UTC()
	d := recoveryData{Interaction: f.Interaction.ID, App: f.App.ID, Method: "email"}
	secret := &storage.OneTimeSecret{Purpose: purposeResetLink, Hash: hash, AccountID: accountID, Data: d.encode(),
		CreatedAt: now, ExpiresAt: now.Add(pol.ResetLinkLifetime)}
	if err := h.store.CreateOneTimeSecret(r.Context(), secret); err != nil {
		return fmt.Errorf("selfservice: store reset secret: %w", err)
	}
	q := url.Values{"token": {token}, "interaction": {f.Interaction.ID}, "sig": {h.signer.Sign(f.Interaction.ID, recoverSig)}}
	_, err = h.notify.Email(r.Context(), email, accountID, "password_reset", f.Lang, branding(f.App),
		map[string]any{"Link": h.cfg.Issuer + ResetPath + "?" + q.Encode(), "Minutes": int(pol.ResetLinkLifetime.Minutes())})
	if err != nil {
		return fmt.Errorf("selfservice: queue reset mail: %w", err)
	}
	return nil
}

// sendResetCode queues a six-digit code by SMS unless one went to the
// account within the re-request interval.
func (h *Handler) sendResetCode(r *http.Request, f *Flow, pol storage.SelfServicePolicy, accountID, phone string) error {
	code, err := newCode()
	if err != nil {
		return err
	}
	salt, err := newSalt()
	if err != nil {
		return err
	}
	if held, err := h.throttled(r.Context(), pol, accountID, purposeResetCode, "sms"); err != nil || held {
		return err
	}
	now := h.cfg.Now().UTC()
	d := recoveryData{Interaction: f.Interaction.ID, App: f.App.ID, Method: "sms", Salt: salt}
	secret := &storage.OneTimeSecret{Purpose: purposeResetCode, Hash: codeHash(salt, code), AccountID: accountID,
		Data: d.encode(), CreatedAt: now, ExpiresAt: now.Add(pol.OneTimeCodeLifetime)}
	if err := h.store.CreateOneTimeSecret(r.Context(), secret); err != nil {
		return fmt.Errorf("selfservice: store reset code: %w", err)
	}
	text := h.render.T(f.Lang, "sms.password_reset_code", branding(f.App).AppName, code, int(pol.OneTimeCodeLifetime.Minutes()))
	if _, err := h.notify.SMS(r.Context(), phone, accountID, "password_reset_code", text); err != nil {
		return fmt.Errorf("selfservice: queue reset code: %w", err)
	}
	return nil
}
