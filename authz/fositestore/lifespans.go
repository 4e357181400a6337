package fositestore

import (
	"time"

	"github.com/ory/fosite"
)

// MaxSignedTokenLifetime caps a client's access-token and ID-token
// lifetimes. Retired signing keys stay in the JWKS for at least this long
// (plus a margin), so every JWT Foyer signed can be verified until it
// expires; a longer per-client setting is clamped to it.
const MaxSignedTokenLifetime = 24 * time.Hour

// GetTokenLifespans is the client's lifetimes in fosite's shape: the
// storage fields for every grant that issues that kind of token, nil where
// the client keeps the server's default (and nil altogether when it sets
// none).
func (c *Client) GetTokenLifespans() *fosite.ClientLifespanConfig {
	at := lifespan(c.c.AccessTokenLifetime, MaxSignedTokenLifetime)
	rt := lifespan(c.c.RefreshTokenLifetime, 0)
	id := lifespan(c.c.IDTokenLifetime, MaxSignedTokenLifetime)
	if at == nil && rt == nil && id == nil {
		return nil
	}
	return &fosite.ClientLifespanConfig{
		AuthorizationCodeGrantAccessTokenLifespan:  at,
		AuthorizationCodeGrantIDTokenLifespan:      id,
		AuthorizationCodeGrantRefreshTokenLifespan: rt,
		ClientCredentialsGrantAccessTokenLifespan:  at,
		RefreshTokenGrantAccessTokenLifespan:       at,
		RefreshTokenGrantIDTokenLifespan:           id,
		RefreshTokenGrantRefreshTokenLifespan:      rt,
		// Implicit, password and JWT-bearer grants are not offered.
	}
}

// GetEffectiveLifespan implements fosite.ClientWithCustomTokenLifespans:
// fosite asks it for every token it issues, with the server default as
// fallback.
func (c *Client) GetEffectiveLifespan(gt fosite.GrantType, tt fosite.TokenType, fallback time.Duration) time.Duration {
	l := c.GetTokenLifespans()
	if l == nil {
		return fallback
	}
	return (&fosite.DefaultClientWithCustomTokenLifespans{TokenLifespans: l}).GetEffectiveLifespan(gt, tt, fallback)
}

// lifespan is d as fosite wants it: nil for zero (the server default),
// clamped to limit when limit is non-zero.
func lifespan(d, limit time.Duration) *time.Duration {
	if d <= 0 {
		return nil
	}
	if limit > 0 && d > limit {
		d = limit
	}
	return &d
}

var _ fosite.ClientWithCustomTokenLifespans = (*Client)(nil)
