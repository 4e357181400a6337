package main

import (
	"fmt"
	"log/slog"

	"foyer/admin/manage"
	"foyer/authz/keys"
	"foyer/selfservice/partnerlookup"
	"foyer/storage"
	"foyer/storage/seal"
)

// partnerLookupSealDomain separates partner lookup secrets from anything
// else sealed under a key derived from the same system secret.
const partnerLookupSealDomain = "foyer/partner-lookup/v1\x00"

// partnerLookupSealer seals and opens applications' partner lookup
// webhook secrets (storage.PartnerLookup.SecretSealed) with a key derived
// from FOYER_SECRET, bound to the application: a sealed secret copied to
// another application's row does not open. The admin side seals
// (manage.SecretSealer); the webhook client opens.
type partnerLookupSealer struct{ s *seal.Sealer }

func newPartnerLookupSealer(secret []byte) (*partnerLookupSealer, error) {
	s, err := seal.New(keys.DeriveKey(secret, "partner-lookup-seal"))
	if err != nil {
		return nil, fmt.Errorf("partner lookup sealer: %w", err)
	}
	return &partnerLookupSealer{s: s}, nil
}

// SealPartnerLookupSecret seals the application's webhook secret.
func (p *partnerLookupSealer) SealPartnerLookupSecret(applicationID string, secret []byte) ([]byte, error) {
	return p.s.Seal(secret, []byte(partnerLookupSealDomain+applicationID))
}

// OpenPartnerLookupSecret reverses SealPartnerLookupSecret (seal.ErrOpen
// for anything that does not open).
func (p *partnerLookupSealer) OpenPartnerLookupSecret(applicationID string, sealed []byte) ([]byte, error) {
	return p.s.Open(sealed, []byte(partnerLookupSealDomain+applicationID))
}

// newPartnerLookups is the admin side's service of partner lookup
// webhooks, sealing their secrets with the system secret.
func newPartnerLookups(core *manage.Core, store storage.Store, secret []byte) (*manage.PartnerLookups, error) {
	sealer, err := newPartnerLookupSealer(secret)
	if err != nil {
		return nil, err
	}
	return manage.NewPartnerLookups(core, store, sealer), nil
}

// newPartnerResolver is what registration asks about partner codes it does
// not know: the application's partner lookup webhook, its secret opened
// with the same sealer the admin side sealed it with.
func newPartnerResolver(store storage.Store, secret []byte, log *slog.Logger) (*partnerlookup.Client, error) {
	sealer, err := newPartnerLookupSealer(secret)
	if err != nil {
		return nil, err
	}
	return partnerlookup.New(store, sealer, partnerlookup.WithLogger(log)), nil
}
