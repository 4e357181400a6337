// Package storage owns Foyer's domain types and the narrow repository
// interfaces every feature asks for. It imports nothing of ours: the GORM
// implementation lives in storage/sqlstore, the conformance suite in
// storage/storagetest. Errors are the sentinels below, checked with errors.Is.
package storage
