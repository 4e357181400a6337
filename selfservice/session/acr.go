package session

import (
	"slices"
	"strings"

	"foyer/storage"
)

// Authentication context classes Foyer reports in the session and the ID
// token's acr, and accepts in acr_values.
const (
	ACRSingle = "1" // one factor
	ACRMFA    = "2" // two different factors
)

// MFADemand is what decides whether a sign-in must include a second
// factor: the application's MFA policy, what the authorization request
// asked for, and whether the account has a factor enrolled. It is here,
// the one package authz and selfservice share, so the authorization
// endpoint, the sign-in's MFA gate and the account portal judge a session
// by one rule.
type MFADemand struct {
	// Mode is the application's MFA policy mode (storage.MFAOff, ...).
	Mode string
	// ACRValues are the request's acr_values parameters, each a
	// space-separated list (OpenID Connect Core 3.1.2.1).
	ACRValues []string
	// HasFactors: the account has an enrolled second factor.
	HasFactors bool
}

// Asked reports whether the request asks for a second factor through
// acr_values: Foyer's "2".
func (d MFADemand) Asked() bool {
	for _, v := range d.ACRValues {
		if slices.Contains(strings.Fields(v), ACRMFA) {
			return true
		}
	}
	return false
}

// Required reports whether every sign-in must end with a second factor,
// whatever the account has: the policy requires one or the request asked.
func (d MFADemand) Required() bool { return d.Mode == storage.MFARequired || d.Asked() }

// SatisfiedBy reports whether a sign-in of the class acr is enough: a
// multi-factor one always is; a single-factor one is not when a second
// factor is required, nor where the policy is optional and the account has
// a factor to prove.
func (d MFADemand) SatisfiedBy(acr string) bool {
	if acr == ACRMFA {
		return true
	}
	return !d.Required() && !(d.Mode == storage.MFAOptional && d.HasFactors)
}
