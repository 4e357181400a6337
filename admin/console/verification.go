package console

import (
	"context"

	"foyer/admin/manage"
)

// VerificationService is what the console asks of an account's identity
// verifications (manage.AccountVerifications).
type VerificationService interface {
	List(ctx context.Context, a manage.Actor, storeID, accountID string) ([]manage.Verification, error)
	Verify(ctx context.Context, a manage.Actor, storeID, accountID string, in manage.VerifyInput) (*manage.Verification, error)
	Revoke(ctx context.Context, a manage.Actor, storeID, accountID, id string) (*manage.Verification, error)
}
