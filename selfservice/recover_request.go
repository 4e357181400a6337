package selfservice

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"foyer/selfservice/mfa"
	"foyer/selfservice/regulate"
	"foyer/storage"
)

func (h *Handler) showRecover(w http.ResponseWriter, r *http.Request) error {
	f, pol, ok, err := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return err
	}
	return h.renderRecoverForm(w, r, f, pol, View{})
}

func (h *Handler) renderRecoverForm(w http.ResponseWriter, r *http.Request, f *Flow, pol storage.SelfServicePolicy, v View) error {
	links := []pageLink{{"URL": h.loginURL(f.Interaction.ID, nil), "Text": "recover.back_to_sign_in"}}
	if store, err := h.store.GetIdentityStore(r.Context(), f.App.StoreID); err == nil && reminderAllowed(pol, store) {
		links = append(links, pageLink{"URL": h.reminderURL(f.Interaction.ID, nil), "Text": "recover.forgot_username"})
	}
	v.Template = "recover"
	v.Data = &recoverData{
		Mode: "field", Title: "recover.title", Intro: "recover.intro", Submit: "recover.submit",
		Field: "identifier", Label: "login.identifier_label", InputType: "text", Autocomplete: "username",
		pageForm: pageForm{Action: h.path(recoverRoute, nil), Hidden: h.recoverHidden(f)}, Links: links,
	}
	h.renderStep(w, r, f, v)
	return nil
}

// submitRecover answers every identifier with the same page after the
// same work: it keeps the identifier in the interaction (for the phone
// switch and the code page) and queues the rest (runReset), so whether an
// account matched, which contacts it has and whether the throttle held a
// message back are told to nobody but the account's own inbox or phone,
// not even by the request's timing.
func (h *Handler) submitRecover(w http.ResponseWriter, r *http.Request) error {
	f, pol, ok, err := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return err
	}
	typed := strings.TrimSpace(r.PostFormValue("identifier"))
	if !typedOK(typed) {
		return h.renderRecoverForm(w, r, f, pol, View{Status: http.StatusBadRequest,
			FieldErrors: map[string]string{"identifier": "login.identifier_required"}})
	}
	f.State.Recover = typed
	if err := h.saveFlow(r, f); err != nil {
		return err
	}
	if err := h.deferRequest(r, f, deferredReset, deferredPayload{Typed: typed}); err != nil {
		return err
	}
	return h.renderSent(w, r, f, pol, View{}, "")
}

// renderSent is the one answer to a reset request: where a link went, or
// where to enter a code, and "send a code to my phone instead".
func (h *Handler) renderSent(w http.ResponseWriter, r *http.Request, f *Flow, pol storage.SelfServicePolicy, v View, notice string) error {
	data := &recoverData{
		Mode: "code", Title: "recover.sent_title", Intro: "recover.sent", Submit: "recover.code_submit",
		pageForm: pageForm{Action: h.path(recoverCodeRoute, nil), Hidden: h.recoverHidden(f)},
		Links:    []pageLink{{"URL": h.recoverURL(f.Interaction.ID), "Text": "recover.start_over"}},
		// Send again repeats the request: the same work, and the same page.
		SendAgainAction: h.path(recoverSendAgainRoute, nil),
	}
	if pol.RecoveryMethods.ResetByPhoneCode && pol.RecoveryMethods.ResetByEmailLink {
		data.PhoneAction = h.path(recoverPhoneRoute, nil)
	}
	v.Template, v.Data = "recover", data
	if notice != "" {
		v.Notice = notice
	}
	h.renderStep(w, r, f, v)
	return nil
}

// submitRecoverPhone queues a code to the phone of the account the
// request named, if it has one (runPhoneSwitch); the answer and the work
// are the same either way.
func (h *Handler) submitRecoverPhone(w http.ResponseWriter, r *http.Request) error {
	f, pol, ok, err := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return err
	}
	if err := h.deferRequest(r, f, deferredPhoneSwitch, deferredPayload{Typed: f.State.Recover}); err != nil {
		return err
	}
	return h.renderSent(w, r, f, pol, View{}, "recover.code_sent")
}

func (h *Handler) submitRecoverCode(w http.ResponseWriter, r *http.Request) error {
	f, pol, ok, err := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return err
	}
	sec, err := h.checkCode(r, f, r.PostFormValue("code"))
	if err != nil {
		return err
	}
	if sec == nil {
		return h.renderSent(w, r, f, pol, View{Status: http.StatusBadRequest, FieldErrors: map[string]string{"code": "recover.code_invalid"}}, "")
	}
	d := recoveryData{Interaction: f.Interaction.ID, App: f.App.ID, Method: "sms"}
	return h.showNewPassword(w, r, sec.AccountID, d, f.App, nil)
}

// checkCode returns the spent code secret when code is the current code
// of the account the interaction's request named, or nil. Every try is
// counted before the comparison, against the code and the account or, when
// there is no live code, against the interaction, so a wrong code costs
// the same statements whether or not the identifier names an account; the
// fifth wrong one spends the code.
func (h *Handler) checkCode(r *http.Request, f *Flow, code string) (*storage.OneTimeSecret, error) {
	ctx := r.Context()
	acct, err := h.findByIdentifier(ctx, f.App.StoreID, f.State.Recover)
	if err != nil {
		return nil, err
	}
	accountID := ""
	if acct != nil {
		accountID = acct.ID
	}
	now := h.cfg.Now().UTC()
	sec, err := h.store.LatestOneTimeSecret(ctx, accountID, purposeResetCode)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("selfservice: latest reset code: %w", err)
	}
	live := err == nil && sec.UsedAt == nil && now.Before(sec.ExpiresAt)
	// Without a live code the same statements run, on counters of this
	// interaction's, so a missing code takes as long as a wrong one.
	codeKey, accountKey, since := regulate.OneTimeCode.Key("none\x00"+f.Interaction.ID), regulate.AccountResetCodes.Key("none\x00"+f.Interaction.ID), now
	hash := mfa.CodeHash(f.Interaction.ID, code) // matches no stored code
	if live {
		codeKey, accountKey, since = regulate.OneTimeCode.Key(sec.ID), regulate.AccountResetCodes.Key(sec.AccountID), sec.CreatedAt.Add(-1)
		hash = mfa.CodeHash(decodeRecoveryData(sec.Data).Salt, code)
	}
	perCode, err := h.limits.AttemptSince(ctx, codeKey, now, since)
	if err != nil {
		return nil, fmt.Errorf("selfservice: %w", err)
	}
	perAccount, err := h.limits.Attempt(ctx, accountKey, now)
	if err != nil {
		return nil, fmt.Errorf("selfservice: %w", err)
	}
	right := live && subtle.ConstantTimeCompare(hash, sec.Hash) == 1
	if !right || perCode.Exceeded() || perAccount.Exceeded() {
		if live {
			h.event(r, sec.AccountID, "password_reset.failed")
		}
		if perCode.Reached() || perAccount.Reached() {
			spend := hash
			if live {
				spend = sec.Hash
			}
			if _, err := h.store.UseOneTimeSecret(ctx, purposeResetCode, spend, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
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
