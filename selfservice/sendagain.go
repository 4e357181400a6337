package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"foyer/storage"
)

// "Send again" on the check-your-email pages of a registration with
// activation and of a reset request. Each is a POST in the same
// interaction, signed for its page, that queues the same deferred request
// as the first send: the request does the same work and answers with the
// same page whether or not the address has an account, and the worker
// sends through the same throttle and caps (sendOnce), so a resend that
// is held back looks like any other.
const (
	RegisterSendAgainPath = "/register/send-again"
	RecoverSendAgainPath  = "/recover/send-again"
	// registerSendAgainSig signs the registration's button for its flow.
	registerSendAgainSig = "register_send_again"
	// deferredRegistrationResend is the registration's resend (runRegistrationResend).
	deferredRegistrationResend = "registration_resend"
)

// registerSendAgain queues the registration's message again for the
// address the interaction registered (State.Registered, set only by a
// valid registration form), and answers with the same page as the form.
func (h *Handler) registerSendAgain(w http.ResponseWriter, r *http.Request) error {
	f, err := h.loadFlow(w, r, r.PostFormValue("interaction"), r.PostFormValue("sig"), registerSendAgainSig)
	if err != nil {
		return h.flowLoadFailed(w, r, err)
	}
	if f.State.Registered == "" {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	if err := h.deferRequest(r, f, deferredRegistrationResend, deferredPayload{Email: f.State.Registered}); err != nil {
		return err
	}
	return h.renderCheckEmail(w, r, f, f.State.Registered, "message.sent_again")
}

// recoverSendAgain queues the reset request again for the identifier the
// interaction asked with, as submitRecover did.
func (h *Handler) recoverSendAgain(w http.ResponseWriter, r *http.Request) error {
	f, pol, ok, err := h.recoveryFlow(w, r, resetAllowed)
	if !ok {
		return err
	}
	if f.State.Recover == "" {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	if err := h.deferRequest(r, f, deferredReset, deferredPayload{Typed: f.State.Recover}); err != nil {
		return err
	}
	return h.renderSent(w, r, f, pol, View{}, "message.sent_again")
}

// runRegistrationResend repeats what the registration's job did for the
// address: a new activation link when the account the registration
// created still waits (its latest link was issued for this interaction),
// and otherwise registerExisting's notice, under that notice's own limits.
func (h *Handler) runRegistrationResend(ctx context.Context, j *deferredJob) error {
	acct, err := h.registeredPending(ctx, j)
	if err != nil {
		return err
	}
	if acct == nil {
		return h.registerExisting(ctx, j)
	}
	sent, err := h.sendOnce(ctx, j, j.pol, acct.ID, purposeActivation, "email", func(tx context.Context) error {
		return h.issueActivation(tx, j.p.Interaction, j.p.Lang, j.app, j.pol, acct)
	})
	if sent {
		h.eventFor(ctx, j, acct.ID, "account.activation_resent")
	}
	return err
}

// registeredPending is the pending account with the job's address whose
// latest activation link belongs to the job's interaction (the account
// this registration created), or nil.
func (h *Handler) registeredPending(ctx context.Context, j *deferredJob) (*storage.Account, error) {
	acct, err := h.store.FindAccountByIdentifier(ctx, j.app.StoreID, storage.IdentifierEmail, j.p.Email)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: find registered account: %w", err)
	}
	if acct.Status != storage.AccountPending || acct.Email == "" {
		return nil, nil
	}
	last, err := h.store.LatestOneTimeSecret(ctx, acct.ID, purposeActivation)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: latest activation secret: %w", err)
	}
	if last.Data != j.p.Interaction {
		return nil, nil
	}
	return acct, nil
}
