package selfservice

import (
	"context"
	"fmt"

	"foyer/selfservice/regulate"
)

// mfaTry counts a try of the method before the answer is checked (so
// parallel guesses get no extra tries) and reports whether the method is
// locked (regulate.SecondFactor).
func (h *Handler) mfaTry(ctx context.Context, accountID, method string) (bool, error) {
	attempt, err := h.limits.Attempt(ctx, regulate.SecondFactor.Key(accountID, method), h.cfg.Now().UTC())
	if err != nil {
		return false, fmt.Errorf("selfservice: %w", err)
	}
	return attempt.Exceeded(), nil
}

// mfaSucceeded forgets the method's tries.
func (h *Handler) mfaSucceeded(ctx context.Context, accountID, method string) error {
	if err := h.limits.Clear(ctx, regulate.SecondFactor.Key(accountID, method)); err != nil {
		return fmt.Errorf("selfservice: %w", err)
	}
	return nil
}
