package partnerlookup

import (
	"context"
	"errors"
)

// PartnerDetails is what a partner lookup tells about the partner a code
// belongs to: enough to create the partner organization.
type PartnerDetails struct {
	Name       string
	Domains    []string
	Attributes map[string]string
}

// PartnerResolver resolves a partner code Foyer does not know.
type PartnerResolver interface {
	ResolvePartner(ctx context.Context, applicationID, code string) (*PartnerDetails, error)
}

// ErrPartnerUnknown means the code belongs to no partner.
var ErrPartnerUnknown = errors.New("partnerlookup: unknown partner code")

// ErrPartnerLookupFailed means the lookup gave no answer to trust.
var ErrPartnerLookupFailed = errors.New("partnerlookup: partner lookup failed")
