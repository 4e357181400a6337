// Package storagetest is the conformance suite for storage.Store: every
// implementation must pass Run. It covers each repository method with its
// error paths (ErrNotFound, ErrConflict, ErrInactive), JSON round trips of
// slices and maps, transactions through the context, and the concurrency
// cases the server relies on across nodes: parallel refresh-token rotation
// and racing bootstrap markers.
//
// It imports only storage, so it describes the contract, not one database.
package storagetest
