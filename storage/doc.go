// Package storage owns Foyer's domain types and the narrow repository
// interfaces every feature asks for. It imports nothing of ours: the GORM
// implementation lives in storage/sqlstore, the conformance suite in
// storage/storagetest. Errors are the sentinels below, checked with errors.Is.
// It also holds the domain rules every layer must agree on, such as what a
// valid e-mail address, phone number or username is (identifiers.go) and
// which consent versions a new policy replaces (consentpolicy.go), and the
// attribute schema's one validation, used by registration, the portal and
// the admin console alike (attributes.go, attributeschema.go), and the
// validation of each kind of named policy (selfservice.go, mfa.go,
// consentpolicy.go, portalpolicy.go) that the CLI and admin/manage share.
// Named policies (policy.go) are assigned to applications; the invariant
// that an application's row holds a copy of its policies' bodies is
// documented on the Policies interface.
package storage
