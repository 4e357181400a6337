package manage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"foyer/storage"
)

// fieldExternalProviders is the service's field for upstream providers a
// self-service policy names that do not exist at all.
const fieldExternalProviders = "self_service.external.providers"

// externalProvidersFit reports, as a message, the upstream providers the
// policy offers that are not the identity store's ("" when all are):
// provider ids are a store's own (its customers' identities are linked to
// them), so a named policy shared by applications of several stores can
// offer providers of one store only (each store needs its own policy then).
func externalProvidersFit(ctx context.Context, st policyStores, ext storage.ExternalSignIn, storeID string) (string, error) {
	var unknown []string
	for _, id := range ext.Providers {
		p, err := st.GetUpstreamProvider(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			unknown = append(unknown, id)
		case err != nil:
			return "", fmt.Errorf("external sign-in: provider %q: %w", id, err)
		case p.StoreID != storeID:
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return "", nil
	}
	return fmt.Sprintf("external sign-in: no upstream provider %s in identity store %q", quoteList(unknown), storeID), nil
}

// externalProvidersExist adds a problem naming the upstream providers the
// policy offers that exist in no store: what can be checked of a policy
// no application uses yet (assigning it checks the application's store).
func externalProvidersExist(ctx context.Context, st policyStores, problems Problems, p storage.Policy) error {
	if p.Kind != storage.PolicySelfService {
		return nil
	}
	var unknown []string
	for _, id := range p.SelfService.External.Providers {
		_, err := st.GetUpstreamProvider(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			unknown = append(unknown, id)
		case err != nil:
			return fmt.Errorf("external sign-in: provider %q: %w", id, err)
		}
	}
	if len(unknown) > 0 {
		problems.Add(fieldExternalProviders, "no upstream provider "+quoteList(unknown))
	}
	return nil
}

func quoteList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}
