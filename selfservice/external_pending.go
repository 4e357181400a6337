package selfservice

import (
	"errors"
	"fmt"
	"net/http"

	"foyer/storage"
)

// externalLoginData adds the sign-in page's external parts: the buttons
// on the identifier page, or, while an identity waits for the account of
// its verified address, the words that say why that account signs in.
func (h *Handler) externalLoginData(r *http.Request, f *Flow, d *loginData) {
	if x := f.State.External; x != nil && x.AccountID != "" {
		d.LinkEmail, d.LinkProvider = x.Email, x.ProviderName
		return
	}
	if d.Step == "identifier" {
		d.External = h.externalButtons(r, f, "login")
	}
}

// linkPendingExternal links the identity waiting in the flow once the
// sign-in of the very account it waits for is complete (after MFA; only
// startSession calls it), and tells the owner. Any other account signing
// in drops it.
func (h *Handler) linkPendingExternal(r *http.Request, f *Flow) error {
	x := f.State.External
	if x == nil || x.AccountID == "" {
		return nil
	}
	f.State.External = nil
	if x.AccountID != f.State.AccountID {
		return nil
	}
	ctx := r.Context()
	acct, err := h.store.GetAccount(ctx, x.AccountID)
	if err != nil {
		return fmt.Errorf("selfservice: load account: %w", err)
	}
	err = h.store.LinkExternalIdentity(ctx, x.identity(acct.ID, h.cfg.Now().UTC()))
	if errors.Is(err, storage.ErrConflict) {
		// Linked meanwhile (another tab did it): the sign-in goes on.
		return nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: link external identity: %w", err)
	}
	h.eventData(r, acct.ID, "external.linked", map[string]string{"provider": x.Provider, "provider_name": x.ProviderName})
	return h.tellLinked(ctx, acct, f.Lang, branding(f.App))
}

// externalUseCode switches the proof of a pending link's account from
// its password to a one-time code to its confirmed address (the
// passwordless step, with its limits). It answers only that case.
func (h *Handler) externalUseCode(w http.ResponseWriter, r *http.Request, f *Flow) (bool, error) {
	x := f.State.External
	if x == nil || x.AccountID == "" || f.State.Steps[f.State.Current] != "password" {
		return false, nil
	}
	f.State.Steps[f.State.Current] = stepPasswordless
	if err := h.deferRequest(r, f, deferredPasswordless, deferredPayload{Typed: f.State.Identifier}); err != nil {
		return true, err
	}
	if err := h.saveFlow(r, f); err != nil {
		return true, h.saveFailed(w, r, f, err)
	}
	http.Redirect(w, r, h.loginURL(f.Interaction.ID, nil), http.StatusSeeOther)
	return true, nil
}
