// Package manage is the operator side's one service layer: every change an
// administrator (or a client holding an admin role, or the CLI) makes to
// identity stores, applications, clients, policies, groups, roles,
// organizations and administrators goes through it. The admin console,
// the admin REST API and the CLI only parse input and render results.
//
// Each operation takes the Actor who asks, checks its role and store
// scope (Actor.Can), validates the input as a whole (a *ValidationError
// naming each bad field), makes the change and its audit entry in one
// transaction, and returns sentinel errors the callers map: ErrForbidden,
// ErrNotFound, ErrConflict, ErrStale.
//
// Applications belong to their identity store; named policies
// (policies.go) belong to none: any role reads them, changing one needs
// WriteConfig without a store limit. Setting a policy through an
// application (Applications.SetOwnPolicy, the CLI's "app ... set") is copy
// on write, so it never changes another application's policy.
package manage
