package main

import (
	"fmt"
	"net"
	"net/url"

	"foyer/authz/keys"
	"foyer/selfservice/mfa"
)

// mfaParts builds the sealer for TOTP secrets and passkeys (a key derived
// from FOYER_SECRET) and the WebAuthn relying party: its ID is the
// issuer's host, its one origin the issuer's.
func mfaParts(cfg Config, secret []byte) (*mfa.Sealer, *mfa.WebAuthn, error) {
	sealer, err := mfa.NewSealer(keys.DeriveKey(secret, "mfa-seal"))
	if err != nil {
		return nil, nil, fmt.Errorf("mfa sealer: %w", err)
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("issuer: %w", err)
	}
	rpID := u.Hostname()
	if net.ParseIP(rpID) != nil {
		// WebAuthn scopes credentials to a domain, never an address; an
		// issuer on a bare IP (a test server) names "localhost" instead, and
		// browsers then offer passkeys only when Foyer is reached by name.
		rpID = "localhost"
	}
	rp, err := mfa.NewWebAuthn(mfa.WebAuthnConfig{RPID: rpID, RPName: "Foyer", Origins: []string{u.Scheme + "://" + u.Host}})
	if err != nil {
		return nil, nil, fmt.Errorf("webauthn: %w", err)
	}
	return sealer, rp, nil
}
