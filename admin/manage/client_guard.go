package manage

import (
	"context"

	"foyer/storage"
)

// errConsoleClient: the console's client is Foyer's own. Who could
// repoint its redirect URIs, rotate or delete it could phish an owner's
// console token or lock every administrator out, so nobody changes it
// through the service (bootstrap and the start-up upgrade make it).
var errConsoleClient = Conflict("the admin console's client is managed by Foyer and cannot be changed, rotated or deleted")

// mayChange checks that the actor may change, rotate or delete the client
// of the store: never the console's client; the administrators store's
// clients only as an owner (requireStore).
func (s *Clients) mayChange(_ context.Context, a Actor, c *storage.Client, storeID string) error {
	if c.ID == ConsoleClientID {
		return errConsoleClient
	}
	return requireStore(a, WriteConfig, storeID)
}
