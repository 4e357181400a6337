package main

import (
	"context"
	"testing"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestConsentForRequestWithoutScopes: a third-party client that asks for
// no scope at all still needs the user's consent the first time. Without
// it, any third-party client (a dynamically registered one too) could
// silently get a token for the signed-in account — its sub readable by
// introspection or in a JWT access token — with no grant the user could
// later see or revoke.
func TestConsentForRequestWithoutScopes(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		f := newConsentFixture(t, newStore(t))
		p := f.signInToConsent(t, f.authURL("state-0001", nil))
		expectCode(t, f.b.submit(p, map[string]string{"decision": "allow"}), "state-0001")
		if _, err := f.srv.store.GetGrant(context.Background(), f.alice.ID, f.clientID); err != nil {
			t.Fatalf("no grant after allow: %v", err)
		}
		// allowed once: remembered
		expectCode(t, f.b.get(f.authURL("state-0002", nil)), "state-0002")
	})
}
