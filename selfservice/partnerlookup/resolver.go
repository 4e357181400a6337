package partnerlookup

import (
	"context"
	"errors"
)

// PartnerDetails is what the partner lookup webhook says of a partner code
// Foyer does not know: the partner organization to create.
type PartnerDetails struct {
	Name       string
	Domains    []string
	Attributes map[string]string
}

// PartnerResolver resolves a partner code Foyer does not know through the
// application's partner lookup webhook.
type PartnerResolver interface {
	ResolvePartner(ctx context.Context, applicationID, code string) (*PartnerDetails, error)
}

// ErrPartnerUnknown: the webhook does not know the code either.
var ErrPartnerUnknown = errors.New("partnerlookup: unknown partner code")

// ErrPartnerLookupFailed: the webhook could not be asked or gave no usable
// answer (timeout, error status, bad body); try again later.
var ErrPartnerLookupFailed = errors.New("partnerlookup: partner lookup failed")
