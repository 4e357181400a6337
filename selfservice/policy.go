package selfservice

import (
	"context"
	"fmt"

	"foyer/storage"
)

// The policies a flow reads: the effective self-service policy of an
// application and the rules of a new password.

// checkPassword returns the message key of the first rule the chosen
// password breaks, or "".
func (h *Handler) checkPassword(p storage.PasswordPolicy, pw, confirm string) string {
	if problem := h.rules.Check(p, pw, confirm); problem != "" {
		return "register.password_" + problem
	}
	return ""
}

// policy is the application's self-service policy over its identity
// store's defaults.
func (h *Handler) policy(ctx context.Context, app *storage.Application) (storage.SelfServicePolicy, error) {
	store, err := h.store.GetIdentityStore(ctx, app.StoreID)
	if err != nil {
		return storage.SelfServicePolicy{}, fmt.Errorf("selfservice: load identity store: %w", err)
	}
	return app.SelfService.Effective(store), nil
}
