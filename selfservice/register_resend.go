package selfservice

import (
	"errors"
	"fmt"
	"net/http"

	"foyer/storage"
)

// ResendActivationPath queues a new activation link for the pending account
// that signed in with its password in this interaction.
const ResendActivationPath = "/register/resend"

// resendData is what the "not activated yet" page needs for its button.
// The form is signed for this page only, and the account comes from the
// interaction's state, set only after the right password: nobody can ask
// for a link to an account whose password they do not know.
func (h *Handler) resendData(f *Flow) map[string]string {
	return map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, "resend")}
}

// resendActivation sends a new activation link, at most one per
// ReRequestInterval per account, held in the database (throttled), so it
// holds across nodes and parallel requests. Earlier
// links stay valid until they expire or one is used: a customer may open
// whichever arrives first, and each only activates this same account.
func (h *Handler) resendActivation(w http.ResponseWriter, r *http.Request) error {
	f, err := h.loadFlow(w, r, r.PostFormValue("interaction"), r.PostFormValue("sig"), "resend")
	if err != nil {
		return h.flowLoadFailed(w, r, err)
	}
	acct, err := h.pendingAccount(r, f)
	if err != nil {
		return err
	}
	if acct == nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		return err
	}
	held, err := h.throttled(r.Context(), pol, acct.ID, purposeActivation, "email")
	if err != nil {
		return err
	}
	if held {
		h.renderStep(w, r, f, View{Template: "message", Status: http.StatusTooManyRequests, Data: &messageData{
			Title: "activation.resend_title", Message: "activation.resend_throttled"}})
		return nil
	}
	if err := h.sendActivation(r, f, pol, acct); err != nil {
		return err
	}
	h.event(r, acct.ID, "account.activation_resent")
	h.renderStep(w, r, f, View{Template: "message", Data: &messageData{
		Title: "activation.resend_title", Message: "activation.resent"}})
	return nil
}

// pendingAccount is the account the interaction proved the password of,
// when it still waits for activation and lives in the application's
// store; nil otherwise.
func (h *Handler) pendingAccount(r *http.Request, f *Flow) (*storage.Account, error) {
	if f.State.Pending == "" {
		return nil, nil
	}
	acct, err := h.store.GetAccount(r.Context(), f.State.Pending)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfservice: load pending account: %w", err)
	}
	if acct.Status != storage.AccountPending || acct.StoreID != f.App.StoreID || acct.Email == "" {
		return nil, nil
	}
	return acct, nil
}
