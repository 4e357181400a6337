package manage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"foyer/storage"
)

// consentPublisher is what publishing a consent policy's new versions
// needs.
type consentPublisher interface {
	ListApplications(ctx context.Context) ([]storage.Application, error)
	OutdateConsents(ctx context.Context, storeID, consent string, current []string, at time.Time) (int64, error)
}

// outdateReplaced ends, at now, the acceptances of every document version
// the new consent policy replaced in the given identity stores, unless
// another application of the store still uses the version: the consent
// log keeps "the time of opt-out for outdated consent versions" (seed 002).
// It runs after the policy was stored, in the same transaction, so the
// versions in use are the new ones. One statement per republished
// document and store, whatever the number of accounts.
func outdateReplaced(ctx context.Context, s consentPublisher, old, updated []storage.ConsentDocument, storeIDs []string, now time.Time) error {
	names := storage.RepublishedConsents(storage.ConsentPolicyOf(&storage.Application{Consents: old}),
		storage.ConsentPolicyOf(&storage.Application{Consents: updated}))
	if len(names) == 0 {
		return nil
	}
	apps, err := s.ListApplications(ctx)
	if err != nil {
		return fmt.Errorf("list applications: %w", err)
	}
	slices.Sort(storeIDs)
	for _, storeID := range slices.Compact(storeIDs) {
		for _, name := range names {
			if _, err := s.OutdateConsents(ctx, storeID, name, storage.VersionsInUse(apps, storeID, name), now); err != nil {
				return fmt.Errorf("end outdated %s acceptances: %w", name, err)
			}
		}
	}
	return nil
}
