package selfservice

import (
	"context"
	"fmt"

	"foyer/selfservice/password"
	"foyer/storage"
)

// The policies a flow reads: the effective self-service policy of an
// application and the rules of a new password.

// checkPassword returns the form field and message key of the first rule
// the chosen password breaks, or two empty strings. A mismatch is the
// confirmation's fault, so its message hangs on that field, where the
// customer looks for it.
func (h *Handler) checkPassword(p storage.PasswordPolicy, pw, confirm string) (field, key string) {
	switch problem := h.rules.Check(p, pw, confirm); problem {
	case "":
		return "", ""
	case password.ProblemMismatch:
		return "password_confirm", "register.password_" + problem
	default:
		return "password", "register.password_" + problem
	}
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
