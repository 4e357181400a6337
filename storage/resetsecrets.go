package storage

import (
	"context"
	"fmt"
	"time"
)

// The one-time secrets that can set an account's password: the reset
// link, the reset code, and the new-password form a proven link or code
// opens. Each has its own purpose so the re-request throttle holds per
// channel.
const (
	PurposeResetLink = "password_reset"
	PurposeResetCode = "password_reset_code"
	PurposeResetForm = "password_reset_form"
)

// ResetSpender is what SpendPasswordResets needs of a store.
type ResetSpender interface {
	SpendOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
}

// SpendPasswordResets marks every unused reset secret of the account used
// at now. Every way the password or the address a reset went to changes
// calls it (a completed reset, the portal's change, an administrator's
// set, a new e-mail address or phone number): a link or code issued
// before must not set a password afterwards. The secrets stay, used, for
// the re-request throttle.
func SpendPasswordResets(ctx context.Context, s ResetSpender, accountID string, now time.Time) error {
	for _, purpose := range []string{PurposeResetLink, PurposeResetCode, PurposeResetForm} {
		if _, err := s.SpendOneTimeSecrets(ctx, accountID, purpose, now); err != nil {
			return fmt.Errorf("spend %s secrets: %w", purpose, err)
		}
	}
	return nil
}
