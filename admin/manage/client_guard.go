package manage

import (
	"context"
	"fmt"

	"foyer/storage"
)

// errConsoleClient: the console's client is Foyer's own. Who could
// repoint its redirect URIs, rotate or delete it could phish an owner's
// console token or lock every administrator out, so nobody changes it
// through the service (bootstrap and the start-up upgrade make it).
var errConsoleClient = Conflict("the admin console's client is managed by Foyer and cannot be changed, rotated or deleted")

// mayChange checks that the actor may change, rotate or delete the client
// of the store: never the console's client; the administrators store's
// clients only as an owner (requireStore); a client holding admin grants
// only as an unlimited owner (ManageAdministrators on every store, what
// giving those grants takes), since whoever controls it acts with its
// roles: its secret and its redirect URIs are the keys to them.
func (s *Clients) mayChange(ctx context.Context, a Actor, c *storage.Client, storeID string) error {
	if c.ID == ConsoleClientID {
		return errConsoleClient
	}
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return err
	}
	grants, err := s.core.store.ListAdminGrants(ctx, storage.PrincipalClient, c.ID)
	if err != nil {
		return fmt.Errorf("admin grants of client: %w", err)
	}
	if len(grants) > 0 {
		return a.Require(ManageAdministrators, "")
	}
	return nil
}

// requireClientTarget checks that the actor may put a client into the
// store (a creation, or a move there): WriteConfig there, and for the
// administrators store the owner role. Refused is ErrForbidden, as a
// creation in a store the actor may not change always was.
func requireClientTarget(a Actor, storeID string) error {
	if storeID == storage.AdministratorsStoreID && !ownsAdministrators(a, WriteConfig) {
		return ErrForbidden
	}
	return a.Require(WriteConfig, storeID)
}
