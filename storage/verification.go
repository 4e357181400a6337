package storage

import (
	"context"
	"time"
)

// VerificationPolicy is a named set of identity verification methods an
// identity store offers (e.g. "Branch check" with "document check" and
// "in person"); support staff verify an account under one of them.
type VerificationPolicy struct {
	ID      string
	StoreID string
	Name    string // unique in the store, compared case-insensitively
	// Methods are the names of the methods the policy allows, in the order
	// the administrator gave them.
	Methods   []string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IdentityVerification records that an administrator verified an account's
// identity by one method of a policy. It keeps the policy's name so that
// the record outlives the policy. A revoked record (RevokedAt set) stays as
// history; the account's identity counts as verified while it has an
// unrevoked record.
type IdentityVerification struct {
	ID         string
	AccountID  string
	StoreID    string
	PolicyID   string
	PolicyName string
	Method     string
	AdminID    string // the administrator who verified
	AdminName  string
	Note       string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	RevokedBy  string // the name of the administrator who revoked it
}

// Active reports whether the verification still counts.
func (v *IdentityVerification) Active() bool { return v.RevokedAt == nil }

// Verifications stores verification policies and the identity
// verifications recorded under them. Policy updates and deletions name the
// version they read (ErrStale when the row has changed since; 0 skips the
// check); lists page like StoreConfig's.
type Verifications interface {
	// CreateVerificationPolicy inserts p, filling in ID, Version and times;
	// a name taken in the store (in any case) is ErrConflict, an unknown
	// store ErrNotFound.
	CreateVerificationPolicy(ctx context.Context, p *VerificationPolicy) error
	// GetVerificationPolicy reads one policy of the store; ErrNotFound.
	GetVerificationPolicy(ctx context.Context, storeID, id string) (*VerificationPolicy, error)
	// ListVerificationPolicies returns the store's policies by lower-cased
	// name, after that key.
	ListVerificationPolicies(ctx context.Context, storeID, after string, limit int) ([]VerificationPolicy, error)
	// UpdateVerificationPolicy writes Name and Methods and sets p.Version
	// and p.UpdatedAt; ErrConflict, ErrNotFound, ErrStale.
	UpdateVerificationPolicy(ctx context.Context, p *VerificationPolicy, expectedVersion int64) error
	// DeleteVerificationPolicy removes the policy; the verifications
	// recorded under it keep its id and name. ErrNotFound, ErrStale.
	DeleteVerificationPolicy(ctx context.Context, storeID, id string, expectedVersion int64) error

	// RecordIdentityVerification inserts v, filling in ID, CreatedAt and
	// PolicyName. The policy must be one of v.StoreID, the account of the
	// same store (ErrNotFound otherwise), and v.Method one of the policy's
	// methods (ErrConflict otherwise: the policy changed under the caller).
	RecordIdentityVerification(ctx context.Context, v *IdentityVerification) error
	// ListIdentityVerifications returns the account's records, revoked
	// ones included, newest first.
	ListIdentityVerifications(ctx context.Context, accountID string) ([]IdentityVerification, error)
	// RevokeIdentityVerification marks the account's record revoked at at
	// by by and returns it; ErrNotFound when the account has no such
	// record, ErrConflict when it is revoked already (the first
	// revocation stands).
	RevokeIdentityVerification(ctx context.Context, accountID, id, by string, at time.Time) (*IdentityVerification, error)
	// CurrentIdentityVerification returns the account's newest unrevoked
	// record; ErrNotFound when there is none.
	CurrentIdentityVerification(ctx context.Context, accountID string) (*IdentityVerification, error)
}
