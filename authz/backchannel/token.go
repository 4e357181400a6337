package backchannel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v3"

	"foyer/storage"
)

// EventURI names the back-channel logout event in a logout token's events
// claim (OIDC Back-Channel Logout 1.0, section 2.4).
const EventURI = "http://schemas.openid.net/event/backchannel-logout"

// TokenType is the JWS typ header of logout tokens (section 2.4), which
// keeps them from being mistaken for ID tokens.
const TokenType = "logout+jwt"

// Claims is a logout token's payload. It never has a nonce: that is how
// section 2.4 tells a logout token from an ID token.
type Claims struct {
	Issuer   string                    `json:"iss"`
	Audience string                    `json:"aud"`
	IssuedAt int64                     `json:"iat"`
	Expiry   int64                     `json:"exp"`
	JTI      string                    `json:"jti"`
	Subject  string                    `json:"sub,omitempty"`
	SID      string                    `json:"sid,omitempty"`
	Events   map[string]map[string]any `json:"events"`
}

// claimsFor builds the logout token for one notice. Every attempt gets a
// fresh jti and iat: the token is short-lived and a retry is a new token.
func claimsFor(issuer string, n *storage.LogoutNotice, now time.Time, lifetime time.Duration) (*Claims, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return nil, fmt.Errorf("backchannel: random jti: %w", err)
	}
	return &Claims{
		Issuer:   issuer,
		Audience: n.ClientID,
		IssuedAt: now.Unix(),
		Expiry:   now.Add(lifetime).Unix(),
		JTI:      hex.EncodeToString(jti),
		Subject:  n.AccountID,
		SID:      n.SessionID,
		Events:   map[string]map[string]any{EventURI: {}},
	}, nil
}

// sign signs the claims with the current RS256 key, the one ID tokens use,
// so relying parties verify both against the same JWKS.
func sign(ctx context.Context, keys Keys, c *Claims) (string, error) {
	key, err := keys.Signer(ctx, string(jose.RS256))
	if err != nil {
		return "", fmt.Errorf("backchannel: signing key: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType(TokenType))
	if err != nil {
		return "", fmt.Errorf("backchannel: signer: %w", err)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("backchannel: encode claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("backchannel: sign: %w", err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("backchannel: serialize: %w", err)
	}
	return out, nil
}
