package authz

import (
	"context"
	"errors"
	"time"

	"github.com/ory/fosite"

	"foyer/storage"
)

// Identity assurance (OpenID Connect for Identity Assurance 1.0 and the
// OpenID Identity Assurance Schema Definition 1.0): an account whose
// identity support staff verified by hand carries a verified_claims claim
// for clients granted VerifiedClaimsScope.
const (
	// VerifiedClaimsScope is the scope that asks for verified_claims.
	VerifiedClaimsScope = "verified_claims"
	// VerifiedClaimsClaim is the claim's name.
	VerifiedClaimsClaim = "verified_claims"
	// TrustFramework names the rules Foyer's verifications follow: a
	// manual verification by an administrator under one of the identity
	// store's verification policies (the policy and its method are the
	// assurance process). It is the one value of trust_frameworks_supported.
	TrustFramework = "foyer_manual"
)

// VerificationReader reads an account's current identity verification
// (storage.Verifications).
type VerificationReader interface {
	CurrentIdentityVerification(ctx context.Context, accountID string) (*storage.IdentityVerification, error)
}

// VerifiedClaims is the ClaimSource of verified_claims.
type VerifiedClaims struct {
	store VerificationReader
}

// NewVerifiedClaims returns the source over the store.
func NewVerifiedClaims(store VerificationReader) *VerifiedClaims {
	return &VerifiedClaims{store: store}
}

// Claims returns verified_claims for the account's current (newest
// unrevoked) verification when the scopes include VerifiedClaimsScope;
// nothing for an account never verified, whose verifications were all
// revoked, or whose verification was made in another identity store
// (before the account moved).
//
// The verification element says under which rules (trust_framework),
// when (time), by which recorded process (verification_process, the
// record's id) and how (assurance_process: the policy and its method as
// policy and procedure). The claims element is empty: the verification
// attests the person behind sub, and Foyer releases no personal data as
// verified (the profile claims come with their own scopes, unverified).
func (v *VerifiedClaims) Claims(ctx context.Context, acct *storage.Account, _ string, scopes fosite.Arguments) (map[string]any, error) {
	if !scopes.Has(VerifiedClaimsScope) {
		return nil, nil
	}
	cur, err := v.store.CurrentIdentityVerification(ctx, acct.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if cur.StoreID != acct.StoreID {
		return nil, nil
	}
	return map[string]any{VerifiedClaimsClaim: verifiedClaimsOf(cur)}, nil
}

// ClaimNames: a refresh asks again, so a revoked verification leaves the
// refreshed ID token.
func (v *VerifiedClaims) ClaimNames() []string { return []string{VerifiedClaimsClaim} }

func verifiedClaimsOf(cur *storage.IdentityVerification) map[string]any {
	return map[string]any{
		"verification": map[string]any{
			"trust_framework":      TrustFramework,
			"time":                 cur.CreatedAt.UTC().Format(time.RFC3339),
			"verification_process": cur.ID,
			"assurance_process":    map[string]any{"policy": cur.PolicyName, "procedure": cur.Method},
		},
		"claims": map[string]any{},
	}
}

// identityAssuranceMetadata are the OP metadata of OpenID Connect for
// Identity Assurance 1.0 (section 8). No evidence is released, so
// evidence_supported is absent; no claims are released inside
// verified_claims, so claims_in_verified_claims_supported is empty.
func identityAssuranceMetadata(doc map[string]any) {
	doc["verified_claims_supported"] = true
	doc["trust_frameworks_supported"] = []string{TrustFramework}
	doc["claims_in_verified_claims_supported"] = []string{}
}
