package selfservice

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/storage"
)

// The deferred jobs of recovery (see deferred.go): a reset link or code
// sent by the worker, never by the request.

// runReset sends a reset link, or a code when the account has only a
// phone (recoveryContacts, throttled per account and channel).
func (h *Handler) runReset(ctx context.Context, j *deferredJob) error {
	acct, err := h.findByIdentifier(ctx, j.app.StoreID, j.p.Typed)
	if err != nil {
		return err
	}
	email, phone := recoveryContacts(j.pol, acct)
	switch {
	case email != "" && j.pol.RecoveryMethods.ResetByEmailLink:
		_, err = h.sendOnce(ctx, j, j.pol, acct.ID, purposeResetLink, "email", func(tx context.Context) error {
			return h.issueResetLink(tx, j, acct.ID, email)
		})
	case phone != "" && j.pol.RecoveryMethods.ResetByPhoneCode:
		_, err = h.sendOnce(ctx, j, j.pol, acct.ID, purposeResetCode, "sms", func(tx context.Context) error {
			return h.issueResetCode(tx, j, acct.ID, phone)
		})
	default:
		err = h.deferredDone(ctx, j)
	}
	if err == nil && acct != nil {
		h.eventFor(ctx, j, acct.ID, "password_reset.requested")
	}
	return err
}

// runPhoneSwitch sends a code to the phone of the account the reset
// request named, if it has one.
func (h *Handler) runPhoneSwitch(ctx context.Context, j *deferredJob) error {
	acct, err := h.findByIdentifier(ctx, j.app.StoreID, j.p.Typed)
	if err != nil {
		return err
	}
	if _, phone := recoveryContacts(j.pol, acct); phone != "" && j.pol.RecoveryMethods.ResetByPhoneCode {
		_, err = h.sendOnce(ctx, j, j.pol, acct.ID, purposeResetCode, "sms", func(tx context.Context) error {
			return h.issueResetCode(tx, j, acct.ID, phone)
		})
		return err
	}
	return h.deferredDone(ctx, j)
}

// issueResetLink stores a reset secret and queues the link (in the
// transaction of sendOnce).
func (h *Handler) issueResetLink(ctx context.Context, j *deferredJob, accountID, email string) error {
	token, hash, err := newSecret()
	if err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	d := recoveryData{Interaction: j.p.Interaction, App: j.app.ID, Method: "email"}
	secret := &storage.OneTimeSecret{Purpose: purposeResetLink, Hash: hash, AccountID: accountID, Data: d.encode(),
		CreatedAt: now, ExpiresAt: now.Add(j.pol.ResetLinkLifetime)}
	if err := h.store.CreateOneTimeSecret(ctx, secret); err != nil {
		return fmt.Errorf("selfservice: store reset secret: %w", err)
	}
	q := url.Values{"token": {token}, "interaction": {j.p.Interaction}, "sig": {h.signer.Sign(j.p.Interaction, recoverSig)}}
	_, err = h.notify.Email(ctx, email, accountID, "password_reset", j.p.Lang, branding(j.app),
		notify.PasswordResetEmail{Link: h.cfg.Issuer + h.path(resetRoute, q), Minutes: int(j.pol.ResetLinkLifetime.Minutes())})
	if err != nil {
		return fmt.Errorf("selfservice: queue reset mail: %w", err)
	}
	return nil
}

// issueResetCode stores a six-digit code and queues it by SMS (in the
// transaction of sendOnce).
func (h *Handler) issueResetCode(ctx context.Context, j *deferredJob, accountID, phone string) error {
	code, err := mfa.NewCode()
	if err != nil {
		return err
	}
	salt, err := mfa.NewSalt()
	if err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	d := recoveryData{Interaction: j.p.Interaction, App: j.app.ID, Method: "sms", Salt: salt}
	secret := &storage.OneTimeSecret{Purpose: purposeResetCode, Hash: mfa.CodeHash(salt, code), AccountID: accountID,
		Data: d.encode(), CreatedAt: now, ExpiresAt: now.Add(j.pol.OneTimeCodeLifetime)}
	if err := h.store.CreateOneTimeSecret(ctx, secret); err != nil {
		return fmt.Errorf("selfservice: store reset code: %w", err)
	}
	minutes := int(j.pol.OneTimeCodeLifetime.Minutes())
	text := h.render.T(j.p.Lang, "sms.password_reset_code", branding(j.app).AppName, code, minutes)
	values := map[string]string{"code": code, "minutes": strconv.Itoa(minutes)}
	if _, err := h.notify.SMSFor(ctx, phone, accountID, "password_reset_code", j.p.Lang, branding(j.app), values, text); err != nil {
		return fmt.Errorf("selfservice: queue reset code: %w", err)
	}
	return nil
}
